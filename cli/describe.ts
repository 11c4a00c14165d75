/**
 * `\d`, `\d NAME` and `\queries`: the catalog and the queries as tables, from `GET /v1/catalog`
 * and `GET /v1/queries`.
 */
import { renderRows, renderTable, type Column, type Row } from './render.ts'
import type { Session, Terminal } from './terminal.ts'
import type { Catalog, CatalogRelation, WireQuery } from './weir-client.ts'

type Kind = 'stream' | 'table' | 'sink'

const SECRET = /pass|secret|token|credential|key$|sasl|auth/i

/** The catalog API redacts secrets already; this keeps the client safe with an older server. */
export function redactOption(key: string, value: string): string {
  return SECRET.test(key) && !/^\*+$|redacted/i.test(value) ? '********' : value
}

function entries(c: Catalog): { kind: Kind; rel: CatalogRelation }[] {
  return [
    ...c.streams.map((rel) => ({ kind: 'stream' as const, rel })),
    ...c.tables.map((rel) => ({ kind: 'table' as const, rel })),
    ...c.sinks.map((rel) => ({ kind: 'sink' as const, rel })),
  ]
}

const col = (name: string, type = 'VARCHAR'): Column => ({ name, type })

/** `\d`: every stream, table and sink. */
export function describeAll(c: Catalog, session: Session, term: Terminal): string[] {
  const rows: Row[] = entries(c).map(({ kind, rel }) => [
    rel.name, kind, rel.connector,
    rel.columns ? rel.columns.map((x) => x.name).join(', ') : null,
    rel.watermark ? `${rel.watermark.column} - ${rel.watermark.delay}` : null,
  ])
  if (rows.length === 0) return ['No streams, tables or sinks yet. Create one with CREATE STREAM, CREATE TABLE or CREATE SINK.']
  const columns = [col('name'), col('kind'), col('connector'), col('columns'), col('watermark')]
  return renderRows(session.format, columns, rows, { width: term.width(), color: term.color, expanded: session.expanded })
}

/** The queries that read or write a relation: its name appears in their SQL, or it is their sink. */
export function queriesUsing(name: string, queries: readonly WireQuery[]): WireQuery[] {
  const word = new RegExp(`(^|[^\\w"])"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?($|[^\\w"])`, 'i')
  return queries.filter((q) => q.sink?.toLowerCase() === name.toLowerCase() || word.test(q.sql))
}

/** `\d NAME`: schema, options (secrets redacted), watermark, and the queries using it. Null when unknown. */
export function describeOne(name: string, c: Catalog, queries: readonly WireQuery[], term: Terminal): string[] | null {
  const bare = name.replace(/^"(.*)"$/, '$1')
  const found = entries(c).find(({ rel }) => rel.name === bare) ?? entries(c).find(({ rel }) => rel.name.toLowerCase() === bare.toLowerCase())
  if (!found) return null
  const { kind, rel } = found
  const opts = { width: term.width(), color: term.color }
  const out = [`${kind[0]!.toUpperCase()}${kind.slice(1)} "${rel.name}" (connector ${rel.connector})`]
  if (rel.columns && rel.columns.length > 0) {
    const pk = new Set(rel.primaryKey ?? [])
    const rows: Row[] = rel.columns.map((x) => [
      x.name, x.type, pk.has(x.name) ? 'PRIMARY KEY' : null,
      rel.watermark?.column === x.name ? `WATERMARK ${x.name} - ${rel.watermark.delay}` : null,
    ])
    out.push(...renderTable([col('column'), col('type'), col('key'), col('watermark')], rows, opts))
  } else if (kind === 'sink') {
    out.push('Columns: set by the first query that writes to it')
  }
  if (rel.watermark) out.push(`Watermark: ${rel.watermark.column} - ${rel.watermark.delay}`)
  const options = Object.entries(rel.options ?? {})
  if (options.length > 0) {
    out.push('Options:')
    for (const [k, v] of options) out.push(`    ${k} = '${redactOption(k, String(v))}'`)
  }
  if (rel.latestOffset !== undefined) out.push(`Latest offset: ${rel.latestOffset}`)
  if (rel.rows !== undefined) out.push(`Rows: ${rel.rows}`)
  const using = queriesUsing(rel.name, queries)
  if (using.length === 0) out.push('Queries: none')
  else {
    out.push('Queries:')
    for (const q of using) out.push(`    ${q.id}${q.name ? ` (${q.name})` : ''}  ${q.status}  ${q.outputMode}  ${oneLine(q.sql)}`)
  }
  return out
}

/** `\queries`: every query with its status and latest progress. */
export function listQueries(queries: readonly WireQuery[], session: Session, term: Terminal): string[] {
  if (queries.length === 0) return ['No queries.']
  const columns = [
    col('id'), col('name'), col('status'), col('mode'), col('trigger'), col('sink'), col('batch', 'BIGINT'),
    col('rows/s', 'DOUBLE'), col('watermark'), col('sql'),
  ]
  const rows: Row[] = queries.map((q) => {
    const p = progressOf(q.lastProgress)
    return [
      q.id, q.name, q.status === 'failed' && q.error ? `failed: ${q.error.code}` : q.status, q.outputMode, q.trigger,
      q.push ? '(push)' : q.sink, p.batchId, p.rate, p.watermark, oneLine(q.sql),
    ]
  })
  return renderRows(session.format, columns, rows, { width: term.width(), color: term.color, expanded: session.expanded })
}

function progressOf(p: unknown): { batchId: number | null; rate: number | null; watermark: string | null } {
  if (typeof p !== 'object' || p === null) return { batchId: null, rate: null, watermark: null }
  const r = p as { batchId?: unknown; processedRowsPerSecond?: unknown; eventTime?: { watermark?: unknown } }
  return {
    batchId: typeof r.batchId === 'number' ? r.batchId : null,
    rate: typeof r.processedRowsPerSecond === 'number' ? Math.round(r.processedRowsPerSecond * 10) / 10 : null,
    watermark: typeof r.eventTime?.watermark === 'string' ? r.eventTime.watermark : null,
  }
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim()
}
