/**
 * The Kafka sink.
 *
 * Exactly-once (`delivery = 'exactly_once'`, the default) through Kafka transactions: one
 * transactional producer per query and sink (`transactional.id` = `weir-<queryId>-<sink>`), each
 * batch's records committed in ONE transaction, every record carrying the headers
 * `weir.query.id` and `weir.batch.id`. Which batches are committed is read back from Kafka
 * itself: when the producer (re)connects, its InitProducerId fences any earlier incarnation and
 * finishes or aborts that one's open transaction; then the sink reads the tail of each
 * partition with read_committed, newest first, until it finds a record of this query, and
 * takes the highest batch id found. A batch at or below it is not written again — the crash
 * between the Kafka commit and Weir's commit record re-runs exactly that batch.
 *
 * Limits: a batch without output rows leaves no trace (harmless: re-running it writes nothing);
 * records of other writers after this query's last ones are scanned over, up to
 * SCAN_LIMIT offsets per partition (a busier shared topic could hide the last batch and make a
 * re-run batch appear twice); readers must use `isolation.level=read_committed`.
 *
 * `delivery = 'at_least_once'`: an idempotent producer without transactions; a batch re-run
 * after a crash may appear twice (Spark's Kafka sink guarantee).
 *
 * Broker failures are retried for `retry_timeout`: the producer is rebuilt and the tail scanned
 * again before the batch is retried, so a commit whose answer was lost is not repeated.
 */
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs'
import type { Sink, SinkBatchInfo } from '../../runtime/sink.ts'
import type { OutputMode } from '../../runtime/graph.ts'
import type { ChangeBatch, Schema } from '../../runtime/types.ts'
import { invalidOption } from '../connector.ts'
import { createKafka, isRetryableForProducer, withRetry } from './kafka-client.ts'
import { HEADER_BATCH_ID, HEADER_QUERY_ID, MessageEncoder } from './kafka-encode.ts'
import type { SinkSettings } from './kafka-options.ts'
import { KafkaReader, type PartitionRange } from './kafka-reader.ts'

/** At most this many offsets per partition are read back looking for the last committed batch. */
const SCAN_LIMIT = 1_000_000
/** Bytes per produce call (all partitions together), below the broker's 1 MB message.max.bytes. */
const CHUNK_BYTES = 768 * 1024

export class KafkaSink implements Sink {
  readonly description: string
  readonly guarantee
  private readonly kafka: Kafka
  private readonly encoder: MessageEncoder
  private producer: Producer | null = null
  /** The highest batch id of this query committed in the topic; undefined until read back. */
  private lastCommitted: number | null | undefined = undefined

  constructor(private readonly sink: string, private readonly queryId: string, schema: Schema, private readonly settings: SinkSettings) {
    this.guarantee = settings.exactlyOnce ? 'exactly-once' as const : 'at-least-once' as const
    this.description = `KafkaSink[${settings.topic}]`
    const names = schema.fields.map((f) => f.name.toLowerCase())
    const keys = settings.keyColumns.map((k) => {
      const i = names.indexOf(k)
      if (i < 0) throw invalidOption(`option key_columns of sink ${sink} names "${k}", which the query does not output; columns: ${names.join(', ')}`)
      return i
    })
    this.encoder = new MessageEncoder(schema.fields, settings.format, keys)
    this.kafka = createKafka(settings.client)
  }

  get transactionalId(): string {
    return this.settings.transactionalId ?? `weir-${this.queryId}-${this.sink}`
  }

  async write(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): Promise<void> {
    const messages = this.encoder.encode(info.queryId, batchId, changes, info.outputMode as OutputMode)
    const { topic } = this.settings
    await withRetry(`writing batch ${batchId} to ${topic}`, this.settings.client.retryTimeoutMs, async () => {
      const producer = await this.connected()
      if (!this.settings.exactlyOnce) {
        if (messages.length > 0) await this.send(producer, messages)
        return
      }
      this.lastCommitted ??= await this.lastCommittedBatch()
      if (this.lastCommitted !== null && batchId <= this.lastCommitted) return
      if (messages.length === 0) return
      const tx = await producer.transaction()
      try {
        await this.send(tx, messages)
        await tx.commit()
      } catch (err) {
        await tx.abort().catch(() => undefined)
        throw err
      }
      this.lastCommitted = batchId
    }, async () => {
      // A new producer fences the old one and settles its transaction; then read back again.
      await this.producer?.disconnect().catch(() => undefined)
      this.producer = null
      this.lastCommitted = undefined
    }, isRetryableForProducer)
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined)
    this.producer = null
  }

  /** In produce calls of at most CHUNK_BYTES: a record batch over the broker's message.max.bytes (1 MB) is refused. */
  private async send(to: Pick<Producer, 'send'>, messages: readonly Message[]): Promise<void> {
    let from = 0
    let bytes = 0
    for (let i = 0; i <= messages.length; i++) {
      const m = messages[i]
      const size = m === undefined ? 0 : 64 + byteLength(m.value) + byteLength(m.key)
      if (i > from && (m === undefined || bytes + size > CHUNK_BYTES)) {
        await to.send({
          topic: this.settings.topic, acks: -1, messages: messages.slice(from, i),
          compression: this.settings.gzip ? CompressionTypes.GZIP : CompressionTypes.None,
        })
        from = i
        bytes = 0
      }
      bytes += size
    }
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer
    const producer = this.settings.exactlyOnce
      ? this.kafka.producer({
        transactionalId: this.transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 60_000,
        createPartitioner: Partitioners.DefaultPartitioner,
      })
      : this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
    try {
      await producer.connect()
    } catch (err) {
      // A failed connect may leave sockets behind.
      await producer.disconnect().catch(() => undefined)
      throw err
    }
    this.producer = producer
    return producer
  }

  /** The highest batch id of this query in the committed tail of the topic, or null. */
  private async lastCommittedBatch(): Promise<number | null> {
    const { topic } = this.settings
    const reader = new KafkaReader(this.kafka, true, this.settings.client.retryTimeoutMs, 1024 * 1024)
    try {
      const partitions = (await reader.partitions([topic])).get(topic) ?? []
      const low = await reader.offsets(topic, partitions, 'earliest')
      const high = await reader.offsets(topic, partitions, 'latest')
      let best: number | null = null
      for (const p of partitions) {
        const found = await this.scanPartition(reader, p, low.get(p) ?? 0, high.get(p) ?? 0)
        if (found !== null && (best === null || found > best)) best = found
      }
      return best
    } finally {
      await reader.close()
    }
  }

  /** Reads back from `end` in growing windows until a record of this query is found. */
  private async scanPartition(reader: KafkaReader, partition: number, low: number, end: number): Promise<number | null> {
    let window = 256
    let to = end
    while (to > low && end - to < SCAN_LIMIT) {
      const from = Math.max(low, to - window)
      let found: number | null = null
      const range: PartitionRange = { topic: this.settings.topic, partition, start: from, end: to }
      await reader.fetch([range], (_r, records) => {
        for (const rec of records) {
          if (rec.headers[HEADER_QUERY_ID]?.toString() !== this.queryId) continue
          const id = Number(rec.headers[HEADER_BATCH_ID]?.toString())
          if (Number.isSafeInteger(id) && (found === null || id > found)) found = id
        }
      })
      if (found !== null) return found
      to = from
      window *= 4
    }
    return null
  }
}

function byteLength(v: Message['value'] | Message['key']): number {
  return v === null || v === undefined ? 0 : typeof v === 'string' ? v.length * 3 : v.length
}
