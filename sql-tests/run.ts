/**
 * The conformance suite's command line:
 *
 *   tsx sql-tests/run.ts [files, directories or globs] [--mode straight|restart|both]
 *                        [--store memory|level|both] [--update]
 *
 * Without paths it runs every `sql-tests/cases/**\/*.slt`. Prints one line per file, the
 * failures with their expected and actual output, and `N passed, M failed`; exits 1 on any
 * failure. `--update` rewrites the expected text of `explain` records only.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FormatError, parseFile, rewriteGoldens } from './format.ts'
import type { TestFile } from './format.ts'
import type { Failure, FileRun, RunMode, Store } from './runner.ts'

const HERE = fileURLToPath(new URL('.', import.meta.url))

interface Args {
  readonly paths: string[]
  readonly modes: RunMode[]
  readonly stores: Store[]
  readonly update: boolean
}

function parseArgs(argv: readonly string[]): Args {
  const paths: string[] = []
  let modes: RunMode[] = ['straight', 'restart']
  let update = false
  let stores: Store[] = ['memory', 'level']
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--update') update = true
    else if (a === '--mode' || a.startsWith('--mode=')) {
      const m = a === '--mode' ? argv[++i] : a.slice('--mode='.length)
      if (m === 'both') modes = ['straight', 'restart']
      else if (m === 'straight' || m === 'restart') modes = [m]
      else usage(`unknown mode '${m ?? ''}'`)
    } else if (a === '--store' || a.startsWith('--store=')) {
      const s = a === '--store' ? argv[++i] : a.slice('--store='.length)
      if (s === 'both') stores = ['memory', 'level']
      else if (s === 'memory' || s === 'level') stores = [s]
      else usage(`unknown store '${s ?? ''}'`)
    } else if (a.startsWith('--')) usage(`unknown flag '${a}'`)
    else paths.push(a)
  }
  // goldens are taken from the straight run
  if (update && !modes.includes('straight')) modes = ['straight', ...modes]
  return { paths, modes, stores, update }
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: tsx sql-tests/run.ts [paths or globs] [--mode straight|restart|both] [--store memory|level|both] [--update]\n`)
  process.exit(2)
}

function walk(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walk(p))
    else if (entry.name.endsWith('.slt')) out.push(p)
  }
  return out
}

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*'
      i++
      if (glob[i + 1] === '/') i++
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

function resolveFiles(paths: readonly string[]): string[] {
  if (paths.length === 0) return walk(join(HERE, 'cases')).sort()
  const files = new Set<string>()
  for (const p of paths) {
    if (/[*?]/.test(p)) {
      const base = resolve(p.slice(0, p.search(/[*?]/)).replace(/[^/]*$/, '') || '.')
      const re = globToRegExp(resolve(p))
      const found = walk(base).filter((f) => re.test(f))
      if (found.length === 0) usage(`no .slt file matches ${p}`)
      found.forEach((f) => files.add(f))
    } else if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) {
      walk(resolve(p)).forEach((f) => files.add(f))
    } else {
      files.add(resolve(p))
    }
  }
  return [...files].sort()
}

/** A line diff (LCS): `-` expected only, `+` actual only, two spaces both. */
function diff(expected: readonly string[], actual: readonly string[]): string[] {
  const n = expected.length
  const m = actual.length
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[]
      row[j] = expected[i] === actual[j] ? (lcs[i + 1] as number[])[j + 1]! + 1 : Math.max((lcs[i + 1] as number[])[j]!, row[j + 1]!)
    }
  }
  const out: string[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) out.push(`    ${expected[i++]}`), j++
    else if (j < m && (i === n || (lcs[i] as number[])[j + 1]! >= (lcs[i + 1] as number[])[j]!)) out.push(`  + ${actual[j++]}`)
    else out.push(`  - ${expected[i++]}`)
  }
  return out
}

function report(path: string, run: FileRun, f: Failure): string {
  const lines = [`  ${path}:${f.line} [${run.mode}/${run.store}] ${f.record}: ${f.message}`]
  if (f.expected && f.actual) {
    lines.push('    (- expected, + actual)')
    lines.push(...diff(f.expected, f.actual).map((l) => `  ${l}`))
    if (f.expected.length === 0 && f.actual.length === 0) lines.push('    (both empty)')
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const files = resolveFiles(args.paths)
  let runner: typeof import('./runner.ts')
  try {
    runner = await import('./runner.ts')
  } catch (e) {
    process.stderr.write(`cannot load the engine (server/engine.ts): ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(2)
  }
  let passed = 0
  let failed = 0
  for (const path of files) {
    const shown = relative(process.cwd(), path)
    let file: TestFile
    try {
      file = parseFile(shown, readFileSync(path, 'utf8'))
    } catch (e) {
      failed++
      process.stdout.write(`FAIL ${shown}\n  ${e instanceof FormatError ? e.message : String(e)}\n`)
      continue
    }
    const runs: FileRun[] = []
    const combos = args.stores.flatMap((store) => args.modes.map((mode) => ({ mode, store })))
    for (const { mode, store } of combos) {
      const run = await runner.runFile(file, mode, args.update && store === args.stores[0], store)
      runs.push(run)
      if (run.goldens.size > 0) {
        // later modes check the plans just written
        writeFileSync(path, rewriteGoldens(file, run.goldens))
        file = parseFile(shown, readFileSync(path, 'utf8'))
      }
    }
    const bad = runs.filter((r) => r.failures.length > 0)
    if (bad.length === 0) {
      passed++
      process.stdout.write(`ok   ${shown} (${combos.map((c) => `${c.mode}/${c.store}`).join(', ')})\n`)
    } else {
      failed++
      process.stdout.write(`FAIL ${shown} (${bad.map((r) => `${r.mode}/${r.store}`).join(', ')})\n`)
      for (const run of bad) for (const f of run.failures) process.stdout.write(`${report(shown, run, f)}\n`)
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`)
  process.exit(failed > 0 ? 1 : 0)
}

await main()
