/**
 * A stream joined with a static table (INNER, or OUTER preserving the stream): stateless.
 *
 * The static input arrives every batch as the complete table (`snapshot`), the same array for
 * as long as its version does not change; it is indexed on its keys only when the array changes.
 * Stream rows are buffered until `finish` (the static input of the batch may come after them)
 * and then each is joined at once; an unmatched stream row of an outer join is emitted with NULLs
 * for the table's columns. Duplicate keys on the static side give one output row per match, in
 * table order; rows whose key has a NULL match nothing.
 *
 * The index is a `JoinKeyIndex` from key to a group number, over the table's rows grouped by key
 * in one flat array (`grouped[starts[g]] … grouped[starts[g + 1] - 1]`): an integer key is found
 * with a few typed-array reads, and the usual dimension table (every key once) is joined by a
 * loop with no inner loop at all.
 */
import type { JoinNode } from '../graph.ts'
import { internalError } from '../errors.ts'
import { compilePairPredicate, type PairPredicate } from '../expr/compile.ts'
import { EMPTY_BATCH, type ChangeBatch, type Row } from '../types.ts'
import type { LookupKey } from './group-keys.ts'
import { JoinKeyIndex } from './join-key-index.ts'
import { joinKeyFn, nulls, probeKeyFn, rowBuilder, type JoinKeyFn, type ProbeKeyFn, type RowBuilder } from './join-keys.ts'
import { Operator, type BatchContext } from './operator.ts'

export class StreamStaticJoin extends Operator {
  readonly name = 'StreamStaticJoin'
  /** 0: the static table is the left input (static-stream); 1: it is the right input. */
  private readonly staticSide: 0 | 1
  private readonly streamKey: ProbeKeyFn
  /** The stream key's column when it is one plain non-JSON column, else -1. */
  private readonly streamKeyColumn: number
  private readonly staticKey: JoinKeyFn
  /** Over (left row, right row) as the query has them, whichever input is the stream. */
  private readonly condition: PairPredicate | null
  /** Emit unmatched stream rows with NULLs. */
  private readonly outer: boolean
  private readonly staticWidth: number
  /** The output row of a (stream row, static row) pair, whichever side of the query the stream is on. */
  private readonly output: RowBuilder
  private index = new JoinKeyIndex()
  /** The table's rows with a non-NULL key, grouped by key (table order within a group). */
  private grouped: Row[] = []
  /** Where each key group starts in `grouped` (one more entry: the end); null when every key is unique (group g is `grouped[g]`). */
  private starts: Int32Array | null = null
  private tableRows: readonly Row[] | null = null
  private pending: Row[][] = []

  constructor(node: JoinNode) {
    super()
    this.staticSide = node.inputs === 'static-stream' ? 0 : 1
    const streamLeft = this.staticSide === 1
    const [streamKeys, staticKeys] = streamLeft ? [node.leftKeys, node.rightKeys] : [node.rightKeys, node.leftKeys]
    this.streamKey = probeKeyFn(streamKeys)
    const only = streamKeys[0]
    this.streamKeyColumn = streamKeys.length === 1 && only?.kind === 'column' && only.type !== 'JSON' ? only.index : -1
    this.staticKey = joinKeyFn(staticKeys)
    const leftWidth = node.left.schema.fields.length
    this.condition = node.condition ? compilePairPredicate(node.condition, leftWidth) : null
    this.outer = streamLeft ? node.joinType === 'left' : node.joinType === 'right'
    const streamWidth = (streamLeft ? node.left : node.right).schema.fields.length
    this.staticWidth = (streamLeft ? node.right : node.left).schema.fields.length
    if (streamLeft) {
      this.output = rowBuilder(leftWidth, node.output)
    } else {
      // The query's (static ++ stream) positions renumbered as (stream ++ static), so the
      // builder takes the stream row first either way.
      const all = node.output ?? Array.from({ length: leftWidth + streamWidth }, (_, i) => i)
      this.output = rowBuilder(streamWidth, all.map((i) => (i < leftWidth ? streamWidth + i : i - leftWidth)))
    }
  }

  override process(input: ChangeBatch, side: number, _ctx: BatchContext): ChangeBatch {
    if (input.ops !== null) throw internalError(`${this.name} accepts only append-only (insert) input`)
    if (side === this.staticSide) {
      if (input.rows !== this.tableRows) this.build(input.rows)
    } else if (input.rows.length > 0) {
      this.pending.push(input.rows)
    }
    return EMPTY_BATCH
  }

  override finish(_ctx: BatchContext): ChangeBatch {
    const out: Row[] = []
    for (const rows of this.pending) {
      if (this.starts === null && this.condition === null) this.joinUnique(rows, out)
      else this.join(rows, out)
    }
    this.pending = []
    return out.length === 0 ? EMPTY_BATCH : { rows: out, ops: null }
  }

  /** Indexes the table: numbers its distinct keys in order of appearance, then groups its rows by key (a counting sort). */
  private build(rows: readonly Row[]): void {
    const index = new JoinKeyIndex()
    const key = this.staticKey
    const groupOf = new Int32Array(rows.length)
    const counts: number[] = []
    for (let i = 0; i < rows.length; i++) {
      const k = key(rows[i]!)
      if (k === undefined) {
        groupOf[i] = -1
        continue
      }
      let g = index.get(k)
      if (g < 0) {
        g = counts.length
        index.set(k, g)
        counts.push(0)
      }
      counts[g]!++
      groupOf[i] = g
    }
    const groups = counts.length
    const starts = new Int32Array(groups + 1)
    for (let g = 0; g < groups; g++) starts[g + 1] = starts[g]! + counts[g]!
    const total = starts[groups]!
    const grouped: Row[] = []
    if (total === groups) {
      // Every key once: the groups are the rows in table order.
      for (let i = 0; i < rows.length; i++) if (groupOf[i]! >= 0) grouped.push(rows[i]!)
    } else {
      const next = starts.slice(0, groups)
      grouped.length = total
      for (let i = 0; i < rows.length; i++) {
        const g = groupOf[i]!
        if (g >= 0) grouped[next[g]!++] = rows[i]!
      }
    }
    this.index = index
    this.grouped = grouped
    this.starts = total === groups ? null : starts
    this.tableRows = rows
  }

  /** Every table key unique and no further condition: at most one match per stream row. */
  private joinUnique(rows: readonly Row[], out: Row[]): void {
    const { index, grouped, output } = this
    const key = this.streamKey
    const keyColumn = this.streamKeyColumn
    const padding = this.outer ? nulls(this.staticWidth) : null
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      // The common single-column key is read inline; a NULL key finds nothing.
      const k = keyColumn >= 0 ? (row[keyColumn] as LookupKey | undefined) : key(row)
      const g = k === undefined || k === null ? -1 : index.get(k)
      if (g >= 0) out.push(output(row, grouped[g]!))
      else if (padding !== null) out.push(output(row, padding))
    }
  }

  private join(rows: readonly Row[], out: Row[]): void {
    const { index, grouped, starts, condition, output } = this
    const key = this.streamKey
    const keyColumn = this.streamKeyColumn
    const streamLeft = this.staticSide === 1
    const padding = this.outer ? nulls(this.staticWidth) : null
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      const k = keyColumn >= 0 ? (row[keyColumn] as LookupKey | undefined) : key(row)
      const g = k === undefined || k === null ? -1 : index.get(k)
      let matched = false
      if (g >= 0) {
        const end = starts === null ? g + 1 : starts[g + 1]!
        for (let j = starts === null ? g : starts[g]!; j < end; j++) {
          const m = grouped[j]!
          if (condition === null || (streamLeft ? condition(row, m) : condition(m, row))) {
            out.push(output(row, m))
            matched = true
          }
        }
      }
      if (!matched && padding !== null) out.push(output(row, padding))
    }
  }
}
