/**
 * Runs the `*.test.ts` files under the given folders with node's test runner (Node 20's
 * `--test` does not expand glob patterns itself).
 * Usage: tsx scripts/run-tests.ts <folder>… [-- extra node --test flags]
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const split = args.indexOf('--')
const folders = split >= 0 ? args.slice(0, split) : args
const extra = split >= 0 ? args.slice(split + 1) : []

function find(dir: string, out: string[]): void {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return
  }
  for (const name of names) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) find(p, out)
    else if (name.endsWith('.test.ts')) out.push(relative(ROOT, p))
  }
}

const files: string[] = []
for (const f of folders) {
  if (f.endsWith('.test.ts')) files.push(f)
  else find(join(ROOT, f), files)
}
if (files.length === 0) {
  console.error(`no test files under ${folders.join(', ')}`)
  process.exit(1)
}
files.sort()
// --test-force-exit: a test file whose tests all finished must not hold the run open through a
// lingering handle (a client reconnecting after a broker restart); each file still has to pass.
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-force-exit', '--test-reporter=spec', ...extra, ...files], {
  cwd: ROOT,
  stdio: 'inherit',
})
process.exit(result.status ?? 1)
