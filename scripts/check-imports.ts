/**
 * Fails when an import crosses a module boundary the wrong way (SPEC §6, STYLE.md):
 * server → planner, runtime, connectors; planner → runtime's graph types only; connectors →
 * runtime's source and sink interfaces (and its worker threads); runtime → nothing of ours. Only one file imports
 * node-sql-parser.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const SQL_PARSER_FILE = 'planner/parse/sql-parser.ts'

/** For each top-level folder: the project paths (folders end with '/') it may import. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  runtime: ['runtime/'],
  planner: ['planner/', 'runtime/graph.ts', 'runtime/types.ts', 'runtime/errors.ts', 'runtime/duration.ts'],
  connectors: [
    'connectors/', 'runtime/source.ts', 'runtime/sink.ts', 'runtime/types.ts', 'runtime/errors.ts', 'runtime/graph.ts',
    'runtime/clock.ts', 'runtime/progress.ts', 'runtime/duration.ts', 'runtime/threads/',
  ],
  server: ['server/', 'planner/', 'runtime/', 'connectors/'],
  cli: ['cli/', 'runtime/types.ts', 'runtime/errors.ts', 'server/engine-api.ts'],
}

export interface Violation {
  readonly file: string
  readonly target: string
  readonly reason: string
}

export function checkFile(file: string, source: string): Violation[] {
  const out: Violation[] = []
  const top = file.split('/')[0]!
  const allowed = ALLOWED[top]
  const isTest = /\.test\.ts$/.test(file) || file.includes('/test-')
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2]!
    if (spec === 'node-sql-parser' && file !== SQL_PARSER_FILE) {
      out.push({ file, target: spec, reason: `only ${SQL_PARSER_FILE} may import node-sql-parser` })
    }
    if (!spec.startsWith('.') || !allowed || isTest) continue
    const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).split('\\').join('/')
    if (!allowed.some((a) => (a.endsWith('/') ? target.startsWith(a) : target === a))) {
      out.push({ file, target, reason: `${top}/ may import only ${allowed.join(', ')}` })
    }
  }
  return out
}

function walk(dir: string, files: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, files)
    else if (p.endsWith('.ts')) files.push(relative(ROOT, p).split('\\').join('/'))
  }
}

if (import.meta.filename === process.argv[1] || process.argv[1]?.endsWith('check-imports.ts')) {
  const files: string[] = []
  for (const top of Object.keys(ALLOWED)) {
    try {
      walk(join(ROOT, top), files)
    } catch {
      // a folder that does not exist yet has nothing to check
    }
  }
  const violations = files.flatMap((f) => checkFile(f, readFileSync(join(ROOT, f), 'utf8')))
  for (const v of violations) console.error(`${v.file}: imports ${v.target}: ${v.reason}`)
  if (violations.length > 0) {
    console.error(`${violations.length} import boundary violation(s)`)
    process.exit(1)
  }
  console.log(`import boundaries ok (${files.length} files)`)
}
