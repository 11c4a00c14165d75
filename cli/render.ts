/**
 * Result rendering: psql-style aligned tables and expanded records for people, CSV and JSON
 * lines for programs. Rows are arrays in column order, as on the wire (SPEC §3).
 *
 * NULL shows as a dimmed `NULL` when colour is on and as `∅` otherwise, so that it never looks
 * like the string 'NULL'. In CSV a NULL is an empty unquoted field and an empty string is `""`
 * (PostgreSQL's COPY convention); in JSON it is `null`.
 */
import type { Value } from '../runtime/types.ts'
import { displayWidth, pad, sanitize, truncate } from './display-width.ts'

export interface Column {
  readonly name: string
  readonly type: string
}

export type Row = readonly Value[]

export interface RenderOptions {
  /** Terminal width in cells; null for no limit (output to a file or pipe). */
  readonly width: number | null
  /** ANSI colours (dimmed NULLs, bold changed rows). */
  readonly color: boolean
  /** Rows drawn in bold (rows that changed in the latest batch). */
  readonly emphasize?: (rowIndex: number) => boolean
}

export type Format = 'table' | 'json' | 'csv'

const NUMERIC = new Set(['INT', 'BIGINT', 'DOUBLE', 'DECIMAL', 'INTEGER', 'FLOAT', 'REAL'])
const DIM = '\x1b[2m'
const BOLD = '\x1b[1m'
const RESET = '\x1b[0m'

interface Cell {
  readonly text: string
  readonly isNull: boolean
}

/** A value as text for a table cell (control characters made visible). */
export function valueText(v: Value): string {
  if (v === null) return 'NULL'
  if (typeof v === 'string') return sanitize(v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return sanitize(JSON.stringify(v))
}

function cell(v: Value, color: boolean): Cell {
  if (v === null) return { text: color ? 'NULL' : '∅', isNull: true }
  return { text: valueText(v), isNull: false }
}

function paint(c: Cell, text: string, color: boolean, bold: boolean): string {
  if (!color) return text
  if (c.isNull) return `${DIM}${text}${RESET}${bold ? BOLD : ''}`
  return text
}

/**
 * Column widths that fit `available` cells: narrow columns keep their natural width and the
 * widest ones are cut to a common cap (never below 4 cells, or their natural width if smaller).
 */
export function fitWidths(natural: readonly number[], available: number | null): number[] {
  const total = natural.reduce((a, b) => a + b, 0)
  if (available === null || total <= available) return [...natural]
  const floor = natural.map((w) => Math.min(w, 4))
  const sized = (cap: number): number[] => natural.map((w, i) => Math.max(floor[i]!, Math.min(w, cap)))
  const sum = (ws: number[]): number => ws.reduce((a, b) => a + b, 0)
  let lo = 0
  let hi = Math.max(...natural)
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (sum(sized(mid)) <= available) lo = mid
    else hi = mid - 1
  }
  return sized(lo)
}

/** Column widths and alignment of a table, fixed once computed (the append-mode view keeps them). */
export interface TableLayout {
  readonly columns: readonly Column[]
  readonly widths: readonly number[]
  readonly right: readonly boolean[]
}

/** Lays out a table for its header and these rows, fitted to `width` (null: natural widths). */
export function layoutTable(columns: readonly Column[], rows: readonly Row[], width: number | null, color: boolean): TableLayout {
  const natural = columns.map((c, i) =>
    Math.max(displayWidth(sanitize(c.name)), ...rows.map((r) => displayWidth(cell(r[i] ?? null, color).text))))
  const frame = 3 * (columns.length - 1) + 2
  const widths = fitWidths(natural, width === null ? null : width - frame)
  return { columns, widths, right: columns.map((c) => NUMERIC.has(c.type.toUpperCase())) }
}

/** The header and rule lines of a laid-out table. */
export function renderHeader(layout: TableLayout): string[] {
  const { columns, widths } = layout
  const header = columns.map((c, i) => pad(truncate(sanitize(c.name), widths[i]!), widths[i]!, 'center'))
  return [` ${header.join(' | ')} `.trimEnd(), widths.map((w) => '-'.repeat(w + 2)).join('+')]
}

/** One row of a laid-out table; cells wider than their column end in `…`. */
export function renderRow(layout: TableLayout, row: Row, color: boolean, bold = false): string {
  const parts = layout.columns.map((_, i) => {
    const c = cell(row[i] ?? null, color)
    const w = layout.widths[i]!
    return paint(c, pad(truncate(c.text, w), w, layout.right[i] ? 'right' : 'left'), color, bold && color)
  })
  const line = ` ${parts.join(' | ')} `.trimEnd()
  return bold && color ? `${BOLD}${line}${RESET}` : line
}

/** Lines of a psql-style table: header, rule, rows (no footer). */
export function renderTable(columns: readonly Column[], rows: readonly Row[], opts: RenderOptions): string[] {
  if (columns.length === 0) return []
  const layout = layoutTable(columns, rows, opts.width, opts.color)
  return [...renderHeader(layout), ...rows.map((r, i) => renderRow(layout, r, opts.color, opts.emphasize?.(i) ?? false))]
}

/** psql's footer: `(1 row)`, `(3 rows)`. */
export function rowsFooter(n: number): string {
  return `(${n} ${n === 1 ? 'row' : 'rows'})`
}

/** Lines of expanded display (`\x`): one block per row, `-[ RECORD n ]-`. */
export function renderExpanded(columns: readonly Column[], rows: readonly Row[], opts: RenderOptions, firstRecord = 1): string[] {
  const keyWidth = Math.max(0, ...columns.map((c) => displayWidth(sanitize(c.name))))
  const cells = rows.map((r) => columns.map((_, i) => cell(r[i] ?? null, opts.color)))
  const natural = Math.max(1, ...cells.flatMap((r) => r.map((c) => displayWidth(c.text))))
  const valueWidth = opts.width === null ? natural : Math.max(4, Math.min(natural, opts.width - keyWidth - 3))
  const lines: string[] = []
  cells.forEach((r, ri) => {
    const title = `-[ RECORD ${ri + firstRecord} ]`
    lines.push(title + '-'.repeat(Math.max(1, keyWidth + 3 + valueWidth - title.length)))
    r.forEach((c, i) => {
      const key = pad(truncate(sanitize(columns[i]!.name), keyWidth), keyWidth, 'left')
      lines.push(`${key} | ${paint(c, truncate(c.text, valueWidth), opts.color, false)}`.trimEnd())
    })
  })
  return lines
}

/** One CSV field: quoted when needed; NULL is an empty unquoted field, '' is `""`. */
export function csvField(v: Value): string {
  if (v === null) return ''
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return s === '' || /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s
}

export function csvLine(values: readonly Value[]): string {
  return values.map(csvField).join(',')
}

/** A row as a JSON object keyed by column name (SPEC §2's row shape). */
export function rowObject(columns: readonly Column[], row: Row): Record<string, Value> {
  const o: Record<string, Value> = {}
  columns.forEach((c, i) => {
    o[c.name] = row[i] ?? null
  })
  return o
}

/** Lines of a finished result (a pull query, SHOW, DESCRIBE) in a format; no trailing newline. */
export function renderRows(format: Format, columns: readonly Column[], rows: readonly Row[], opts: RenderOptions & { expanded: boolean }): string[] {
  switch (format) {
    case 'json':
      return rows.map((r) => JSON.stringify(rowObject(columns, r)))
    case 'csv':
      return [csvLine(columns.map((c) => c.name)), ...rows.map((r) => csvLine(r))]
    case 'table':
      if (opts.expanded) return [...(rows.length === 0 ? ['(0 rows)'] : renderExpanded(columns, rows, opts))]
      return [...renderTable(columns, rows, opts), rowsFooter(rows.length)]
  }
}
