/**
 * The Kafka broker the tests use: a real single-node Apache Kafka started by `scripts/kafka.sh`
 * (CI starts it in `.ci/run`; developers run `npm run kafka:start`), or any broker named by
 * WEIR_KAFKA_BROKERS (e.g. the docker-compose one).
 *
 * `kafkaBrokers(t)` answers the broker list, or — when no broker answers — fails the test under
 * CI=true and skips it loudly elsewhere. Also a command: `tsx connectors/kafka/test-broker.ts
 * wait <brokers> <ms>` waits until kafkajs can list the topics (scripts/kafka.sh's readiness
 * check).
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { TestContext } from 'node:test'
import { Kafka, logLevel, type Admin, type IHeaders } from 'kafkajs'

const ROOT = resolve(import.meta.dirname, '../..')
export const TEST_BROKERS = (process.env.WEIR_KAFKA_BROKERS ?? `127.0.0.1:${process.env.WEIR_KAFKA_PORT ?? '19092'}`).split(',')

export function testKafka(clientId = 'weir-test'): Kafka {
  return new Kafka({ clientId, brokers: TEST_BROKERS, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } })
}

/** True once kafkajs lists the topics within `ms`. */
export async function waitForBroker(brokers: readonly string[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const admin = new Kafka({ clientId: 'weir-wait', brokers: [...brokers], logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } }).admin()
    try {
      await admin.connect()
      await admin.listTopics()
      return true
    } catch {
      await new Promise((r) => setTimeout(r, 250))
    } finally {
      await admin.disconnect().catch(() => undefined)
    }
  }
  return false
}

let reachable: Promise<boolean> | null = null

/** The brokers, or null after skipping `t` (never under CI=true: there a missing broker fails the test). */
export async function kafkaBrokers(t: TestContext): Promise<string[] | null> {
  reachable ??= waitForBroker(TEST_BROKERS, process.env.CI === 'true' ? 20_000 : 3000)
  if (await reachable) return TEST_BROKERS
  const why = `no Kafka broker answers at ${TEST_BROKERS.join(',')}`
  if (process.env.CI === 'true') throw new Error(`${why}: .ci/run must start one (scripts/kafka.sh start)`)
  const banner = `\n!!! SKIPPING the Kafka tests: ${why}. Start one with \`npm run kafka:start\` (needs Java 17 and Maven) !!!\n`
  console.error(banner)
  t.skip(banner.trim())
  return null
}

/** Whether this repository's script manages the broker (so a test may restart it). */
export function managedBroker(): boolean {
  return process.env.WEIR_KAFKA_BROKERS === undefined && existsSync(join(ROOT, '.kafka', 'broker.pid'))
}

/** Runs `scripts/kafka.sh <command>`; rejects on a non-zero exit. */
export function kafkaScript(command: 'start' | 'stop' | 'restart' | 'status'): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [join(ROOT, 'scripts', 'kafka.sh'), command], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`kafka.sh ${command} exited ${code}: ${stderr}`))))
  })
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

export async function withAdmin<T>(f: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka().admin()
  try {
    await admin.connect()
    return await f(admin)
  } finally {
    await admin.disconnect()
  }
}

export async function createTopic(topic: string, partitions = 1): Promise<void> {
  await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }))
}

export interface TestRecord {
  readonly key?: string | null
  readonly value: string | Buffer | null
  readonly partition?: number
  readonly timestamp?: number
  readonly headers?: IHeaders
}

/** Produces records (idempotent producer, acks=all). */
export async function produce(topic: string, records: readonly TestRecord[]): Promise<void> {
  const producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
  try {
    await producer.connect()
    for (let i = 0; i < records.length; i += 1000) {
      await producer.send({
        topic,
        acks: -1,
        messages: records.slice(i, i + 1000).map((r) => ({
          key: r.key ?? null, value: r.value, ...(r.partition === undefined ? {} : { partition: r.partition }),
          ...(r.timestamp === undefined ? {} : { timestamp: String(r.timestamp) }), ...(r.headers ? { headers: r.headers } : {}),
        })),
      })
    }
  } finally {
    await producer.disconnect()
  }
}

export interface ConsumedRecord {
  readonly partition: number
  readonly offset: number
  readonly key: string | null
  readonly value: string | null
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Every record of `topic` a `read_committed` consumer sees, read until each partition's last
 * stable offset, within `ms`.
 */
export async function consumeAll(topic: string, ms = 30_000): Promise<ConsumedRecord[]> {
  const ends = await withAdmin(async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic)
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]))
  })
  const kafka = testKafka()
  const consumer = kafka.consumer({ groupId: `weir-test-${randomUUID()}`, readUncommitted: false })
  const out: ConsumedRecord[] = []
  const reached = new Map<number, number>()
  const done = (): boolean => [...ends].every(([p, end]) => end === 0 || (reached.get(p) ?? 0) >= end - 1)
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumeAll(${topic}): not at the end within ${ms} ms`)), ms)
      const finish = (): void => {
        clearTimeout(timer)
        resolvePromise()
      }
      if (done()) finish()
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const headers: Record<string, string> = {}
            for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = String(Array.isArray(v) ? v[0] : v)
            out.push({ partition: batch.partition, offset: Number(m.offset), key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers })
          }
          // The last offset of a batch may be a transaction marker, past the last record.
          reached.set(batch.partition, Number(batch.lastOffset()))
          if (done()) finish()
        },
      }).catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
}

/** Resolves when `check` holds, polling every 50 ms; rejects at the deadline with `what`. */
export async function eventually<T>(what: string, ms: number, check: () => Promise<T | null | undefined | false> | T | null | undefined | false): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown = null
  for (;;) {
    try {
      const v = await check()
      if (v !== null && v !== undefined && v !== false) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

if (process.argv[1]?.endsWith('test-broker.ts') && process.argv[2] === 'wait') {
  const brokers = (process.argv[3] ?? TEST_BROKERS.join(',')).split(',')
  const ms = Number(process.argv[4] ?? 30_000)
  waitForBroker(brokers, ms).then((ok) => process.exit(ok ? 0 : 1), () => process.exit(1))
}
