/**
 * The process kafka-crash.test.ts kills: an Engine on a data directory (autoRun) with a Kafka
 * stream, a Kafka sink and two persistent queries (a filter/projection and a tumbling count),
 * created idempotently. stdout: `started` once the engine is open; `done` once both queries
 * have committed every input offset (WEIR_KAFKA_END, JSON) and the last windows are closed.
 *
 * Environment: WEIR_KAFKA_DIR, WEIR_KAFKA_IN, WEIR_KAFKA_OUT, WEIR_KAFKA_AGG, WEIR_KAFKA_END,
 * WEIR_KAFKA_BROKERS.
 */
import { Engine } from '../../server/engine.ts'
import { TEST_BROKERS } from './test-broker.ts'

const env = (name: string): string => {
  const v = process.env[name]
  if (v === undefined) throw new Error(`${name} is not set`)
  return v
}

async function main(): Promise<void> {
  const bs = TEST_BROKERS.join(',')
  const engine = await Engine.open({ dataDir: env('WEIR_KAFKA_DIR'), autoRun: true })
  await engine.execute(`
    CREATE STREAM IF NOT EXISTS ev (id BIGINT, v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
      WITH (connector = 'kafka', bootstrap_servers = '${bs}', topic = '${env('WEIR_KAFKA_IN')}', max_rows_per_batch = '100');
    CREATE SINK IF NOT EXISTS copy_out WITH (connector = 'kafka', bootstrap_servers = '${bs}', topic = '${env('WEIR_KAFKA_OUT')}');
    CREATE SINK IF NOT EXISTS agg_out WITH (connector = 'kafka', bootstrap_servers = '${bs}', topic = '${env('WEIR_KAFKA_AGG')}');
  `)
  const queries: Record<string, string> = {
    copy: 'INSERT INTO copy_out SELECT id, v * 10 AS v10 FROM ev WHERE v % 3 <> 0',
    agg: `INSERT INTO agg_out SELECT window_start, COUNT(*) AS n, SUM(v) AS total FROM TUMBLE(ev, ts, INTERVAL '1' SECOND)
          GROUP BY window_start, window_end EMIT APPEND`,
  }
  for (const [name, sql] of Object.entries(queries)) {
    if (![...engine.durable.queries.values()].some((q) => q.name === name)) await engine.execute(sql, { query_name: name })
  }
  process.stdout.write('started\n')
  const end = env('WEIR_KAFKA_END')
  for (;;) {
    let complete = true
    for (const q of engine.durable.queries.values()) {
      if (q.status === 'failed') throw new Error(`query ${q.name} failed: ${q.error?.code}: ${q.error?.message}`)
      const commit = await engine.durable.checkpoint(q.id).lastCommit()
      if (JSON.stringify(commit?.nextOffsets.ev) !== end) complete = false
    }
    if (complete) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await engine.runDueBatches()
  await engine.close()
  process.stdout.write('done\n')
}

main().catch((err: unknown) => {
  process.stdout.write(`error ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
