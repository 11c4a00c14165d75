/**
 * The connector contract. A connector declares its options (with types, defaults and
 * descriptions — `docs/connectors.md` is generated from these declarations), and provides a
 * source, a sink and/or a static-table loader. The registry (`registry.ts`) lists every connector
 * explicitly.
 *
 * Options are validated when the stream, table or sink is created (`validateOptions`, plus the
 * connector's own `validate`), so a bad option fails `CREATE …` with INVALID_OPTION naming it,
 * not the first query that uses it.
 */
import type { Clock } from '../runtime/clock.ts'
import type { OutputMode } from '../runtime/graph.ts'
import type { Sink, DeliveryGuarantee } from '../runtime/sink.ts'
import type { Source } from '../runtime/source.ts'
import type { Field, Row, Schema } from '../runtime/types.ts'
import { WeirError } from '../runtime/errors.ts'
import type { MemorySinkData } from './memory/memory-sink.ts'

export type OptionType = 'string' | 'integer' | 'boolean' | 'duration' | 'enum'
export type ConnectorRole = 'source' | 'sink' | 'table'

export interface OptionSpec {
  readonly name: string
  readonly type: OptionType
  readonly description: string
  /** The roles the option applies to (default: every role the connector has). */
  readonly roles?: readonly ConnectorRole[]
  readonly required?: boolean
  /** The default, as text, for the docs. */
  readonly default?: string
  /** For `enum`. */
  readonly values?: readonly string[]
  /** Redacted in the catalog API, DESCRIBE and logs. */
  readonly secret?: boolean
}

/** Options with lower-case keys and text values, as written in `WITH (…)`. */
export type ConnectorOptions = Readonly<Record<string, string>>

/** What the server gives connectors. */
export interface ConnectorEnv {
  /** Directories file connectors may read and write (absolute). */
  readonly fileRoots: readonly string[]
  readonly dataDir: string | null
  readonly clock: Clock
  /** The data of a memory sink, kept by the engine across restarts; `maxRows` absent: the server's default. */
  readonly memorySink: (name: string, maxRows?: number) => MemorySinkData
  /** Worker threads for decoding source data (0: decode on the query's thread). */
  readonly decodeThreads: number
}

export interface SourceRequest {
  readonly stream: string
  readonly fields: readonly Field[]
  /** The positions of the columns the query reads (absent: all); a source may leave the others NULL. */
  readonly columns?: readonly number[]
  readonly options: ConnectorOptions
  readonly queryId: string
}

export interface SinkRequest {
  readonly sink: string
  readonly options: ConnectorOptions
  readonly queryId: string
  readonly schema: Schema
  readonly outputMode: OutputMode
}

export interface TableRequest {
  readonly table: string
  readonly fields: readonly Field[]
  readonly options: ConnectorOptions
}

export interface Connector {
  readonly name: string
  /** One line for the docs. */
  readonly description: string
  /** More for the docs (Markdown): conventions, recovery, traps. */
  readonly notes?: string
  readonly options: readonly OptionSpec[]
  readonly source?: {
    /** What a query reading this source can promise, for the docs. */
    readonly guarantee: string
    create(req: SourceRequest, env: ConnectorEnv): Promise<Source>
  }
  readonly sink?: {
    readonly guarantee: DeliveryGuarantee
    /** Output modes the sink accepts; a query in another mode is refused when it starts. */
    readonly outputModes: readonly OutputMode[]
    create(req: SinkRequest, env: ConnectorEnv): Promise<Sink>
  }
  readonly table?: {
    load(req: TableRequest, env: ConnectorEnv): Promise<Row[]>
  }
  /**
   * Checks beyond the declared options (a path inside the roots, a URL's host, the declared
   * columns a source can fill). Throws INVALID_OPTION. `fields`: the declared columns of a
   * stream or table (absent for a sink).
   */
  validate?(role: ConnectorRole, options: ConnectorOptions, env: ConnectorEnv, fields?: readonly Field[]): void
  /**
   * The columns found in the data, for `infer_schema = true` at CREATE time; the declared
   * columns are kept and the inferred ones that are not declared are added after them.
   */
  inferFields?(role: ConnectorRole, options: ConnectorOptions, env: ConnectorEnv): Promise<Field[]>
}

/** Options every stream accepts, whatever its connector. */
export const STREAM_OPTIONS: readonly OptionSpec[] = [
  { name: 'startup_mode', type: 'enum', values: ['earliest', 'latest'], default: 'earliest', description: 'Where a new query starts reading: the earliest retained row or only rows that arrive after it starts.' },
  { name: 'max_rows_per_batch', type: 'integer', description: 'At most this many rows from this stream in one micro-batch (the `once` trigger ignores it).' },
]

export function invalidOption(message: string): WeirError {
  return new WeirError('INVALID_OPTION', message)
}

/** Checks `options` (without `connector`) against the connector's declarations for `role`. */
export function validateOptions(connector: Connector, role: ConnectorRole, options: ConnectorOptions, extra: readonly OptionSpec[] = []): void {
  const own = connector.options.filter((o) => o.roles === undefined || o.roles.includes(role))
  // A connector may redeclare a shared option to widen it (Kafka's startup_mode takes more values).
  const specs = [...own, ...extra.filter((e) => !own.some((o) => o.name === e.name))]
  const byName = new Map(specs.map((s) => [s.name, s]))
  for (const [key, value] of Object.entries(options)) {
    if (key === 'connector') continue
    const spec = byName.get(key)
    if (!spec) {
      const known = specs.map((s) => s.name).join(', ') || 'none'
      throw invalidOption(`unknown option "${key}" for a ${connector.name} ${role}; known: ${known}`)
    }
    checkValue(spec, value, connector.name)
  }
  for (const spec of specs) {
    if (spec.required && options[spec.name] === undefined) {
      throw invalidOption(`a ${connector.name} ${role} needs the option ${spec.name}: ${spec.description}`)
    }
  }
}

function checkValue(spec: OptionSpec, value: string, connector: string): void {
  const bad = (want: string): never => {
    throw invalidOption(`option ${spec.name} of a ${connector} connector must be ${want}, not '${value}'`)
  }
  switch (spec.type) {
    case 'string':
      if (spec.required && value.trim() === '') bad('non-empty')
      return
    case 'integer':
      if (!/^\d+$/.test(value) || Number(value) <= 0) bad('a positive whole number')
      return
    case 'boolean':
      if (!['true', 'false'].includes(value.toLowerCase())) bad("'true' or 'false'")
      return
    case 'duration':
      if (!/^\s*\d+(\.\d+)?\s*[a-z]+(\s+\d+(\.\d+)?\s*[a-z]+)*\s*$/i.test(value)) bad("a duration such as '10s' or '5 minutes'")
      return
    case 'enum':
      if (!(spec.values ?? []).includes(value.toLowerCase())) bad(`one of ${(spec.values ?? []).map((v) => `'${v}'`).join(', ')}`)
      return
  }
}

/** The option names that hold secrets, for redaction. */
export function secretOptions(connector: Connector | undefined): ReadonlySet<string> {
  return new Set((connector?.options ?? []).filter((o) => o.secret).map((o) => o.name))
}
