/**
 * Reads exact offset ranges of Kafka partitions: Weir's checkpoint owns the offsets, so the
 * source never joins a consumer group. `fetch` sends Fetch requests straight to each
 * partition's leader, from `start` until `end` (exclusive), and hands over the records in
 * offset order — the same records every time for the same range while the log retains them.
 *
 * With read_committed, records of aborted transactions are dropped (kafkajs's filter) and the
 * "latest" offset is the last stable offset, so a range never ends inside an open transaction.
 * Transaction markers occupy offsets but are never records.
 */
import type { Kafka } from 'kafkajs'
import { WeirError } from '../../runtime/errors.ts'
import { filterAborted, rawCluster, withRetry, type RawCluster, type RawRecord } from './kafka-client.ts'

export interface PartitionRange {
  readonly topic: string
  readonly partition: number
  readonly start: number
  readonly end: number
}

export type OffsetSpec = 'earliest' | 'latest' | { readonly timestamp: number }

/** A fetch that returns nothing this many times in a row while the range is not done fails. */
const MAX_EMPTY_FETCHES = 50

export class KafkaReader {
  private readonly cluster: RawCluster
  private connected = false
  /** Closed for good: a late call (a poll in flight) must not reconnect and leak sockets. */
  private closed = false
  private queue: Promise<unknown> = Promise.resolve()

  constructor(kafka: Kafka, private readonly readCommitted: boolean, private readonly retryTimeoutMs: number, private readonly fetchMaxBytes: number) {
    this.cluster = rawCluster(kafka, readCommitted)
  }

  async close(): Promise<void> {
    this.closed = true
    await this.queue
    this.connected = false
    await this.cluster.disconnect().catch(() => undefined)
  }

  /** The partitions of each topic now; a topic that does not exist (yet) has none. */
  partitions(topics: readonly string[]): Promise<Map<string, number[]>> {
    return this.retrying('reading topic metadata', async () => {
      await this.ensureConnected()
      const out = new Map<string, number[]>()
      let refreshed = false
      for (const topic of topics) {
        try {
          await this.cluster.addMultipleTargetTopics([topic])
        } catch (err) {
          if ((err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') {
            out.set(topic, [])
            continue
          }
          throw err
        }
        if (!refreshed) {
          await this.cluster.refreshMetadata()
          refreshed = true
        }
        out.set(topic, this.cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId).sort((a, b) => a - b))
      }
      return out
    })
  }

  /** Offsets of `partitions` of `topic`: the log start, the end (last stable offset with read_committed), or the first at or after a timestamp (the end when none is). */
  offsets(topic: string, partitions: readonly number[], at: OffsetSpec): Promise<Map<number, number>> {
    if (partitions.length === 0) return Promise.resolve(new Map())
    const timestamp = at === 'earliest' ? '-2' : at === 'latest' ? '-1' : String(at.timestamp)
    return this.retrying(`listing offsets of ${topic}`, async () => {
      await this.ensureTopics([topic])
      const out = await this.listOffsets(topic, partitions, timestamp)
      // No record at or after the timestamp: start at the end.
      const missing = [...out].filter(([, o]) => o < 0).map(([p]) => p)
      if (missing.length > 0) for (const [p, o] of await this.listOffsets(topic, missing, '-1')) out.set(p, o)
      return out
    })
  }

  private async listOffsets(topic: string, partitions: readonly number[], timestamp: string): Promise<Map<number, number>> {
    const out = new Map<number, number>()
    const byLeader = this.cluster.findLeaderForPartitions(topic, [...partitions])
    await Promise.all(Object.entries(byLeader).map(async ([nodeId, parts]) => {
      const broker = await this.cluster.findBroker({ nodeId })
      const res = await broker.listOffsets({
        isolationLevel: this.readCommitted ? 1 : 0,
        topics: [{ topic, partitions: parts.map((partition) => ({ partition, timestamp })) }],
      })
      for (const t of res.responses) for (const p of t.partitions) out.set(p.partition, Number(p.offset))
    }))
    return out
  }

  /**
   * Calls `onRecords` with the records of each range, in offset order, a fetch response at a
   * time (several calls per range; ranges interleave, each range's calls are in order).
   * `onRecords` is synchronous: a fetch retried after a broker failure never hands a record twice.
   */
  async fetch(ranges: readonly PartitionRange[], onRecords: (range: PartitionRange, records: RawRecord[]) => void): Promise<void> {
    const cursor = new Map<PartitionRange, number>()
    for (const r of ranges) if (r.end > r.start) cursor.set(r, r.start)
    const empty = new Map<PartitionRange, number>()
    while (cursor.size > 0) {
      await this.retrying('fetching records', async () => {
        const pending = [...cursor.keys()]
        await this.ensureTopics(pending.map((r) => r.topic))
        const byLeader = new Map<string, PartitionRange[]>()
        for (const r of pending) {
          const leader = Object.keys(this.cluster.findLeaderForPartitions(r.topic, [r.partition]))[0]
          if (leader === undefined) {
            throw new WeirError('KAFKA_UNAVAILABLE', `no leader for ${r.topic}/${r.partition}`, { domain: 'external', retryable: true })
          }
          byLeader.set(leader, [...(byLeader.get(leader) ?? []), r])
        }
        await Promise.all([...byLeader].map(([nodeId, rs]) => this.fetchFrom(nodeId, rs, cursor, empty, onRecords)))
      })
    }
  }

  private async fetchFrom(
    nodeId: string, ranges: PartitionRange[], cursor: Map<PartitionRange, number>, empty: Map<PartitionRange, number>,
    onRecords: (range: PartitionRange, records: RawRecord[]) => void,
  ): Promise<void> {
    const broker = await this.cluster.findBroker({ nodeId })
    const topics = new Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>()
    for (const r of ranges) {
      topics.set(r.topic, [...(topics.get(r.topic) ?? []), { partition: r.partition, fetchOffset: String(cursor.get(r)!), maxBytes: this.fetchMaxBytes }])
    }
    const res = await broker.fetch({
      isolationLevel: this.readCommitted ? 1 : 0, maxWaitTime: 0, minBytes: 1, maxBytes: this.fetchMaxBytes * Math.max(1, ranges.length),
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    })
    for (const t of res.responses) {
      for (const p of t.partitions) {
        const range = ranges.find((r) => r.topic === t.topicName && r.partition === p.partition)
        if (!range) continue
        const from = cursor.get(range)!
        // A fetch may start before the requested offset (a compressed batch): drop what is before it.
        const within = p.messages.filter((m) => { const o = Number(m.offset); return o >= from && o < range.end })
        let next = from
        for (const m of p.messages) {
          // Past the last record, and past a batch's last offset (compaction leaves gaps).
          const o = Number(m.offset) + 1
          const batchEnd = Number(m.batchContext.firstOffset) + m.batchContext.lastOffsetDelta + 1
          next = Math.max(next, o, batchEnd)
        }
        const records = (this.readCommitted ? filterAborted({ messages: within, abortedTransactions: p.abortedTransactions }) : within)
          .filter((m) => !m.isControlRecord)
        if (records.length > 0) onRecords(range, records)
        next = Math.min(next, range.end)
        if (next >= range.end) {
          cursor.delete(range)
        } else if (next > from) {
          cursor.set(range, next)
          empty.delete(range)
        } else {
          const n = (empty.get(range) ?? 0) + 1
          empty.set(range, n)
          if (n >= MAX_EMPTY_FETCHES) {
            throw new WeirError('KAFKA_RANGE_UNAVAILABLE',
              `${range.topic}/${range.partition}: offsets ${from} to ${range.end} were logged for this batch but the broker returns no records there ` +
              `(high watermark ${p.highWatermark}, last stable offset ${p.lastStableOffset}); the records may have been deleted or the topic recreated`,
              { domain: 'external', retryable: false })
          }
        }
      }
    }
  }

  /** Connected, with metadata for `topics` (after a reconnect the client knows none). */
  private async ensureTopics(topics: readonly string[]): Promise<void> {
    await this.ensureConnected()
    await this.cluster.addMultipleTargetTopics([...new Set(topics)])
  }

  private async ensureConnected(): Promise<void> {
    if (this.connected) return
    if (this.closed) throw new WeirError('KAFKA_UNAVAILABLE', 'the Kafka reader is closed', { domain: 'external', retryable: false })
    try {
      await this.cluster.connect()
    } catch (err) {
      await this.cluster.disconnect().catch(() => undefined)
      throw err
    }
    this.connected = true
  }

  /**
   * One operation at a time (the executor and the `onData` poll share the reader): a reconnect
   * must never race another call's connect, which would leave a socket no one closes.
   */
  private retrying<T>(what: string, op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => withRetry(what, this.retryTimeoutMs, op, async () => {
      // A broker that went away: reconnect from scratch (fresh metadata and connections).
      await this.cluster.disconnect().catch(() => undefined)
      this.connected = false
    }))
    this.queue = run.catch(() => undefined)
    return run
  }
}
