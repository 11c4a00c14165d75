/** Every error code the code base raises is documented in docs/errors.md. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) sources(p, out)
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p)
  }
  return out
}

test('every raised error code is documented', () => {
  const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8')
  const documented = new Set([...doc.matchAll(/\| `([A-Z_]+)` \|/g)].map((m) => m[1]!))
  const missing = new Map<string, string>()
  for (const top of ['planner', 'runtime', 'server', 'connectors', 'cli']) {
    let files: string[] = []
    try {
      files = sources(join(ROOT, top))
    } catch {
      continue
    }
    for (const f of files) {
      const text = readFileSync(f, 'utf8')
      for (const m of text.matchAll(/(?:sqlError|WeirError)\(\s*'([A-Z][A-Z_]+)'|code: '([A-Z][A-Z_]+)'/g)) {
        const code = (m[1] ?? m[2])!
        if (!documented.has(code)) missing.set(code, f.slice(ROOT.length + 1))
      }
    }
  }
  assert.deepEqual([...missing].map(([c, f]) => `${c} (${f})`), [], 'codes missing from docs/errors.md')
})
