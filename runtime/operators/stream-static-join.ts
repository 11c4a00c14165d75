/**
 * A stream joined with a static table (INNER, or OUTER preserving the stream): stateless.
 *
 * The static input arrives every batch as the complete table (`snapshot`), the same array for
 * as long as its version does not change; it is hashed on its keys only when the array changes.
 * Stream rows are buffered until `finish` (the static input of the batch may come after them)
 * and then each is joined at once; an unmatched stream row of an outer join is emitted with NULLs
 * for the table's columns. Duplicate keys on the static side give one output row per match;
 * rows whose key has a NULL match nothing.
 */
import type { JoinNode } from '../graph.ts'
import { internalError } from '../errors.ts'
import { compilePredicate, type RowPredicate } from '../expr/compile.ts'
import { EMPTY_BATCH, type ChangeBatch, type Row } from '../types.ts'
import type { LookupKey } from './group-keys.ts'
import { combine, joinKeyFn, nulls, pick, rowBuilder, type JoinKeyFn, type RowBuilder } from './join-keys.ts'
import { Operator, type BatchContext } from './operator.ts'

export class StreamStaticJoin extends Operator {
  readonly name = 'StreamStaticJoin'
  /** 0: the static table is the left input (static-stream); 1: it is the right input. */
  private readonly staticSide: 0 | 1
  private readonly streamKey: JoinKeyFn
  /** The stream key's column when it is one plain non-JSON column, else -1. */
  private readonly streamKeyColumn: number
  private readonly staticKey: JoinKeyFn
  private readonly condition: RowPredicate | null
  /** Emit unmatched stream rows with NULLs. */
  private readonly outer: boolean
  private readonly staticWidth: number
  /** The output row of a (left, right) pair without a condition to check. */
  private readonly output: RowBuilder
  /** With a condition: the output row from the checked combined row (null: the combined row itself). */
  private readonly pickOutput: ((row: Row) => Row) | null
  private table = new Map<LookupKey, Row[]>()
  private tableRows: readonly Row[] | null = null
  private pending: Row[][] = []

  constructor(node: JoinNode) {
    super()
    this.staticSide = node.inputs === 'static-stream' ? 0 : 1
    const [streamKeys, staticKeys] = this.staticSide === 1 ? [node.leftKeys, node.rightKeys] : [node.rightKeys, node.leftKeys]
    this.streamKey = joinKeyFn(streamKeys)
    const only = streamKeys[0]
    this.streamKeyColumn = streamKeys.length === 1 && only?.kind === 'column' && only.type !== 'JSON' ? only.index : -1
    this.staticKey = joinKeyFn(staticKeys)
    this.condition = node.condition ? compilePredicate(node.condition) : null
    this.outer = this.staticSide === 1 ? node.joinType === 'left' : node.joinType === 'right'
    this.staticWidth = (this.staticSide === 1 ? node.right : node.left).schema.fields.length
    this.output = rowBuilder(node.left.schema.fields.length, node.output)
    this.pickOutput = pick(node.output)
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
    for (const rows of this.pending) this.join(rows, out)
    this.pending = []
    return out.length === 0 ? EMPTY_BATCH : { rows: out, ops: null }
  }

  private build(rows: readonly Row[]): void {
    const table = new Map<LookupKey, Row[]>()
    const key = this.staticKey
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      const k = key(row)
      if (k === undefined) continue
      const list = table.get(k)
      if (list === undefined) table.set(k, [row])
      else list.push(row)
    }
    this.table = table
    this.tableRows = rows
  }

  private join(rows: readonly Row[], out: Row[]): void {
    const { table, condition, outer, output, pickOutput } = this
    const key = this.streamKey
    const keyColumn = this.streamKeyColumn
    const streamLeft = this.staticSide === 1
    const padding = outer ? nulls(this.staticWidth) : null
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      // The common single-column key is read inline (NULL finds nothing: no NULL key is in the table).
      const k = keyColumn >= 0 ? (row[keyColumn] as LookupKey) : key(row)
      const matches = k === undefined || k === null ? undefined : table.get(k)
      let matched = false
      if (matches !== undefined) {
        for (let j = 0; j < matches.length; j++) {
          const m = matches[j]!
          if (condition === null) {
            out.push(streamLeft ? output(row, m) : output(m, row))
            matched = true
            continue
          }
          const joined = streamLeft ? combine(row, m) : combine(m, row)
          if (condition(joined)) {
            out.push(pickOutput === null ? joined : pickOutput(joined))
            matched = true
          }
        }
      }
      if (!matched && padding !== null) out.push(streamLeft ? output(row, padding) : output(padding, row))
    }
  }
}
