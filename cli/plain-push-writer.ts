/**
 * A push query's results for pipes and files (`-c`, `-f`, piped stdin, or stdout not a
 * terminal), written as they arrive, never redrawn:
 *
 * - append mode: rows, as a pull query prints them (a table, CSV rows, JSON objects);
 * - update mode: the changelog, with leading `batch` and `op` columns (JSON:
 *   `{"batchId":3,"op":"U+","row":{…}}`);
 * - complete mode: each snapshot in full, with a leading `batch` column (JSON:
 *   `{"batchId":3,"rows":[{…}]}`; table: a block per batch).
 */
import type { Op } from '../runtime/types.ts'
import type { PushView } from './live-view.ts'
import {
  csvLine, layoutTable, renderHeader, renderRow, renderTable, rowObject, rowsFooter, type Column, type Format, type Row,
  type TableLayout,
} from './render.ts'
import type { Terminal } from './terminal.ts'

export class PlainPushWriter implements PushView {
  private columns: readonly Column[] = []
  private outputMode = 'append'
  private layout: TableLayout | null = null
  private headerDone = false
  private rows = 0

  constructor(private readonly term: Terminal, private readonly format: Format) {}

  start(_queryId: string, outputMode: string, columns: readonly Column[]): void {
    this.outputMode = outputMode
    this.columns = columns
  }

  batch(batchId: number, _watermark: string | null, changes: readonly (readonly [Op, Row])[]): void {
    if (changes.length === 0) return
    const update = this.outputMode !== 'append'
    this.rows += changes.length
    const cols: Column[] = update ? [{ name: 'batch', type: 'BIGINT' }, { name: 'op', type: 'VARCHAR' }, ...this.columns] : [...this.columns]
    const full = changes.map(([op, r]): Row => (update ? [batchId, op, ...r] : r))
    switch (this.format) {
      case 'json':
        this.lines(changes.map(([op, r]) => JSON.stringify(update ? { batchId, op, row: rowObject(this.columns, r) } : rowObject(this.columns, r))))
        return
      case 'csv':
        this.lines([...this.csvHeader(cols), ...full.map((r) => csvLine(r))])
        return
      case 'table': {
        const head: string[] = []
        if (!this.layout) {
          this.layout = layoutTable(cols, full, null, false)
          head.push(...renderHeader(this.layout))
        }
        const layout = this.layout
        this.lines([...head, ...full.map((r) => renderRow(layout, r, false))])
        return
      }
    }
  }

  snapshot(batchId: number, _watermark: string | null, rows: readonly Row[]): void {
    this.rows += rows.length
    switch (this.format) {
      case 'json':
        this.lines([JSON.stringify({ batchId, rows: rows.map((r) => rowObject(this.columns, r)) })])
        return
      case 'csv':
        this.lines([...this.csvHeader([{ name: 'batch', type: 'BIGINT' }, ...this.columns]), ...rows.map((r) => csvLine([batchId, ...r]))])
        return
      case 'table':
        this.lines([`-- batch ${batchId}`, ...renderTable(this.columns, rows, { width: null, color: false }), rowsFooter(rows.length), ''])
        return
    }
  }

  finish(outcome: string): void {
    if (this.format === 'table' && this.outputMode !== 'complete') {
      const cols = this.outputMode === 'append' ? this.columns : [{ name: 'batch', type: 'BIGINT' }, { name: 'op', type: 'VARCHAR' }, ...this.columns]
      this.lines([...(this.layout ? [] : renderHeader(layoutTable(cols, [], null, false))), rowsFooter(this.rows)])
    }
    if (this.format === 'csv' && this.outputMode === 'append') this.lines(this.csvHeader(this.columns))
    this.term.error(outcome)
  }

  private csvHeader(cols: readonly Column[]): string[] {
    if (this.headerDone) return []
    this.headerDone = true
    return [csvLine(cols.map((c) => c.name))]
  }

  private lines(lines: readonly string[]): void {
    if (lines.length > 0) this.term.write(lines.join('\n') + '\n')
  }
}
