/**
 * The current result of a push query, rebuilt from its websocket frames: `+` adds a row, `-`
 * removes one equal row, `U-`/`U+` replace a row in place (so an updated row keeps its place on
 * screen), and a complete-mode snapshot replaces everything. Rows touched by the latest batch
 * are remembered so the view can emphasise them.
 */
import type { Op } from '../runtime/types.ts'
import type { Row } from './render.ts'

export class ResultTable {
  rows: Row[] = []
  /** Rows added or changed by the latest batch. */
  changed = new Set<Row>()
  batchId: number | null = null
  watermark: string | null = null
  /** Batches received, and changes (or snapshot rows) received over all of them. */
  batches = 0
  received = 0

  /** Applies one batch of changes (append and update modes). */
  applyChanges(batchId: number, watermark: string | null, changes: readonly (readonly [Op, Row])[]): void {
    this.begin(batchId, watermark)
    let slot = -1
    for (const [op, row] of changes) {
      this.received++
      switch (op) {
        case '-':
        case 'U-': {
          const at = this.indexOf(row)
          if (at >= 0) this.rows.splice(at, 1)
          slot = op === 'U-' ? at : -1
          break
        }
        case '+':
        case 'U+':
          if (op === 'U+' && slot >= 0) this.rows.splice(slot, 0, row)
          else this.rows.push(row)
          this.changed.add(row)
          slot = -1
          break
      }
    }
  }

  /** Replaces the result with a complete-mode snapshot. */
  applySnapshot(batchId: number, watermark: string | null, rows: readonly Row[]): void {
    const before = new Set(this.rows.map(key))
    this.begin(batchId, watermark)
    this.rows = [...rows]
    this.received += rows.length
    for (const r of this.rows) if (!before.has(key(r))) this.changed.add(r)
  }

  private begin(batchId: number, watermark: string | null): void {
    this.batchId = batchId
    this.watermark = watermark ?? this.watermark
    this.batches++
    this.changed = new Set()
  }

  private indexOf(row: Row): number {
    const k = key(row)
    return this.rows.findIndex((r) => key(r) === k)
  }
}

function key(row: Row): string {
  return JSON.stringify(row)
}
