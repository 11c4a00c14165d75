/**
 * The Kafka connector's options: their declarations (docs/connectors-kafka.md is written from
 * them) and their parsing into typed settings, shared by the source and the sink.
 */
import type { ConnectorOptions, OptionSpec } from '../connector.ts'
import { invalidOption } from '../connector.ts'
import { parseTimestamp } from '../../runtime/types.ts'

const SOURCE = ['source'] as const
const SINK = ['sink'] as const

export const KAFKA_OPTIONS: readonly OptionSpec[] = [
  { name: 'bootstrap_servers', type: 'string', required: true, description: "The brokers to reach first, 'host:port' separated by commas." },
  { name: 'topic', type: 'string', description: 'The topic read (a stream) or written (a sink). A sink needs it; a stream needs it or `topics`.' },
  { name: 'topics', type: 'string', roles: SOURCE, description: "Several topics read by one stream, separated by commas ('a,b')." },
  { name: 'format', type: 'enum', values: ['json', 'csv', 'text', 'raw'], default: 'json', description: "How a record's value maps to columns: `json` an object keyed by column name (unknown keys ignored); `csv` one line, fields by position; `text` the UTF-8 value in one VARCHAR column; `raw` the value bytes as base64 in one VARCHAR column. A sink writes `json` or `csv`." },
  { name: 'startup_mode', type: 'enum', roles: SOURCE, values: ['earliest', 'latest', 'specific_offsets', 'timestamp'], default: 'earliest', description: 'Where a new query starts: the earliest retained record, the end of each partition, `startup_offsets`, or the first record at or after `startup_timestamp`. A query resuming from its checkpoint ignores it.' },
  { name: 'startup_offsets', type: 'string', roles: SOURCE, description: 'For startup_mode = \'specific_offsets\': `{"topic": {"partition": offset}}`, -2 meaning earliest and -1 latest; partitions not named start at the earliest.' },
  { name: 'startup_timestamp', type: 'string', roles: SOURCE, description: "For startup_mode = 'timestamp': ISO-8601 or epoch milliseconds." },
  { name: 'key_column', type: 'string', roles: SOURCE, description: "A VARCHAR column filled with the record key (UTF-8; NULL for no key) instead of from the value." },
  { name: 'topic_column', type: 'string', roles: SOURCE, description: 'A VARCHAR column filled with the topic of the record.' },
  { name: 'partition_column', type: 'string', roles: SOURCE, description: 'An INT or BIGINT column filled with the partition of the record.' },
  { name: 'offset_column', type: 'string', roles: SOURCE, description: 'A BIGINT column filled with the offset of the record.' },
  { name: 'timestamp_column', type: 'string', roles: SOURCE, description: 'A TIMESTAMP (or BIGINT) column filled with the record timestamp; declare `WATERMARK FOR` it to use Kafka time as event time.' },
  { name: 'headers_column', type: 'string', roles: SOURCE, description: 'A JSON (or VARCHAR) column filled with the record headers as an object of UTF-8 strings.' },
  { name: 'isolation_level', type: 'enum', roles: SOURCE, values: ['read_committed', 'read_uncommitted'], default: 'read_committed', description: 'read_committed reads only committed transactions (and stops at the last stable offset).' },
  { name: 'on_error', type: 'enum', roles: SOURCE, values: ['fail', 'skip', 'dead_letter'], default: 'fail', description: 'A record that does not decode: stop the query (KAFKA_RECORD_INVALID), skip it, or skip it and copy it to `dead_letter_topic`. Skipped and dead-lettered records are counted in the source progress `metrics`.' },
  { name: 'dead_letter_topic', type: 'string', roles: SOURCE, description: "With on_error = 'dead_letter': where malformed records go, with their key, value and headers plus `weir.error`, `weir.topic`, `weir.partition`, `weir.offset` headers." },
  { name: 'fetch_max_bytes', type: 'integer', roles: SOURCE, default: '4194304', description: 'At most this many bytes per partition in one fetch request.' },
  { name: 'key_columns', type: 'string', roles: SINK, description: "Columns that make the record key ('a,b'): one column's text, or a JSON object of several. Keyed deletes in update mode become tombstones." },
  { name: 'delivery', type: 'enum', roles: SINK, values: ['exactly_once', 'at_least_once'], default: 'exactly_once', description: 'exactly_once: each batch in one Kafka transaction, and a batch already committed is not written again after a restart (readers use read_committed). at_least_once: an idempotent producer without transactions; a re-run batch may be written twice.' },
  { name: 'transactional_id', type: 'string', roles: SINK, description: 'The transactional.id of the sink (default `weir-<queryId>-<sink>`). Two running producers with the same id fence each other.' },
  { name: 'compression', type: 'enum', roles: SINK, values: ['none', 'gzip'], default: 'none', description: 'Compression of the record batches written.' },
  { name: 'client_id', type: 'string', default: 'weir', description: 'The client.id sent to the brokers.' },
  { name: 'security_protocol', type: 'enum', values: ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'], default: 'plaintext', description: 'How to reach the brokers.' },
  { name: 'sasl_mechanism', type: 'enum', values: ['plain', 'scram-sha-256', 'scram-sha-512'], default: 'plain', description: 'With sasl_*: the SASL mechanism.' },
  { name: 'sasl_username', type: 'string', description: 'With sasl_*: the user name.' },
  { name: 'sasl_password', type: 'string', secret: true, description: 'With sasl_*: the password (redacted in the catalog and logs).' },
  { name: 'retry_timeout', type: 'duration', default: '2 minutes', description: 'How long a batch keeps retrying while the brokers are unreachable before the query fails with KAFKA_UNAVAILABLE.' },
]

export type KafkaFormat = 'json' | 'csv' | 'text' | 'raw'
export type OnError = 'fail' | 'skip' | 'dead_letter'
export type StartupMode =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'specific_offsets'; readonly offsets: Readonly<Record<string, Readonly<Record<string, number>>>> }
  | { readonly kind: 'timestamp'; readonly timestamp: number }

export interface ClientSettings {
  readonly brokers: readonly string[]
  readonly clientId: string
  readonly ssl: boolean
  readonly sasl: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string } | null
  readonly retryTimeoutMs: number
}

export interface MetadataColumns {
  readonly key: string | null
  readonly topic: string | null
  readonly partition: string | null
  readonly offset: string | null
  readonly timestamp: string | null
  readonly headers: string | null
}

export interface SourceSettings {
  readonly client: ClientSettings
  readonly topics: readonly string[]
  readonly format: KafkaFormat
  readonly startup: StartupMode
  readonly metadata: MetadataColumns
  readonly readCommitted: boolean
  readonly onError: OnError
  readonly deadLetterTopic: string | null
  readonly fetchMaxBytes: number
}

export interface SinkSettings {
  readonly client: ClientSettings
  readonly topic: string
  readonly format: 'json' | 'csv'
  readonly keyColumns: readonly string[]
  readonly exactlyOnce: boolean
  readonly transactionalId: string | null
  readonly gzip: boolean
}

export function clientSettings(o: ConnectorOptions): ClientSettings {
  const brokers = list(o.bootstrap_servers)
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
    throw invalidOption(`option bootstrap_servers must be 'host:port' entries separated by commas, not '${o.bootstrap_servers ?? ''}'`)
  }
  const protocol = (o.security_protocol ?? 'plaintext').toLowerCase()
  let sasl: ClientSettings['sasl'] = null
  if (protocol.startsWith('sasl')) {
    if (o.sasl_username === undefined || o.sasl_password === undefined) {
      throw invalidOption(`option security_protocol '${protocol}' needs sasl_username and sasl_password`)
    }
    sasl = { mechanism: (o.sasl_mechanism ?? 'plain').toLowerCase() as 'plain', username: o.sasl_username, password: o.sasl_password }
  }
  const retry = parseDurationMs(o.retry_timeout ?? '2 minutes')
  if (retry === null) throw invalidOption(`option retry_timeout must be a duration such as '30s' or '2 minutes', not '${o.retry_timeout}'`)
  return { brokers, clientId: o.client_id ?? 'weir', ssl: protocol.endsWith('ssl'), sasl, retryTimeoutMs: retry }
}

export function sourceSettings(o: ConnectorOptions): SourceSettings {
  const topics = o.topics !== undefined ? list(o.topics) : o.topic !== undefined ? [o.topic.trim()] : []
  if (o.topic !== undefined && o.topics !== undefined) throw invalidOption('give option topic or option topics, not both')
  if (topics.length === 0 || topics.some((t) => t === '')) throw invalidOption('a kafka stream needs the option topic (or topics = \'a,b\')')
  const onError = (o.on_error ?? 'fail').toLowerCase() as OnError
  const deadLetterTopic = o.dead_letter_topic?.trim() || null
  if (onError === 'dead_letter' && deadLetterTopic === null) throw invalidOption("option on_error = 'dead_letter' needs the option dead_letter_topic")
  if (deadLetterTopic !== null && topics.includes(deadLetterTopic)) throw invalidOption('option dead_letter_topic must not be a topic the stream reads')
  const col = (name: string): string | null => o[name]?.trim().toLowerCase() || null
  return {
    client: clientSettings(o),
    topics,
    format: (o.format ?? 'json').toLowerCase() as KafkaFormat,
    startup: startupMode(o),
    metadata: {
      key: col('key_column'), topic: col('topic_column'), partition: col('partition_column'), offset: col('offset_column'),
      timestamp: col('timestamp_column'), headers: col('headers_column'),
    },
    readCommitted: (o.isolation_level ?? 'read_committed').toLowerCase() === 'read_committed',
    onError,
    deadLetterTopic,
    fetchMaxBytes: Number(o.fetch_max_bytes ?? 4 * 1024 * 1024),
  }
}

export function sinkSettings(o: ConnectorOptions): SinkSettings {
  const topic = o.topic?.trim()
  if (!topic) throw invalidOption('a kafka sink needs the option topic')
  const format = (o.format ?? 'json').toLowerCase()
  if (format !== 'json' && format !== 'csv') throw invalidOption(`option format of a kafka sink must be 'json' or 'csv', not '${format}'`)
  return {
    client: clientSettings(o),
    topic,
    format,
    keyColumns: list(o.key_columns).map((c) => c.toLowerCase()),
    exactlyOnce: (o.delivery ?? 'exactly_once').toLowerCase() === 'exactly_once',
    transactionalId: o.transactional_id?.trim() || null,
    gzip: (o.compression ?? 'none').toLowerCase() === 'gzip',
  }
}

function startupMode(o: ConnectorOptions): StartupMode {
  const mode = (o.startup_mode ?? 'earliest').toLowerCase()
  switch (mode) {
    case 'earliest':
    case 'latest':
      return { kind: mode }
    case 'specific_offsets': {
      const text = o.startup_offsets
      if (text === undefined) throw invalidOption("option startup_mode = 'specific_offsets' needs the option startup_offsets")
      return { kind: 'specific_offsets', offsets: parseOffsetsOption(text) }
    }
    case 'timestamp': {
      const text = o.startup_timestamp?.trim() ?? ''
      const ms = /^\d+$/.test(text) ? Number(text) : parseTimestamp(text)
      if (ms === null) throw invalidOption(`option startup_timestamp must be ISO-8601 or epoch milliseconds, not '${text}'`)
      return { kind: 'timestamp', timestamp: ms }
    }
    default:
      throw invalidOption(`option startup_mode of a kafka stream must be earliest, latest, specific_offsets or timestamp, not '${mode}'`)
  }
}

function parseOffsetsOption(text: string): Record<string, Record<string, number>> {
  const bad = (): never => {
    throw invalidOption(`option startup_offsets must be JSON like {"topic": {"0": 5}} with whole numbers (-2 earliest, -1 latest), not '${text}'`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return bad()
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return bad()
  const out: Record<string, Record<string, number>> = {}
  for (const [topic, parts] of Object.entries(parsed)) {
    if (typeof parts !== 'object' || parts === null || Array.isArray(parts)) return bad()
    out[topic] = {}
    for (const [p, off] of Object.entries(parts as Record<string, unknown>)) {
      if (!/^\d+$/.test(p) || typeof off !== 'number' || !Number.isSafeInteger(off) || off < -2) return bad()
      out[topic][p] = off
    }
  }
  return out
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, millisecond: 1, milliseconds: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
}

/** '30s', '2 minutes', '1 minute 30 seconds' → ms; null when not a duration. */
export function parseDurationMs(text: string): number | null {
  const parts = [...text.trim().toLowerCase().matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('').replace(/\s/g, '') !== text.toLowerCase().replace(/\s/g, '')) return null
  let ms = 0
  for (const p of parts) {
    const unit = UNIT_MS[p[2]!]
    if (unit === undefined) return null
    ms += Number(p[1]) * unit
  }
  return ms
}
