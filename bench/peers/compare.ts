/**
 * Cross-engine correctness check: runs each query on Weir over the JSON files (memory sink),
 * writes `weir-<q>.jsonl` beside the peers' `spark-<q>.jsonl` and `flink-<q>.jsonl`, and compares
 * the rows as multisets (column order, timestamp spelling and row order do not matter).
 *
 * Watermark behaviour differs by design, so windowed queries are compared on the windows every
 * engine must have closed: end ≤ the final watermark (max event time − 1 s). Spark and Weir
 * close nothing later (no more data, so the watermark stops there); Flink's bounded source ends
 * with a maximal watermark and also emits the remaining open windows — counted, not compared.
 *
 *   npx tsx bench/peers/compare.ts <dataDir> <checkDir> q0,q1,q2,q7
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { formatTimestamp, type Row } from '../../runtime/types.ts'
import { generate, type Manifest } from '../nexmark/generator.ts'
import { WATERMARK_DELAY_MS, workload } from '../nexmark/queries.ts'
import { prepare } from '../weir-runner.ts'

export interface CompareResult {
  readonly query: string
  readonly ok: boolean
  readonly detail: string
}

type Obj = Record<string, unknown>

function canonical(o: Obj): string {
  const keys = Object.keys(o).sort()
  return keys.map((k) => {
    const v = o[k]
    const t = typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) ? Date.parse(v) : v
    return `${k}=${JSON.stringify(t)}`
  }).join(',')
}

function readLines(file: string): Obj[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Obj)
}

function multiset(rows: readonly Obj[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const r of rows) {
    const k = canonical(r)
    m.set(k, (m.get(k) ?? 0) + 1)
  }
  return m
}

function diff(a: Map<string, number>, b: Map<string, number>): string[] {
  const out: string[] = []
  for (const [k, n] of a) if ((b.get(k) ?? 0) !== n) out.push(`${k} ×${n} vs ×${b.get(k) ?? 0}`)
  for (const [k, n] of b) if (!a.has(k)) out.push(`${k} ×0 vs ×${n}`)
  return out
}

/** Weir's output of `name` over the files, as objects keyed by column name. */
export async function weirOutput(dataDir: string, name: string): Promise<Obj[]> {
  const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as Manifest
  const categories = generate({ ...manifest.config, bids: 1 }).categories
  const w = workload(name)
  const prepared = await prepare(w, { kind: 'json', dataDir }, { batch: 100_000, sink: 'memory', categories })
  try {
    await prepared.run()
    const columns = prepared.engine.listQueries()[0]!.columns
    return prepared.engine.sinkOutput('out').filter((r) => r.op === '+').map((r) => toObject(columns, r.row))
  } finally {
    await prepared.engine.close()
  }
}

function toObject(columns: readonly { name: string; type: string }[], row: Row): Obj {
  const o: Obj = {}
  columns.forEach((c, i) => {
    const v = row[i]
    o[c.name] = c.type === 'TIMESTAMP' && typeof v === 'number' ? formatTimestamp(v) : v
  })
  return o
}

export async function compare(dataDir: string, checkDir: string, queries: readonly string[]): Promise<CompareResult[]> {
  const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as Manifest
  const cutoff = Date.parse(manifest.maxEventTime) - WATERMARK_DELAY_MS
  const results: CompareResult[] = []
  for (const q of queries) {
    const weir = await weirOutput(dataDir, q)
    writeFileSync(join(checkDir, `weir-${q}.jsonl`), weir.map((o) => JSON.stringify(o)).join('\n') + '\n')
    const windowed = weir.length > 0 && 'window_end' in weir[0]!
    const closed = (rows: Obj[]): Obj[] => windowed ? rows.filter((r) => Date.parse(String(r.window_end)) <= cutoff) : rows
    const base = multiset(closed(weir))
    const notes: string[] = [`weir ${weir.length} rows`]
    let ok = true
    for (const peer of ['spark', 'flink']) {
      const file = join(checkDir, `${peer}-${q}.jsonl`)
      if (!existsSync(file)) {
        notes.push(`${peer}: no output`)
        ok = false
        continue
      }
      const rows = readLines(file)
      const d = diff(base, multiset(closed(rows)))
      const extra = rows.length - closed(rows).length
      notes.push(`${peer} ${rows.length} rows${extra > 0 ? ` (${extra} in windows still open at the final watermark)` : ''}: ${d.length === 0 ? 'same' : `${d.length} differences, e.g. ${d.slice(0, 3).join('; ')}`}`)
      if (d.length > 0) ok = false
    }
    results.push({ query: q, ok, detail: notes.join('; ') })
  }
  return results
}

if (process.argv[1]?.endsWith('compare.ts')) {
  const [dataDir, checkDir, list] = process.argv.slice(2)
  if (!dataDir || !checkDir || !list) {
    process.stderr.write('usage: compare.ts <dataDir> <checkDir> <queries>\n')
    process.exit(2)
  }
  const results = await compare(dataDir, checkDir, list.split(','))
  for (const r of results) console.log(`${r.ok ? 'SAME' : 'DIFF'} ${r.query}: ${r.detail}`)
  process.exitCode = results.every((r) => r.ok) ? 0 : 1
}
