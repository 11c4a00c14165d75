/**
 * Runs one differential case: the engine in process with a manual clock (no sleeps), the rows
 * pushed batch by batch, then the sink's output checked against the oracle.
 */
import { Engine } from '../../server/engine.ts'
import { ManualClock, type QueryInfo, type SinkRecord } from '../../server/engine-api.ts'
import type { QueryProgress } from '../../runtime/progress.ts'
import type { Event, EventStream } from './generator.ts'
import { multisetDiff, normalise, replayWatermark, type Oracle, type OutRow } from './oracle.ts'
import { renderWeirQuery, type Query } from './query-ast.ts'

export interface Case {
  readonly label: string
  readonly stream: EventStream
  readonly query: Query
  /** Close the engine and reopen it on the same durable state after these batch indexes. */
  readonly restartsAfter?: readonly number[]
}

export interface EngineRun {
  readonly records: readonly SinkRecord[]
  readonly info: QueryInfo
  /** Progress of every batch, across restarts, by batchId. */
  readonly progress: readonly QueryProgress[]
  readonly sql: string
}

function timestampLiteral(ms: number): string {
  return `TIMESTAMP '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`
}

function valueSql(v: number | string | null, type: 'INT' | 'DOUBLE' | 'VARCHAR'): string {
  if (v === null) return 'NULL'
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`
  const text = type === 'DOUBLE' && Number.isInteger(v) ? v.toFixed(1) : String(v)
  return v < 0 ? `(${text})` : text
}

export function insertSql(rows: readonly Event[], vType: 'INT' | 'DOUBLE'): string {
  const values = rows.map((r) => `(${valueSql(r.k, 'INT')}, ${valueSql(r.v, vType)}, ${valueSql(r.s, 'VARCHAR')}, ${timestampLiteral(r.ts)})`)
  return `INSERT INTO events VALUES ${values.join(', ')}`
}

export function createStreamSql(stream: EventStream): string {
  return `CREATE STREAM events (k INT, v ${stream.vType}, s VARCHAR, ts TIMESTAMP, ` +
    `WATERMARK FOR ts AS ts - INTERVAL '${stream.delayS}' SECOND)`
}

/** Runs the query over the stream's batches: one INSERT and one `runDueBatches()` per batch. */
export async function runEngine(c: Case): Promise<EngineRun> {
  const clock = new ManualClock()
  let engine = await Engine.open({ clock, autoRun: false })
  const progress = new Map<number, QueryProgress>()
  const info = (): QueryInfo => {
    const q = engine.listQueries().find((x) => x.sink === 'out')
    if (q === undefined) throw new Error('the query writing to sink "out" is not listed')
    for (const p of q.recentProgress) progress.set(p.batchId, p)
    return q
  }
  try {
    await engine.execute(createStreamSql(c.stream))
    await engine.execute(`CREATE SINK out WITH (connector = 'memory')`)
    const sql = renderWeirQuery(c.query, 'out')
    await engine.execute(sql)
    let offset = 0
    for (const [b, size] of c.stream.batches.entries()) {
      await engine.execute(insertSql(c.stream.rows.slice(offset, offset + size), c.stream.vType))
      offset += size
      clock.advance(1000)
      await engine.runDueBatches()
      if (c.restartsAfter?.includes(b) === true) {
        info()
        const durable = engine.durable
        await engine.close()
        engine = await Engine.open({ clock, autoRun: false, durable })
        await engine.runDueBatches()
      }
    }
    const last = info()
    const all = [...progress.values()].sort((a, z) => a.batchId - z.batchId)
    return { records: [...engine.sinkOutput('out')], info: last, progress: all, sql }
  } finally {
    await engine.close()
  }
}

const rowOf = (r: SinkRecord): OutRow => r.row.map(normalise)

/** What the engine's sink holds: the last snapshot (complete) or every inserted row (append). */
function actualRows(c: Case, run: EngineRun): { rows: OutRow[]; problems: string[] } {
  const problems: string[] = []
  if (c.query.mode === 'complete') {
    const progress = run.progress
    const lastBatch = progress.length === 0 ? -1 : progress[progress.length - 1]!.batchId
    const nonSnapshot = run.records.filter((r) => !r.snapshot)
    if (nonSnapshot.length > 0) problems.push(`${nonSnapshot.length} complete-mode records are not marked snapshot`)
    return { rows: run.records.filter((r) => r.snapshot && r.batchId === lastBatch).map(rowOf), problems }
  }
  if (c.query.mode === 'update') return applyChangelog(run.records)
  const notInserts = run.records.filter((r) => r.op !== '+')
  if (notInserts.length > 0) problems.push(`append-mode sink received non-insert ops: ${[...new Set(notInserts.map((r) => r.op))].join(', ')}`)
  return { rows: run.records.map(rowOf), problems }
}

/** Update mode: the table the changes build (`+`/`U+` insert, `-`/`U-` delete that exact row). */
function applyChangelog(records: readonly SinkRecord[]): { rows: OutRow[]; problems: string[] } {
  const problems: string[] = []
  const table = new Map<string, OutRow[]>()
  for (const r of records) {
    const row = rowOf(r)
    const key = JSON.stringify(row)
    if (r.op === '+' || r.op === 'U+') {
      table.set(key, [...(table.get(key) ?? []), row])
    } else {
      const list = table.get(key)
      if (list === undefined || list.length === 0) problems.push(`batch ${r.batchId}: ${r.op} of ${key}, which the sink does not hold`)
      else list.pop()
    }
  }
  return { rows: [...table.values()].flat(), problems }
}

/**
 * Append mode: a window is emitted in the first batch whose watermark reaches its end, i.e.
 * previous batch's watermark < window_end <= this batch's (columns 0 and 1 are the window).
 */
function timelinessProblems(c: Case, run: EngineRun): string[] {
  if (c.query.mode !== 'append' || c.query.window === null) return []
  const wmOf = new Map<number, number | null>()
  for (const p of run.progress) {
    const w = p.eventTime.watermark
    wmOf.set(p.batchId, w === undefined || w === '' ? null : Date.parse(w))
  }
  const problems: string[] = []
  for (const r of run.records) {
    const end = r.row[1]
    const wm = wmOf.get(r.batchId) ?? null
    const prev = wmOf.get(r.batchId - 1) ?? null
    if (typeof end !== 'number' || wm === null || end > wm || (prev !== null && end <= prev)) {
      problems.push(`window ending ${typeof end === 'number' ? new Date(end).toISOString() : String(end)} emitted in batch ${r.batchId} ` +
        `(watermark ${wm === null ? 'none' : new Date(wm).toISOString()}, previous ${prev === null ? 'none' : new Date(prev).toISOString()})`)
    }
  }
  return problems.slice(0, 5)
}

/** Checks the batch boundaries, the watermarks and the dropped-row count against the replay. */
function progressProblems(c: Case, run: EngineRun, expectedDropped: number): string[] {
  const problems: string[] = []
  const replay = replayWatermark(c.stream)
  const progress = run.progress
  const data = progress.filter((p) => p.numInputRows > 0)
  const sizes = data.map((p) => p.numInputRows)
  if (sizes.join(',') !== c.stream.batches.join(',')) {
    problems.push(`data batches read [${sizes.join(',')}], pushed [${c.stream.batches.join(',')}]`)
    return problems
  }
  data.forEach((p, i) => {
    const want = replay.perBatch[i]
    if (want === null || want === undefined) return
    const got = p.eventTime.watermark
    if (got === undefined || Date.parse(got) !== want) {
      problems.push(`batch ${p.batchId} (data batch ${i}) ran with watermark ${got ?? '(none)'}, expected ${new Date(want).toISOString()}`)
    }
  })
  const dropped = progress.flatMap((p) => p.stateOperators).reduce((n, s) => n + s.numRowsDroppedByWatermark, 0)
  if (dropped !== expectedDropped) problems.push(`numRowsDroppedByWatermark sums to ${dropped}, expected ${expectedDropped}`)
  return problems
}

/** What the checked cases exercised, so that a vacuous run is visible. */
export interface CaseStats {
  cases: number
  emptyResults: number
  rowsCompared: number
  droppedRows: number
  engineErrors: number
}

export const newStats = (): CaseStats => ({ cases: 0, emptyResults: 0, rowsCompared: 0, droppedRows: 0, engineErrors: 0 })

/** Runs and checks one case; returns a full report on failure, null when it passes. */
export async function checkCase(c: Case, oracle: Oracle, stats: CaseStats = newStats()): Promise<string | null> {
  const replay = replayWatermark(c.stream)
  await oracle.load(c.stream, replay)
  const expected = await oracle.expected(c.query, replay)
  const expectedDropped = await oracle.expectedDropped(c.query)
  stats.cases++
  stats.rowsCompared += expected.rows.length
  stats.droppedRows += expectedDropped
  if (expected.rows.length === 0) stats.emptyResults++
  let run: EngineRun
  try {
    run = await runEngine(c)
  } catch (err) {
    stats.engineErrors++
    return describe(c, replay.final, expected.sql, [`engine threw: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`])
  }
  const problems: string[] = []
  if (run.info.status === 'failed') problems.push(`query failed: ${JSON.stringify(run.info.error)}`)
  if (run.info.recentProgress.length >= 100) problems.push('more than 100 batches ran: recentProgress is truncated')
  const actual = actualRows(c, run)
  problems.push(...actual.problems, ...progressProblems(c, run, expectedDropped), ...timelinessProblems(c, run))
  const diff = multisetDiff(expected.rows, actual.rows)
  if (diff.missing.length > 0 || diff.extra.length > 0) {
    problems.push(
      `result differs (expected ${expected.rows.length} rows, engine ${actual.rows.length})`,
      `  missing from engine: ${diff.missing.map((r) => JSON.stringify(r)).join(' ') || '-'}`,
      `  unexpected in engine: ${diff.extra.map((r) => JSON.stringify(r)).join(' ') || '-'}`,
    )
  }
  return problems.length === 0 ? null : describe(c, replay.final, expected.sql, problems)
}

function describe(c: Case, finalWm: number | null, duckSql: string, problems: readonly string[]): string {
  let offset = 0
  const batches = c.stream.batches.map((size, b) => {
    const rows = c.stream.rows.slice(offset, offset + size)
    offset += size
    return `  batch ${b}: ${insertSql(rows, c.stream.vType)}`
  })
  return [
    `case ${c.label}${c.restartsAfter?.length ? ` (engine restarted after batch ${c.restartsAfter.join(', ')})` : ''}`,
    ...problems.map((p) => `  ! ${p}`),
    `  stream: ${createStreamSql(c.stream)}`,
    `  weir:   ${renderWeirQuery(c.query, 'out')}`,
    `  duckdb: ${duckSql}`,
    `  final watermark: ${finalWm === null ? 'none' : new Date(finalWm).toISOString()}`,
    ...batches,
  ].join('\n')
}
