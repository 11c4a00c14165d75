/**
 * Values on the wire: rows are arrays in column order; TIMESTAMP values (epoch ms inside) are
 * ISO-8601 strings with `Z`. Everything else is already plain JSON.
 */
import { formatTimestamp, type Field, type Row, type Value } from '../../runtime/types.ts'
import type { StatementResult } from '../engine-api.ts'

/** Converts rows of a schema for the wire; returns the same rows when no column needs it. */
export type RowEncoder = (row: Row) => Row

export function rowEncoder(fields: readonly Field[]): RowEncoder {
  const ts: number[] = []
  fields.forEach((f, i) => {
    if (f.type === 'TIMESTAMP') ts.push(i)
  })
  if (ts.length === 0) return (row) => row
  return (row) => {
    const out = row.slice()
    for (const i of ts) out[i] = wireTimestamp(out[i] ?? null)
    return out
  }
}

export function wireTimestamp(v: Value): Value {
  return typeof v === 'number' ? formatTimestamp(v) : v
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : formatTimestamp(ms)
}

export const resultsUrl = (queryId: string): string => `/v1/queries/${encodeURIComponent(queryId)}/results`

/** A statement result as `POST /v1/sql` answers it. */
export function wireResult(r: StatementResult): Record<string, unknown> {
  switch (r.kind) {
    case 'rows': {
      const enc = rowEncoder(r.columns)
      return { ...r, rows: r.rows.map(enc) }
    }
    case 'query':
      return { ...r, resultsUrl: resultsUrl(r.queryId) }
    case 'ok':
    case 'insert':
    case 'explain':
      return { ...r }
  }
}
