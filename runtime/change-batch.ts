/** Helpers over `ChangeBatch`. */
import { EMPTY_BATCH, type ChangeBatch, type Op, type Row } from './types.ts'

/** Appends `b` after `a`. A snapshot in `b` replaces everything before it. */
export function concatBatches(a: ChangeBatch, b: ChangeBatch): ChangeBatch {
  if (b.snapshot) return b
  if (b.rows.length === 0) return a
  if (a.rows.length === 0 && !a.snapshot) return b
  if (a.snapshot) {
    // A snapshot followed by changes: apply them is the receiver's job; keep both as changes.
    return { rows: [...a.rows, ...b.rows], ops: [...opsOf(a), ...opsOf(b)] }
  }
  if (a.ops === null && b.ops === null) return { rows: a.rows.concat(b.rows), ops: null }
  return { rows: a.rows.concat(b.rows), ops: [...opsOf(a), ...opsOf(b)] }
}

export function opsOf(batch: ChangeBatch): Op[] {
  return batch.ops ?? new Array<Op>(batch.rows.length).fill('+')
}

export function batchOf(rows: Row[], ops: Op[] | null, snapshot = false): ChangeBatch {
  if (rows.length === 0 && !snapshot) return EMPTY_BATCH
  return snapshot ? { rows, ops: null, snapshot: true } : { rows, ops }
}
