/**
 * The small query language the differential test generates, and its rendering as Weir SQL and
 * as DuckDB SQL over the same rows.
 *
 * The two dialects differ only where DuckDB would give another answer for the same text:
 * - DuckDB reads `1.5` as DECIMAL; we write DOUBLE literals as `CAST(1.5 AS DOUBLE)`.
 * - DuckDB holds event time as BIGINT epoch milliseconds (Weir's TIMESTAMP value in rows), so
 *   windows are integer arithmetic on `ts`, and rows of the DuckDB table carry the watermark in
 *   force for their batch (`wm`) so that late (row, window) pairs can be filtered in SQL.
 * Everything else (NULL logic, LIKE, CASE, COALESCE, string functions) is spelled the same; the
 * generator stays inside the subset where PostgreSQL, Spark and DuckDB agree (no integer
 * division, no division by zero, SUBSTRING from 1, LIKE without escapes, ASCII text).
 */

export type ScalarType = 'INT' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN'
export type AggFn = 'count_star' | 'count' | 'count_distinct' | 'sum' | 'min' | 'max' | 'avg'

export type QExpr =
  | { readonly kind: 'col'; readonly name: string }
  | { readonly kind: 'lit'; readonly value: number | string | boolean | null; readonly type: ScalarType }
  | { readonly kind: 'bin'; readonly op: '+' | '-' | '*' | '/' | '%' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | '||'; readonly l: QExpr; readonly r: QExpr }
  | { readonly kind: 'not'; readonly e: QExpr }
  | { readonly kind: 'is_null'; readonly e: QExpr; readonly negated: boolean }
  | { readonly kind: 'in'; readonly e: QExpr; readonly list: readonly QExpr[]; readonly negated: boolean }
  | { readonly kind: 'between'; readonly e: QExpr; readonly lo: QExpr; readonly hi: QExpr; readonly negated: boolean }
  | { readonly kind: 'like'; readonly e: QExpr; readonly pattern: string; readonly negated: boolean }
  | { readonly kind: 'case'; readonly whens: readonly { readonly when: QExpr; readonly then: QExpr }[]; readonly else: QExpr | null }
  | { readonly kind: 'fn'; readonly name: string; readonly args: readonly QExpr[] }
  | { readonly kind: 'cast'; readonly e: QExpr; readonly type: ScalarType }
  | { readonly kind: 'agg'; readonly fn: AggFn; readonly arg: QExpr | null }

export type WindowDef =
  | { readonly kind: 'tumble'; readonly sizeS: number }
  | { readonly kind: 'hop'; readonly slideS: number; readonly sizeS: number }

export type QueryShape = 'stateless' | 'aggregate' | 'window'

export interface Query {
  readonly shape: QueryShape
  readonly select: readonly QExpr[]
  readonly where: QExpr | null
  readonly window: WindowDef | null
  /** GROUP BY k (after window_start, window_end for windowed queries). */
  readonly groupByKey: boolean
  readonly having: QExpr | null
  readonly mode: 'append' | 'update' | 'complete'
  /** Weir only: `TUMBLE(TABLE events, DESCRIPTOR(ts), …)` instead of `TUMBLE(events, ts, …)`. */
  readonly descriptorSpelling: boolean
}

export type Dialect = 'weir' | 'duckdb'

function literal(value: number | string | boolean | null, type: ScalarType, d: Dialect): string {
  if (value === null) return 'NULL'
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (type === 'DOUBLE') {
    const text = Number.isInteger(value) ? value.toFixed(1) : String(value)
    const lit = d === 'duckdb' ? `CAST(${text} AS DOUBLE)` : text
    return value < 0 ? `(${lit})` : lit
  }
  return value < 0 ? `(${value})` : String(value)
}

const AGG_SQL: Readonly<Record<AggFn, string>> = {
  count_star: 'COUNT', count: 'COUNT', count_distinct: 'COUNT', sum: 'SUM', min: 'MIN', max: 'MAX', avg: 'AVG',
}

/** Renders an expression; fully parenthesised so precedence never differs between dialects. */
export function renderExpr(e: QExpr, d: Dialect): string {
  const r = (x: QExpr): string => renderExpr(x, d)
  switch (e.kind) {
    case 'col':
      return e.name
    case 'lit':
      return literal(e.value, e.type, d)
    case 'bin':
      return `(${r(e.l)} ${e.op} ${r(e.r)})`
    case 'not':
      return `(NOT ${r(e.e)})`
    case 'is_null':
      return `(${r(e.e)} IS ${e.negated ? 'NOT ' : ''}NULL)`
    case 'in':
      return `(${r(e.e)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(r).join(', ')}))`
    case 'between':
      return `(${r(e.e)} ${e.negated ? 'NOT ' : ''}BETWEEN ${r(e.lo)} AND ${r(e.hi)})`
    case 'like':
      return `(${r(e.e)} ${e.negated ? 'NOT ' : ''}LIKE ${literal(e.pattern, 'VARCHAR', d)})`
    case 'case': {
      const whens = e.whens.map((w) => ` WHEN ${r(w.when)} THEN ${r(w.then)}`).join('')
      return `(CASE${whens}${e.else === null ? '' : ` ELSE ${r(e.else)}`} END)`
    }
    case 'fn':
      // Weir's CONCAT is Spark's (NULL if any argument is NULL); DuckDB's skips NULLs, its || does not.
      if (e.name === 'concat' && d === 'duckdb') return `(${e.args.map(r).join(' || ')})`
      return `${e.name.toUpperCase()}(${e.args.map(r).join(', ')})`
    case 'cast':
      return `CAST(${r(e.e)} AS ${e.type})`
    case 'agg':
      if (e.fn === 'count_star') return 'COUNT(*)'
      return `${AGG_SQL[e.fn]}(${e.fn === 'count_distinct' ? 'DISTINCT ' : ''}${e.arg === null ? '*' : r(e.arg)})`
  }
}

const SECOND = 1000

/** The windowed rows as a DuckDB derived table with `window_start`/`window_end` (BIGINT ms). */
function duckWindowed(w: WindowDef, lateness: DuckLateness | null): string {
  let rows: string
  if (w.kind === 'tumble') {
    const size = w.sizeS * SECOND
    rows = `SELECT e.*, (e.ts // ${size}) * ${size} AS window_start, (e.ts // ${size}) * ${size} + ${size} AS window_end FROM events AS e`
  } else {
    const slide = w.slideS * SECOND
    const size = w.sizeS * SECOND
    const n = Math.ceil(size / slide)
    // Every window [start, start + size) with start on a slide boundary and start <= ts < end.
    const starts = `SELECT e.*, (e.ts // ${slide}) * ${slide} - r.i * ${slide} AS window_start FROM events AS e CROSS JOIN range(0, ${n}) AS r(i)`
    rows = `SELECT h.*, h.window_start + ${size} AS window_end FROM (${starts}) AS h WHERE h.window_start + ${size} > h.ts`
  }
  let keep = ''
  if (lateness !== null) {
    keep = ' WHERE (x.wm IS NULL OR x.window_end > x.wm)'
    if (lateness.closedOnly) keep += ` AND x.window_end <= ${lateness.finalWatermark ?? 'NULL'}`
  }
  return `(SELECT * FROM (${rows}) AS x${keep}) AS events`
}

/**
 * Append and update modes: drop late (row, window) pairs; append mode also keeps only the
 * windows closed by the final watermark.
 */
export interface DuckLateness {
  readonly closedOnly: boolean
  readonly finalWatermark: number | null
}

function windowSql(w: WindowDef, descriptor: boolean): string {
  const args = descriptor ? 'TABLE events, DESCRIPTOR(ts)' : 'events, ts'
  return w.kind === 'tumble'
    ? `TUMBLE(${args}, INTERVAL '${w.sizeS}' SECOND)`
    : `HOP(${args}, INTERVAL '${w.slideS}' SECOND, INTERVAL '${w.sizeS}' SECOND)`
}

function groupBy(q: Query): string {
  const cols = [...(q.window === null ? [] : ['window_start', 'window_end']), ...(q.groupByKey ? ['k'] : [])]
  return cols.length === 0 ? '' : ` GROUP BY ${cols.join(', ')}`
}

/** The SELECT … (no sink, no EMIT) in either dialect; output columns are named c0, c1, … */
export function renderSelect(q: Query, d: Dialect, lateness: DuckLateness | null = null): string {
  const cols = q.select.map((e, i) => `${renderExpr(e, d)} AS c${i}`).join(', ')
  let from: string
  if (q.window === null) from = 'events'
  else from = d === 'weir' ? windowSql(q.window, q.descriptorSpelling) : duckWindowed(q.window, lateness)
  const where = q.where === null ? '' : ` WHERE ${renderExpr(q.where, d)}`
  const having = q.having === null ? '' : ` HAVING ${renderExpr(q.having, d)}`
  return `SELECT ${cols} FROM ${from}${where}${groupBy(q)}${having}`
}

/** The persistent query Weir runs. */
export function renderWeirQuery(q: Query, sink: string): string {
  return `INSERT INTO ${sink} ${renderSelect(q, 'weir')} EMIT ${q.mode.toUpperCase()}`
}

/**
 * DuckDB: how many rows the engine must count as dropped by the watermark. The engine counts a
 * row once, when it passes WHERE and is late for every window it belongs to (the last window
 * containing it has end <= the watermark of its batch); see `pane-window-aggregate.ts`.
 */
export function renderDroppedCount(q: Query): string | null {
  if (q.window === null || q.mode === 'complete') return null
  // Spark expands a row into its windows before the watermark filter, so it counts one drop per
  // (row, window) pair whose window has closed: a hopping row late for 2 of 3 windows counts 2.
  const w = q.window
  const slide = (w.kind === 'tumble' ? w.sizeS : w.slideS) * SECOND
  const size = w.sizeS * SECOND
  const n = Math.ceil(size / slide)
  const where = q.where === null ? '' : ` AND ${renderExpr(q.where, 'duckdb')}`
  const starts = `SELECT e.*, (e.ts // ${slide}) * ${slide} - r.i * ${slide} AS window_start FROM events AS e CROSS JOIN range(0, ${n}) AS r(i)`
  return `SELECT COUNT(*) FROM (${starts}) AS h WHERE h.window_start + ${size} > h.ts AND h.wm IS NOT NULL AND h.window_start + ${size} <= h.wm${where}`
}
