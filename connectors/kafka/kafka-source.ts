/**
 * The Kafka source. Its offset is Spark's: `{"topic": {"partition": nextOffset}}`, and Weir's
 * checkpoint owns it — the source joins no consumer group and commits nothing to Kafka. Each
 * batch's exact per-partition range is in the offset log before the batch runs; `read` fetches
 * exactly that range from each partition's leader (kafka-reader.ts), so a re-run reads the same
 * records, decoded into the same rows in the same order (by topic, partition, offset).
 *
 * - New partitions are found on every `latestOffset` (metadata is refreshed) and read from
 *   their earliest offset, as Spark does.
 * - `max_rows_per_batch` is shared fairly between partitions that have data (a partition gets
 *   at most its fair share, and what small partitions leave goes to the others).
 * - Broker failures are retried inside the source for `retry_timeout`, so a broker restart
 *   does not stop the query.
 * - Malformed records follow `on_error`; counts are in `metrics()` (progress `sources[].metrics`).
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs'
import type { ReadLimit, Source, SourceOffset } from '../../runtime/source.ts'
import { WeirError } from '../../runtime/errors.ts'
import type { Field, Row } from '../../runtime/types.ts'
import { createKafka, withRetry, type RawRecord } from './kafka-client.ts'
import { RecordDecoder } from './kafka-decode.ts'
import type { SourceSettings } from './kafka-options.ts'
import { KafkaReader, type PartitionRange } from './kafka-reader.ts'

/** `{"topic": {"partition": nextOffset}}` */
export type KafkaOffsets = Record<string, Record<string, number>>

/** How often `onData` listeners poll for new records. */
const POLL_MS = 100

interface DeadLetter {
  readonly topic: string
  readonly partition: number
  readonly record: RawRecord
  readonly error: string
}

export class KafkaSource implements Source {
  readonly description: string
  private readonly kafka: Kafka
  private readonly reader: KafkaReader
  private readonly decoder: RecordDecoder
  private deadLetterProducer: Producer | null = null
  private readonly counters = { malformedRecords: 0, recordsSkipped: 0, recordsDeadLettered: 0 }

  constructor(private readonly stream: string, fields: readonly Field[], private readonly settings: SourceSettings) {
    this.description = `KafkaV2[Subscribe[${settings.topics.join(',')}]]`
    this.decoder = new RecordDecoder(fields, settings.format, settings.metadata)
    this.kafka = createKafka(settings.client)
    this.reader = new KafkaReader(this.kafka, settings.readCommitted, settings.client.retryTimeoutMs, settings.fetchMaxBytes)
  }

  async initialOffset(): Promise<SourceOffset> {
    const s = this.settings.startup
    switch (s.kind) {
      case 'earliest':
      case 'latest':
        return this.offsetsAt(s.kind)
      case 'timestamp':
        return this.offsetsAt({ timestamp: s.timestamp })
      case 'specific_offsets': {
        const earliest = await this.offsetsAt('earliest')
        const latest = await this.offsetsAt('latest')
        const out: KafkaOffsets = {}
        for (const [topic, parts] of Object.entries(earliest)) {
          out[topic] = {}
          for (const p of Object.keys(parts)) {
            const given = s.offsets[topic]?.[p]
            out[topic][p] = given === undefined || given === -2 ? parts[p]! : given === -1 ? latest[topic]![p]! : given
          }
        }
        return out
      }
    }
  }

  latestOffset(): Promise<SourceOffset> {
    return this.offsetsAt('latest')
  }

  async endOffset(start: SourceOffset, limit: ReadLimit): Promise<SourceOffset> {
    const from = asOffsets(start, this.stream)
    const latest = await this.offsetsAt('latest')
    const begin = await this.startsOfNewPartitions(from, latest)
    // Per partition: what is available past the start.
    const avail: { topic: string; p: string; start: number; n: number }[] = []
    for (const [topic, parts] of Object.entries(latest)) {
      for (const [p, end] of Object.entries(parts)) {
        const s = from[topic]?.[p] ?? begin[topic]?.[p] ?? 0
        avail.push({ topic, p, start: s, n: Math.max(0, end - s) })
      }
    }
    const take = fairShares(avail.map((a) => a.n), limit.maxRows)
    const out: KafkaOffsets = structuredClone(from)
    avail.forEach((a, i) => {
      out[a.topic] ??= {}
      out[a.topic]![a.p] = a.start + take[i]!
    })
    return out
  }

  async read(start: SourceOffset, end: SourceOffset): Promise<Row[]> {
    const from = asOffsets(start, this.stream)
    const to = asOffsets(end, this.stream)
    const begin = await this.startsOfNewPartitions(from, to)
    const ranges: PartitionRange[] = []
    for (const topic of Object.keys(to).sort()) {
      for (const p of Object.keys(to[topic]!).sort((a, b) => Number(a) - Number(b))) {
        const s = from[topic]?.[p] ?? begin[topic]?.[p] ?? 0
        const e = to[topic]![p]!
        if (e > s) ranges.push({ topic, partition: Number(p), start: s, end: e })
      }
    }
    const rowsOf = new Map<PartitionRange, Row[]>(ranges.map((r) => [r, []]))
    const dead: DeadLetter[] = []
    await this.reader.fetch(ranges, (range, records) => {
      const rows = rowsOf.get(range)!
      for (const rec of records) {
        const row = this.decoder.decode(range.topic, range.partition, rec)
        if (typeof row !== 'string') {
          rows.push(row)
          continue
        }
        this.counters.malformedRecords++
        const at = `${range.topic}/${range.partition}@${rec.offset}`
        if (this.settings.onError === 'fail') {
          throw new WeirError('KAFKA_RECORD_INVALID', `stream ${this.stream}: the record at ${at} does not fit the stream: ${row} (on_error = 'skip' or 'dead_letter' to go on)`,
            { domain: 'user', retryable: false })
        }
        if (this.settings.onError === 'skip') this.counters.recordsSkipped++
        else dead.push({ topic: range.topic, partition: range.partition, record: rec, error: row })
      }
    })
    if (dead.length > 0) {
      // In range order, as the rows: the same dead letters in the same order for a re-read.
      const order = new Map(ranges.map((r, i) => [`${r.topic}\u0000${r.partition}`, i]))
      dead.sort((a, b) => order.get(`${a.topic}\u0000${a.partition}`)! - order.get(`${b.topic}\u0000${b.partition}`)! || Number(a.record.offset) - Number(b.record.offset))
      await this.sendDeadLetters(dead)
    }
    // Concatenated by topic, partition, offset: the same order on every read of the range.
    const out: Row[] = []
    for (const r of ranges) for (const row of rowsOf.get(r)!) out.push(row)
    return out
  }

  distance(from: SourceOffset, to: SourceOffset): number | null {
    if (!isOffsets(from) || !isOffsets(to)) return null
    let n = 0
    for (const [topic, parts] of Object.entries(to)) {
      for (const [p, end] of Object.entries(parts)) n += end - (from[topic]?.[p] ?? 0)
    }
    return n
  }

  onData(listener: () => void): () => void {
    let last = ''
    let busy = false
    const timer = setInterval(() => {
      if (busy) return
      busy = true
      this.offsetsAt('latest').then((o) => {
        const now = JSON.stringify(o)
        if (last !== '' && now !== last) listener()
        last = now
      }, () => undefined).finally(() => (busy = false))
    }, POLL_MS)
    timer.unref()
    return () => clearInterval(timer)
  }

  metrics(): Readonly<Record<string, number>> {
    return { ...this.counters }
  }

  async close(): Promise<void> {
    await this.reader.close()
    await this.deadLetterProducer?.disconnect().catch(() => undefined)
    this.deadLetterProducer = null
  }

  private async offsetsAt(at: 'earliest' | 'latest' | { timestamp: number }): Promise<KafkaOffsets> {
    const partitions = await this.reader.partitions(this.settings.topics)
    const out: KafkaOffsets = {}
    for (const [topic, parts] of partitions) {
      out[topic] = {}
      for (const [p, o] of [...(await this.reader.offsets(topic, parts, at))].sort((a, b) => a[0] - b[0])) out[topic][String(p)] = o
    }
    return out
  }

  /** The earliest offsets of partitions in `to` that `from` does not know (new partitions). */
  private async startsOfNewPartitions(from: KafkaOffsets, to: KafkaOffsets): Promise<KafkaOffsets> {
    const out: KafkaOffsets = {}
    for (const [topic, parts] of Object.entries(to)) {
      const missing = Object.keys(parts).filter((p) => from[topic]?.[p] === undefined).map(Number)
      if (missing.length === 0) continue
      out[topic] = {}
      for (const [p, o] of await this.reader.offsets(topic, missing, 'earliest')) out[topic][String(p)] = o
    }
    return out
  }

  private async sendDeadLetters(dead: readonly DeadLetter[]): Promise<void> {
    const topic = this.settings.deadLetterTopic!
    await withRetry(`writing dead letters to ${topic}`, this.settings.client.retryTimeoutMs, async () => {
      if (this.deadLetterProducer === null) {
        const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
        this.deadLetterProducer = producer
        await producer.connect()
      }
      await this.deadLetterProducer.send({
        topic, acks: -1,
        messages: dead.map((d) => ({
          key: d.record.key, value: d.record.value, timestamp: d.record.timestamp,
          headers: {
            ...d.record.headers, 'weir.error': d.error, 'weir.stream': this.stream, 'weir.topic': d.topic,
            'weir.partition': String(d.partition), 'weir.offset': d.record.offset,
          },
        })),
      })
    }, async () => {
      await this.deadLetterProducer?.disconnect().catch(() => undefined)
      this.deadLetterProducer = null
    })
    this.counters.recordsDeadLettered += dead.length
  }
}

/**
 * Splits `limit` rows between partitions with `available` rows each: every partition gets at
 * most an equal share, and what smaller partitions cannot use goes to the others (water-filling).
 */
export function fairShares(available: readonly number[], limit: number | null): number[] {
  const total = available.reduce((a, b) => a + b, 0)
  if (limit === null || total <= limit) return [...available]
  const take = available.map(() => 0)
  const order = available.map((n, i) => ({ n, i })).filter((x) => x.n > 0).sort((a, b) => a.n - b.n || a.i - b.i)
  let left = limit
  order.forEach((x, k) => {
    const share = Math.floor(left / (order.length - k))
    take[x.i] = Math.min(x.n, share)
    left -= take[x.i]!
  })
  // The remainder of the integer division, one row each, in partition order.
  for (let i = 0; i < available.length && left > 0; i++) {
    if (take[i]! < available[i]!) {
      take[i] = take[i]! + 1
      left--
    }
  }
  return take
}

function isOffsets(v: SourceOffset): v is KafkaOffsets {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  return Object.values(v).every((parts) => typeof parts === 'object' && parts !== null && !Array.isArray(parts) &&
    Object.values(parts).every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0))
}

function asOffsets(v: SourceOffset, stream: string): KafkaOffsets {
  if (!isOffsets(v)) {
    throw new WeirError('CHECKPOINT_CORRUPT', `stream ${stream}: ${JSON.stringify(v)} is not a Kafka offset ({"topic": {"partition": offset}})`, { domain: 'internal' })
  }
  return v
}
