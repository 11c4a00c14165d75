/**
 * Static-table providers for stream-static joins: embedded tables (rows written with INSERT, kept
 * by the durable state) and tables of connectors that declare a `table` loader (files, later).
 * A version is the content's hash, so reloading an unchanged table changes nothing and a re-run
 * batch can tell whether it still sees the version it logged.
 */
import type { OptionSpec } from '../connectors/connector.ts'
import { connector } from '../connectors/registry.ts'
import { parseDuration } from '../runtime/duration.ts'
import { WeirError } from '../runtime/errors.ts'
import { graphNodes } from '../runtime/micro-batch-executor.ts'
import type { QueryGraph } from '../runtime/graph.ts'
import { StaticTable, type StaticTableProvider, type StaticTableSnapshot } from '../runtime/static-table.ts'
import type { Row } from '../runtime/types.ts'
import type { Engine, Session } from './engine.ts'

/** Options every table accepts, whatever its connector. */
export const TABLE_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'refresh_interval', type: 'duration',
    description: 'Reload the table this often while a query joins with it (the new version applies from the next batch); the session option of the same name overrides it. Default: loaded once when the query starts.',
  },
]

/** The static tables a graph joins with, loaded lazily by the executor. */
export function staticTablesFor(engine: Engine, graph: QueryGraph, session: Session): Map<string, StaticTable> {
  const out = new Map<string, StaticTable>()
  for (const node of graphNodes(graph.root)) {
    if (node.kind !== 'static-table' || out.has(node.table)) continue
    const rel = engine.durable.relations.get(node.table)
    if (!rel) throw new WeirError('UNKNOWN_RELATION', `table "${node.table}" does not exist`)
    const text = session.refresh_interval ?? rel.options.refresh_interval
    const ms = text === undefined ? null : parseDuration(text)
    if (ms !== null && ms <= 0 || (text !== undefined && ms === null)) {
      throw new WeirError('INVALID_OPTION', `refresh_interval must be a positive duration such as '1 minute', not '${text}'`)
    }
    out.set(node.table, new StaticTable(node.table, providerFor(engine, node.table), ms))
  }
  return out
}

function providerFor(engine: Engine, table: string): StaticTableProvider {
  const rel = engine.durable.relations.get(table)!
  const name = rel.options.connector
  if (name === undefined) return new EmbeddedTableProvider(table, () => engine.durable.tableRows(table))
  const loader = connector(name)?.table
  if (!loader) throw new WeirError('INVALID_OPTION', `table ${table} has connector '${name}', which cannot load static tables on this server`)
  return new LoadedTableProvider(`${name} table ${table}`, async () => loader.load({ table, fields: rel.fields, options: rel.options }, engine.connectorEnv()))
}

/** An embedded table: its current rows, hashed again only when the durable state replaced them. */
export class EmbeddedTableProvider implements StaticTableProvider {
  readonly description: string
  private last: { source: readonly Row[]; snapshot: StaticTableSnapshot } | null = null

  constructor(table: string, private readonly rows: () => readonly Row[]) {
    this.description = `embedded table ${table}`
  }

  async load(): Promise<StaticTableSnapshot> {
    const source = this.rows()
    if (this.last?.source !== source) this.last = { source, snapshot: { version: contentVersion(source), rows: [...source] } }
    return this.last.snapshot
  }

  async loadVersion(version: string): Promise<StaticTableSnapshot | null> {
    const s = await this.load()
    return s.version === version ? s : null
  }
}

/** A connector's table: loaded in full each time, versioned by content. */
class LoadedTableProvider implements StaticTableProvider {
  constructor(readonly description: string, private readonly loadRows: () => Promise<Row[]>) {}

  async load(): Promise<StaticTableSnapshot> {
    const rows = await this.loadRows()
    return { version: contentVersion(rows), rows }
  }

  async loadVersion(version: string): Promise<StaticTableSnapshot | null> {
    const s = await this.load()
    return s.version === version ? s : null
  }
}

/** `<rows>-<FNV-1a of the rows' JSON>`: equal contents, equal version. */
export function contentVersion(rows: readonly Row[]): string {
  let h = 0x811c9dc5
  for (const row of rows) {
    const text = JSON.stringify(row)
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i)
      h = Math.imul(h, 0x01000193)
    }
    h ^= 10
    h = Math.imul(h, 0x01000193)
  }
  return `${rows.length}-${(h >>> 0).toString(16).padStart(8, '0')}`
}
