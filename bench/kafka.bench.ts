/**
 * Kafka → Weir → Kafka throughput beside a bare kafkajs pipe, on the broker of
 * scripts/kafka.sh (or WEIR_KAFKA_BROKERS). Prints rows/s and ratios; asserts nothing; not in
 * `npm test`.
 *
 * - bare: a kafkajs consumer (eachBatch) → JSON.parse → JSON.stringify → a kafkajs producer
 *   (idempotent, acks=all), nothing else;
 * - weir filter: `SELECT id, user, amount * 2 … WHERE amount < 900` (90% of rows pass), into an
 *   exactly-once Kafka sink (one transaction per batch);
 * - weir tumbling: a 10 s tumbling COUNT per country, exactly-once.
 *
 * 200-byte JSON records, 3 partitions. `BENCH_ROWS` (default 200 000), `BENCH_BATCH`
 * (max_rows_per_batch, default 50 000). Run: `npx tsx bench/kafka.bench.ts`.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Partitioners } from 'kafkajs'
import { Engine } from '../server/engine.ts'
import { createTopic, produce, testKafka, TEST_BROKERS, waitForBroker, withAdmin } from '../connectors/kafka/test-broker.ts'

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000)
const BATCH = Number(process.env.BENCH_BATCH ?? 50_000)
const T0 = Date.parse('2026-01-01T00:00:00Z')
const COUNTRIES = ['DE', 'FR', 'US', 'JP', 'BR', 'IN', 'GB', 'NL']

function record(i: number): string {
  return JSON.stringify({
    id: i, user: `user-${String(i % 10_000).padStart(5, '0')}`, url: `https://example.com/page/${i % 100_000}`,
    amount: (i * 7919) % 1000 + 0.25, ts: new Date(T0 + i * 2).toISOString(), country: COUNTRIES[i % COUNTRIES.length],
    pad: 'x'.repeat(40),
  })
}

async function topicEnd(topic: string): Promise<number> {
  return withAdmin(async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0))
}

async function bare(input: string): Promise<number> {
  const out = `bench-bare-out-${randomUUID().slice(0, 8)}`
  await createTopic(out, 3)
  const kafka = testKafka('bench-bare')
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 16 * 1024 * 1024 })
  await producer.connect()
  await consumer.connect()
  await consumer.subscribe({ topic: input, fromBeginning: true })
  let seen = 0
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const messages = batch.messages.map((m) => ({ key: m.key, value: JSON.stringify(JSON.parse(m.value!.toString())) }))
        // Produce calls under the broker's 1 MB record-batch limit, as the Weir sink does.
        for (let i = 0; i < messages.length; i += 3000) await producer.send({ topic: out, acks: -1, messages: messages.slice(i, i + 3000) })
        seen += messages.length
        if (seen >= ROWS) resolve()
      },
    }).catch(reject)
  })
  const ms = performance.now() - started
  await consumer.disconnect()
  await producer.disconnect()
  return (ROWS * 1000) / ms
}

async function weir(input: string, select: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-kafka-bench-'))
  const out = `bench-weir-out-${randomUUID().slice(0, 8)}`
  await createTopic(out, 3)
  const bs = TEST_BROKERS.join(',')
  const engine = await Engine.open({ dataDir: dir, autoRun: true })
  try {
    await engine.execute(`
      CREATE STREAM ev (id BIGINT, user VARCHAR, url VARCHAR, amount DOUBLE, ts TIMESTAMP, country VARCHAR,
        WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
        WITH (connector = 'kafka', bootstrap_servers = '${bs}', topic = '${input}', max_rows_per_batch = '${BATCH}');
      CREATE SINK out WITH (connector = 'kafka', bootstrap_servers = '${bs}', topic = '${out}');`)
    const started = performance.now()
    await engine.execute(`INSERT INTO out ${select}`)
    for (;;) {
      const q = engine.listQueries()[0]!
      if (q.status !== 'running') throw new Error(`query ${q.status}: ${JSON.stringify(q.error)}`)
      const read = q.recentProgress.reduce((n, p) => n + p.numInputRows, 0)
      if (read >= ROWS) break
      await new Promise((r) => setTimeout(r, 5))
    }
    const ms = performance.now() - started
    const q = engine.listQueries()[0]!
    const phases: Record<string, number> = {}
    for (const p of q.recentProgress) for (const [k, v] of Object.entries(p.durationMs)) phases[k] = (phases[k] ?? 0) + v
    console.log(`    batches ${q.recentProgress.length}; ms by phase: ${Object.entries(phases).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`)
    return (ROWS * 1000) / ms
  } finally {
    await engine.close()
    await rm(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  if (!(await waitForBroker(TEST_BROKERS, 5000))) throw new Error(`no broker at ${TEST_BROKERS.join(',')}: npm run kafka:start`)
  const input = `bench-in-${randomUUID().slice(0, 8)}`
  await createTopic(input, 3)
  const t = performance.now()
  const CHUNK = 20_000
  for (let i = 0; i < ROWS; i += CHUNK) {
    await produce(input, Array.from({ length: Math.min(CHUNK, ROWS - i) }, (_, j) => ({ partition: (i + j) % 3, value: record(i + j) })))
  }
  console.log(`kafka bench: ${ROWS} records of ${Buffer.byteLength(record(12345))} bytes in ${input} (${await topicEnd(input)} offsets), produced in ${Math.round(performance.now() - t)} ms`)
  const bareRate = await bare(input)
  console.log(`  bare kafkajs pipe (decode + JSON.parse + JSON.stringify + produce): ${Math.round(bareRate)} rows/s`)
  const filterRate = await weir(input, 'SELECT id, user, amount * 2 AS amount2, ts FROM ev WHERE amount < 900')
  console.log(`  weir filter + projection, exactly-once sink: ${Math.round(filterRate)} rows/s (${Math.round((100 * filterRate) / bareRate)}% of bare)`)
  const tumbleRate = await weir(input, `SELECT window_start, country, COUNT(*) AS n FROM TUMBLE(ev, ts, INTERVAL '10' SECOND)
    GROUP BY window_start, window_end, country EMIT APPEND`)
  console.log(`  weir tumbling count, exactly-once sink: ${Math.round(tumbleRate)} rows/s (${Math.round((100 * tumbleRate) / bareRate)}% of bare)`)
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err)
  process.exit(1)
})
