/**
 * kafkajs clients from the connector's settings, and the retry policy for broker outages.
 *
 * kafkajs has no manual partition assignment, so the source fetches through the client's
 * `Cluster` (the object its consumer uses): `rawCluster` reaches it through the one private
 * hook kafkajs 2.2.4 has, and types the few methods used. A kafkajs that lacks them fails at
 * query start with KAFKA_CLIENT_UNSUPPORTED, never later.
 */
import { createRequire } from 'node:module'
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs'
import { WeirError } from '../../runtime/errors.ts'
import type { ClientSettings } from './kafka-options.ts'

const LOG_LEVELS: Readonly<Record<string, logLevel>> = {
  nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG,
}

export function createKafka(s: ClientSettings): Kafka {
  const config: KafkaConfig = {
    clientId: s.clientId,
    brokers: [...s.brokers],
    ssl: s.ssl,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    // kafkajs logs every failed request; the connector retries and reports itself.
    logLevel: LOG_LEVELS[(process.env.WEIR_KAFKAJS_LOG ?? 'nothing').toLowerCase()] ?? logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
  }
  if (s.sasl) config.sasl = { mechanism: s.sasl.mechanism, username: s.sasl.username, password: s.sasl.password } as SASLOptions
  return new Kafka(config)
}

/** One record as kafkajs decodes it (offsets and timestamps are decimal strings). */
export interface RawRecord {
  readonly offset: string
  readonly timestamp: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: Readonly<Record<string, Buffer | Buffer[] | undefined>>
  readonly isControlRecord: boolean
  readonly batchContext: { readonly firstOffset: string; readonly lastOffsetDelta: number; readonly producerId: string; readonly inTransaction: boolean }
}

export interface AbortedTransaction {
  readonly producerId: string
  readonly firstOffset: string
}

export interface FetchedPartition {
  readonly partition: number
  readonly highWatermark: string
  readonly lastStableOffset: string
  readonly abortedTransactions: readonly AbortedTransaction[]
  readonly messages: readonly RawRecord[]
}

export interface RawBroker {
  fetch(req: {
    isolationLevel: number; maxWaitTime: number; minBytes: number; maxBytes: number
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[]
  }): Promise<{ responses: { topicName: string; partitions: FetchedPartition[] }[] }>
  listOffsets(req: {
    isolationLevel: number; topics: { topic: string; partitions: { partition: number; timestamp: string }[] }[]
  }): Promise<{ responses: { topic: string; partitions: { partition: number; offset: string }[] }[] }>
}

export interface RawCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  refreshMetadata(): Promise<void>
  addMultipleTargetTopics(topics: string[]): Promise<void>
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number | null }[]
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>
  findBroker(req: { nodeId: string }): Promise<RawBroker>
}

type CreateCluster = (opts: { metadataMaxAge: number; allowAutoTopicCreation: boolean; isolationLevel: number }) => RawCluster

export function rawCluster(kafka: Kafka, readCommitted: boolean): RawCluster {
  const hook = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')
  const create = hook === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[hook]
  if (typeof create !== 'function') {
    throw new WeirError('KAFKA_CLIENT_UNSUPPORTED', 'this kafkajs version has no cluster hook; the Kafka source needs kafkajs 2.2.x', { domain: 'internal' })
  }
  const cluster = (create as CreateCluster)({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, isolationLevel: readCommitted ? 1 : 0 })
  for (const m of ['connect', 'disconnect', 'refreshMetadata', 'addMultipleTargetTopics', 'findTopicPartitionMetadata', 'findLeaderForPartitions', 'findBroker'] as const) {
    if (typeof cluster[m] !== 'function') {
      throw new WeirError('KAFKA_CLIENT_UNSUPPORTED', `this kafkajs version's cluster has no ${m}(); the Kafka source needs kafkajs 2.2.x`, { domain: 'internal' })
    }
  }
  return cluster
}

type AbortFilter = (args: { messages: readonly RawRecord[]; abortedTransactions: readonly AbortedTransaction[] }) => RawRecord[]
/** kafkajs's own read_committed filter (drops the records of aborted transactions). */
export const filterAborted: AbortFilter = createRequire(import.meta.url)('kafkajs/src/consumer/filterAbortedMessages.js') as AbortFilter

const RETRYABLE_NAMES = new Set([
  'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded', 'KafkaJSTopicMetadataNotLoaded', 'KafkaJSLockTimeout', 'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSGroupCoordinatorNotFound',
])

/** Whether retrying may help: a broker down or moving, a timeout, a retriable protocol error. */
export function isRetryable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof WeirError) return e.retryable && e.code === 'KAFKA_UNAVAILABLE'
    if (RETRYABLE_NAMES.has(e.name)) return true
    if (e.name === 'KafkaJSProtocolError' && (e as Error & { retriable?: boolean }).retriable === true) return true
    if (['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNonRetriableError', 'KafkaJSError'].includes(e.name) && e.cause === undefined) {
      return /connect|ECONNREFUSED|ECONNRESET|timed out|closed|not available|leader|coordinator/i.test(e.message)
    }
  }
  return false
}

/** Errors of a transactional producer that a new producer (same transactional.id) clears. */
const PRODUCER_STATE_ERRORS = new Set([
  'INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_TXN_STATE', 'CONCURRENT_TRANSACTIONS', 'UNKNOWN_PRODUCER_ID',
  'OUT_OF_ORDER_SEQUENCE_NUMBER', 'TRANSACTIONAL_ID_NOT_FOUND', 'COORDINATOR_LOAD_IN_PROGRESS', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE',
])

/**
 * For a sink that rebuilds its producer between attempts: also a fenced or stale producer (the
 * broker restarted, or a transaction timed out) — this query owns its transactional.id.
 */
export function isRetryableForProducer(err: unknown): boolean {
  if (isRetryable(err)) return true
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const type = (e as Error & { type?: string }).type
    if (type !== undefined && PRODUCER_STATE_ERRORS.has(type)) return true
    if (/old epoch|fenced|transactional state/i.test(e.message)) return true
  }
  return false
}

/**
 * Runs `op` until it succeeds, retrying retryable failures with backoff (100 ms doubling to
 * 2 s) and calling `recover` between attempts, for at most `timeoutMs`. A non-retryable failure
 * or the deadline throws KAFKA_UNAVAILABLE (or the failure itself when it is a WeirError).
 */
export async function withRetry<T>(
  what: string, timeoutMs: number, op: () => Promise<T>, recover?: () => Promise<void>, retryable: (err: unknown) => boolean = isRetryable,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let delay = 100
  for (let attempt = 1; ; attempt++) {
    try {
      return await op()
    } catch (err) {
      if (err instanceof WeirError && err.code !== 'KAFKA_UNAVAILABLE') throw err
      if (!retryable(err) || Date.now() + delay > deadline) {
        throw new WeirError('KAFKA_UNAVAILABLE',
          `${what} failed${attempt > 1 ? ` after ${attempt} attempts` : ''}: ${err instanceof Error ? err.message : String(err)}`,
          { domain: 'external', retryable: retryable(err), cause: err })
      }
      await new Promise((r) => setTimeout(r, delay))
      delay = Math.min(delay * 2, 2000)
      if (recover) await recover().catch(() => undefined)
    }
  }
}
