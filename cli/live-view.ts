/**
 * How a push query's results appear. Two views:
 *
 * - `LiveView`, for a person at a terminal: append mode prints new rows under a fixed header;
 *   update and complete modes redraw the whole table in place (ANSI cursor movement), with the
 *   rows of the latest batch in bold. A status line at the bottom shows the batch id, the
 *   watermark and the row count. Every line is clipped to the terminal width so that nothing
 *   wraps and the cursor arithmetic stays right.
 * - `PlainPushWriter` (plain-push-writer.ts), for pipes and files.
 */
import type { Op } from '../runtime/types.ts'
import { clipLine } from './display-width.ts'
import { layoutTable, renderHeader, renderRow, renderTable, rowsFooter, type Column, type Row, type TableLayout } from './render.ts'
import { ResultTable } from './result-table.ts'
import type { Terminal } from './terminal.ts'

export interface PushView {
  start(queryId: string, outputMode: string, columns: readonly Column[]): void
  batch(batchId: number, watermark: string | null, changes: readonly (readonly [Op, Row])[]): void
  snapshot(batchId: number, watermark: string | null, rows: readonly Row[]): void
  /** The query ended (stopped by the user, the server, or failed): the final state stays on screen. */
  finish(outcome: string): void
}

const DIM = '\x1b[2m'
const RESET = '\x1b[0m'
const REDRAW_MS = 50

export class LiveView implements PushView {
  private readonly table = new ResultTable()
  private columns: readonly Column[] = []
  private queryId = ''
  private outputMode = 'append'
  private layout: TableLayout | null = null
  /** Lines on screen that a redraw replaces (the status line included). */
  private drawn = 0
  private lastDraw = 0
  private timer: NodeJS.Timeout | null = null
  private readonly offResize: () => void

  constructor(private readonly term: Terminal) {
    this.offResize = term.onResize(() => this.draw())
  }

  start(queryId: string, outputMode: string, columns: readonly Column[]): void {
    this.queryId = queryId
    this.outputMode = outputMode
    this.columns = columns
    this.draw()
  }

  batch(batchId: number, watermark: string | null, changes: readonly (readonly [Op, Row])[]): void {
    if (this.outputMode === 'append') {
      const rows = changes.filter(([op]) => op === '+' || op === 'U+').map(([, r]) => r)
      this.table.applyChanges(batchId, watermark, changes)
      this.appendRows(rows)
      return
    }
    this.table.applyChanges(batchId, watermark, changes)
    this.schedule()
  }

  snapshot(batchId: number, watermark: string | null, rows: readonly Row[]): void {
    this.table.applySnapshot(batchId, watermark, rows)
    this.schedule()
  }

  finish(outcome: string): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.offResize()
    if (this.outputMode !== 'append') this.draw(false)
    const clear = this.clearStatus()
    const footer = this.outputMode === 'append' ? [rowsFooter(this.table.received)] : []
    const status = this.clip(`${outcome} (${this.facts().slice(1).join(', ')})`)
    this.term.write(clear + [...footer, this.term.color ? `${DIM}${status}${RESET}` : status].join('\n') + '\n')
  }

  /** Append mode: the header is laid out from the first rows and kept; rows go above the status line. */
  private appendRows(rows: readonly Row[]): void {
    const clear = this.clearStatus()
    const width = this.tableWidth()
    const lines: string[] = []
    if (!this.layout && rows.length > 0) {
      this.layout = layoutTable(this.columns, rows, width, this.term.color)
      lines.push(...renderHeader(this.layout))
    }
    if (this.layout) for (const r of rows) lines.push(renderRow(this.layout, r, this.term.color))
    this.writeStatus(clear, lines, false)
  }

  private schedule(): void {
    if (this.timer) return
    const wait = this.lastDraw + REDRAW_MS - Date.now()
    if (wait <= 0) this.draw()
    else this.timer = setTimeout(() => this.draw(), wait)
  }

  /** Redraws in place: the table (update, complete) or just the status line (append). */
  private draw(withStatus = true): void {
    this.timer = null
    this.lastDraw = Date.now()
    if (this.outputMode === 'append') {
      this.writeStatus(this.clearStatus(), [], false)
      return
    }
    const height = this.term.height() ?? 24
    const room = Math.max(1, height - 5)
    const shown = this.table.rows.slice(0, room)
    const changed = this.table.changed
    const lines = this.table.batches === 0 ? [] : renderTable(this.columns, shown, {
      width: this.tableWidth(), color: this.term.color, emphasize: (i) => changed.has(shown[i]!),
    })
    if (this.table.rows.length > shown.length) lines.push(`… ${this.table.rows.length - shown.length} more rows (the terminal is too small to show them)`)
    const clear = this.clearStatus()
    if (withStatus) this.writeStatus(clear, lines, true)
    else this.term.write(clear + lines.map((l) => this.clip(l) + '\n').join(''))
  }

  private facts(): string[] {
    const t = this.table
    const facts = [`query ${this.queryId}`, `${this.outputMode} mode`]
    if (t.batchId !== null) facts.push(`batch ${t.batchId}`)
    if (t.watermark !== null) facts.push(`watermark ${t.watermark}`)
    const n = this.outputMode === 'append' ? t.received : t.rows.length
    facts.push(`${n} ${n === 1 ? 'row' : 'rows'}`)
    return facts
  }

  /**
   * Writes `prefix`, `lines` and the status line (left without a newline, so a redraw can
   * replace it). `replaceable`: the lines are part of what the next redraw replaces.
   */
  private writeStatus(prefix: string, lines: readonly string[], replaceable: boolean): void {
    const waiting = this.table.batches === 0 ? 'waiting for results · ' : ''
    const status = this.clip(`${waiting}${this.facts().join(' · ')} · Ctrl-C to stop`)
    const painted = this.term.color ? `${DIM}${status}${RESET}` : status
    this.term.write(prefix + [...lines.map((l) => this.clip(l)), painted].join('\n'))
    this.drawn = (replaceable ? lines.length : 0) + 1
  }

  /**
   * The sequence that moves to the first line of what was drawn and clears to the end of the
   * screen; written together with what replaces it, so the screen never shows a half redraw.
   */
  private clearStatus(): string {
    const seq = this.drawn === 0 ? '' : `\r${this.drawn > 1 ? `\x1b[${this.drawn - 1}A` : ''}\x1b[J`
    this.drawn = 0
    return seq
  }

  private tableWidth(): number | null {
    const w = this.term.width()
    return w === null ? null : w - 1
  }

  private clip(line: string): string {
    const w = this.term.width()
    // One cell less than the width: writing into the last column makes some terminals wrap.
    return w === null ? line : clipLine(line, w - 1)
  }
}
