/** SHOW, DESCRIBE and STOP QUERY. */
import type { Describe, Pos, Show } from '../../planner/ast.ts'
import { sqlError } from '../../runtime/errors.ts'
import { formatDuration } from '../../runtime/duration.ts'
import type { Field, Row } from '../../runtime/types.ts'
import type { Engine } from '../engine.ts'
import type { StatementResult } from '../engine-api.ts'
import { redactOptions } from '../redact.ts'

const text = (name: string): Field => ({ name, type: 'VARCHAR' })

export function show(engine: Engine, s: Show): StatementResult {
  const d = engine.durable
  switch (s.what) {
    case 'streams':
    case 'tables': {
      const kind = s.what === 'streams' ? 'stream' : 'table'
      const rows: Row[] = [...d.relations.values()].filter((r) => r.kind === kind).map((r) => [
        r.name, r.options.connector ?? 'embedded', r.fields.map((f) => `${f.name} ${f.type}`).join(', '),
        r.watermark ? `${r.watermark.column} - ${formatDuration(r.watermark.delayMs)}` : null,
      ])
      return { kind: 'rows', statement: `SHOW ${s.what.toUpperCase()}`, columns: [text('name'), text('connector'), text('columns'), text('watermark')], rows }
    }
    case 'sinks': {
      const rows: Row[] = [...d.sinks.values()].map((k) => [k.name, k.connector, JSON.stringify(redactOptions(k.options))])
      return { kind: 'rows', statement: 'SHOW SINKS', columns: [text('name'), text('connector'), text('options')], rows }
    }
    case 'queries': {
      const rows: Row[] = engine.listQueries().map((q) => [q.id, q.name, q.status, q.outputMode, q.sink ?? '(push)', q.sql])
      return { kind: 'rows', statement: 'SHOW QUERIES', columns: [text('id'), text('name'), text('status'), text('output_mode'), text('sink'), text('sql')], rows }
    }
  }
}

export function describe(engine: Engine, s: Describe): StatementResult {
  const rel = engine.durable.relations.get(s.name)
  if (rel) {
    const rows: Row[] = rel.fields.map((f) => [
      f.name, f.type,
      rel.watermark?.column === f.name ? `WATERMARK ${f.name} - ${formatDuration(rel.watermark.delayMs)}` : null,
      rel.primaryKey.includes(f.name) ? 'PRIMARY KEY' : null,
    ])
    return { kind: 'rows', statement: 'DESCRIBE', columns: [text('column'), text('type'), text('watermark'), text('key')], rows }
  }
  const sink = engine.durable.sinks.get(s.name)
  if (sink) {
    const cols = engine.sinkColumns(s.name) ?? []
    const rows: Row[] = cols.map((f) => [f.name, f.type, null, null])
    return {
      kind: 'rows', statement: 'DESCRIBE', columns: [text('column'), text('type'), text('watermark'), text('key')], rows,
      note: `${sink.connector} sink, options ${JSON.stringify(redactOptions(sink.options))}`,
    }
  }
  throw sqlError('UNKNOWN_RELATION', `no stream, table or sink named "${s.name}"`, s.pos)
}

export async function stopQuery(engine: Engine, id: string, pos: Pos): Promise<StatementResult> {
  const q = engine.query(id)
  if (!q) throw sqlError('UNKNOWN_QUERY', `query "${id}" does not exist`, pos)
  await q.stop('stopped')
  return { kind: 'ok', statement: 'STOP QUERY', message: `stopped query ${q.id}` }
}
