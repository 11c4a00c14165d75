/**
 * The process the crash test kills. It opens an Engine on a data directory (autoRun), creates
 * (idempotently) a stream and two persistent queries into file sinks — a stateless copy and a
 * 10 s tumbling-window aggregation — and ingests a deterministic sequence of rows itself,
 * continuing from the log's length after a restart, so the test needs no IPC.
 *
 * stdout: `started` once the engine is open, `done` once every row is ingested and every query
 * committed everything (including the no-data batch that closes the last windows).
 *
 * Environment: WEIR_CRASH_DIR (data directory), WEIR_CRASH_ROWS (total rows), WEIR_CRASH_RATE
 * (rows per 10 ms tick), WEIR_CRASH_DURING (`<write kind>:<n>`: SIGKILL itself while the n-th
 * write of that kind is in flight — a crash in the middle of a LevelDB commit).
 */
import { Engine } from '../engine.ts'
import { LevelDurableState } from '../level-durable-state.ts'
import type { WriteInterceptor } from '../../runtime/level-checkpoint.ts'
import type { Row } from '../../runtime/types.ts'

const dir = process.env.WEIR_CRASH_DIR!
const total = Number(process.env.WEIR_CRASH_ROWS ?? 4000)
const rate = Number(process.env.WEIR_CRASH_RATE ?? 40)
const [crashKind, crashAt] = (process.env.WEIR_CRASH_DURING ?? ':').split(':')

const BASE = Date.parse('2026-01-01T00:00:00Z')

/** Row i: deterministic, event time increasing with jitter well inside the 5 s watermark delay. */
function crashRow(i: number): Row {
  return [i % 7, `u${i % 11}`, (i * 37) % 101, BASE + i * 100 + (i % 5) * 30]
}

let seen = 0
const intercept: WriteInterceptor = async (kind, write) => {
  if (kind === crashKind && ++seen === Number(crashAt)) {
    void write()
    process.kill(process.pid, 'SIGKILL')
  }
  await write()
}

const SETUP = `
  CREATE STREAM IF NOT EXISTS events (k BIGINT, name VARCHAR, v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
  CREATE SINK IF NOT EXISTS copy_out WITH (connector = 'file', path = 'copy', format = 'json');
  CREATE SINK IF NOT EXISTS agg_out WITH (connector = 'file', path = 'agg', format = 'csv');
`
const QUERIES: Record<string, string> = {
  copy: `INSERT INTO copy_out SELECT k, name, v * 2 AS v2, ts FROM events WHERE v % 3 <> 0`,
  agg: `INSERT INTO agg_out SELECT window_start, k, COUNT(*) AS n, SUM(v) AS total, MAX(v) AS top
        FROM TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND) GROUP BY window_start, window_end, k EMIT APPEND`,
}

async function main(): Promise<void> {
  const durable = await LevelDurableState.open(dir, { intercept })
  const engine = await Engine.open({ durable, dataDir: dir, fileRoots: [dir], autoRun: true })
  await engine.execute(SETUP)
  for (const [name, sql] of Object.entries(QUERIES)) {
    if (![...durable.queries.values()].some((q) => q.name === name)) await engine.execute(sql, { query_name: name, max_rows_per_batch: '500' })
  }
  process.stdout.write('started\n')
  const log = durable.log('events')
  while (log.length < total) {
    const from = log.length
    const rows: Row[] = []
    for (let i = from; i < Math.min(total, from + rate); i++) rows.push(crashRow(i))
    await log.append(rows)
    // A producer's pace: batches interleave with ingestion.
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  for (;;) {
    let complete = true
    for (const q of durable.queries.values()) {
      if (q.status === 'failed') throw new Error(`query ${q.name} failed: ${q.error?.code}: ${q.error?.message}`)
      const commit = await durable.checkpoint(q.id).lastCommit()
      if (commit?.nextOffsets.events !== total) complete = false
    }
    if (complete) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await engine.runDueBatches()
  for (const q of engine.listQueries()) {
    if (q.status === 'failed') throw new Error(`query ${q.name} failed: ${q.error?.code}: ${q.error?.message}`)
  }
  await engine.close()
  await durable.close()
  process.stdout.write('done\n')
}

main().catch((err: unknown) => {
  process.stdout.write(`error ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
