/**
 * Kafka → Weir → Kafka under SIGKILL: a child process (test-crash-child.ts) runs two
 * persistent queries from a 3-partition topic into two Kafka sinks; the test kills it at random
 * moments (seeded: WEIR_CRASH_SEED, printed), restarts it each time, and finally a
 * read_committed consumer must see every expected output record exactly once. The only timer
 * is the random kill moment; everything else waits for the child's lines or exit, with deadlines.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { consumeAll, createTopic, kafkaBrokers, produce, uniqueTopic } from './test-broker.ts'
import { prng, startChild as startTestChild, type Child } from '../../server/test-child.ts'

const CHILD = join(import.meta.dirname, 'test-crash-child.ts')
const ROWS = 2400
const KILLS = 8
const BASE = Date.parse('2026-01-01T00:00:00Z')
const seed = Number(process.env.WEIR_CRASH_SEED ?? Date.now() % 1_000_000)

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

function startChild(env: Record<string, string>): Child {
  return startTestChild(CHILD, env)
}

test(`Kafka → Kafka survives ${KILLS} SIGKILLs: a read_committed consumer sees every output record exactly once`, { timeout: 150_000 }, async (t) => {
  const brokers = await kafkaBrokers(t)
  if (!brokers) return
  console.log(`kafka crash test seed: ${seed} (rerun with WEIR_CRASH_SEED=${seed})`)
  const [input, out, agg] = [uniqueTopic('crash-in'), uniqueTopic('crash-out'), uniqueTopic('crash-agg')]
  await createTopic(input, 3)
  await createTopic(out, 3)
  await createTopic(agg, 1)
  const rows = Array.from({ length: ROWS }, (_, i) => ({ id: i, v: i, ts: BASE + i * 10 }))
  await produce(input, rows.map((r) => ({ partition: r.id % 3, value: JSON.stringify({ ...r, ts: new Date(r.ts).toISOString() }) })))
  const end = JSON.stringify({ [input]: { 0: ROWS / 3, 1: ROWS / 3, 2: ROWS / 3 } })
  const dir = await mkdtemp(join(tmpdir(), 'weir-kafka-crash-'))
  dirs.push(dir)
  const env = { WEIR_KAFKA_DIR: dir, WEIR_KAFKA_IN: input, WEIR_KAFKA_OUT: out, WEIR_KAFKA_AGG: agg, WEIR_KAFKA_END: end }

  const rand = prng(seed)
  let kills = 0
  while (kills < KILLS) {
    const child = startChild(env)
    const first = await child.waitFor((l) => l === 'started' || l === 'done' || l.startsWith('error'), 30_000)
    assert.ok(!first.startsWith('error'), first)
    if (first === 'done') break
    const timer = setTimeout(() => child.kill(), Math.floor(rand() * 1500))
    await child.exited
    clearTimeout(timer)
    kills++
  }
  const last = startChild(env)
  assert.equal(await last.waitFor((l) => l === 'done' || l.startsWith('error'), 90_000), 'done')
  await last.exited

  const copied = (await consumeAll(out)).map((r) => JSON.parse(r.value!) as { id: number; v10: number })
  const expected = rows.filter((r) => r.v % 3 !== 0).map((r) => ({ id: r.id, v10: r.v * 10 }))
  console.log(`seed ${seed}: ${kills} kills; ${copied.length} copied records, ${expected.length} expected`)
  assert.deepEqual(copied.sort((a, b) => a.id - b.id), expected, 'the stateless query lost or duplicated records')

  // Windows of 1 s closed by the final watermark (max event time − 2 s).
  const watermark = BASE + (ROWS - 1) * 10 - 2000
  const windows = new Map<number, { n: number; total: number }>()
  for (const r of rows) {
    const w = Math.floor((r.ts - BASE) / 1000)
    if (BASE + (w + 1) * 1000 > watermark) continue
    const acc = windows.get(w) ?? { n: 0, total: 0 }
    windows.set(w, { n: acc.n + 1, total: acc.total + r.v })
  }
  const got = (await consumeAll(agg)).map((r) => JSON.parse(r.value!) as { window_start: string; n: number; total: number })
  assert.deepEqual(got.sort((a, b) => a.window_start.localeCompare(b.window_start)),
    [...windows].map(([w, a]) => ({ window_start: new Date(BASE + w * 1000).toISOString(), n: a.n, total: a.total })),
    'the windowed aggregation lost or duplicated windows')
})
