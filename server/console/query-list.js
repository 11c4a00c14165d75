// @ts-check
/**
 * The query list: every query with its status and the figures of its last batch, polled from
 * `GET /v1/queries` every second. Rows are updated in place (keyed by query id), with a
 * sparkline of processed rows/s over the polls seen.
 */
import { api } from './api.js'
import { drawSparkline } from './chart.js'
import { h, setText, svg } from './dom.js'
import { fmtCount, fmtDuration, fmtMs, fmtRate, fmtTime, queryTitle, summarize } from './format.js'

/** @typedef {import('./types.js').QueryInfo} QueryInfo */

const POLL_MS = 1000
const SPARK_POINTS = 60

/** Column heading and the cell's label in the narrow (card) layout. */
const COLUMNS = [
  ['query', 'Query'], ['status', 'Status'], ['mode', 'Output mode'], ['trigger', 'Trigger'], ['input', 'Input rows/s'],
  ['processed', 'Processed rows/s'], ['duration', 'Last batch'], ['watermark', 'Watermark'], ['lag', 'Watermark lag'],
  ['state', 'State rows'], ['dropped', 'Late rows dropped'], ['error', 'Error'],
]

export class QueryList {
  constructor() {
    /** @type {Map<string, {tr: HTMLTableRowElement, cells: Record<string, HTMLElement>, spark: SVGElement, history: number[], lastBatch: number}>} */
    this.rows = new Map()
    this.body = h('tbody')
    this.empty = h('p', { class: 'empty', text: 'No queries yet. Run one in the SQL editor above.' })
    this.problem = h('p', { class: 'problem', role: 'alert', hidden: true })
    this.table = h('table', { class: 'query-list' }, [
      h('caption', { class: 'visually-hidden', text: 'Queries and the figures of their last batch' }),
      h('thead', {}, [h('tr', {}, COLUMNS.map(([k, label]) => h('th', { scope: 'col', class: `col-${k}`, text: label })))]),
      this.body,
    ])
    this.el = h('div', { class: 'query-list-wrap' }, [this.problem, this.empty, h('div', { class: 'table-scroll' }, [this.table])])
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null
    this.stopped = false
  }

  start() {
    void this.poll()
  }

  stop() {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
  }

  async poll() {
    if (this.stopped) return
    try {
      const body = /** @type {{queries: QueryInfo[]}} */ (await api('/v1/queries'))
      this.render(body.queries)
      this.problem.hidden = true
    } catch (err) {
      this.problem.hidden = false
      setText(this.problem, `Cannot list the queries: ${err instanceof Error ? err.message : String(err)}. Retrying…`)
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), POLL_MS)
  }

  /** @param {QueryInfo[]} queries */
  render(queries) {
    this.empty.hidden = queries.length > 0
    this.table.hidden = queries.length === 0
    this.table.classList.toggle('has-errors', queries.some((q) => q.error !== null))
    const now = Date.now()
    const ids = new Set(queries.map((q) => q.id))
    for (const [id, row] of this.rows) {
      if (!ids.has(id)) {
        row.tr.remove()
        this.rows.delete(id)
      }
    }
    // Running queries first, then by id number (q2 before q10).
    const ordered = [...queries].sort((a, b) => (a.status === 'running' ? 0 : 1) - (b.status === 'running' ? 0 : 1) ||
      a.id.localeCompare(b.id, 'en', { numeric: true }))
    ordered.forEach((q, i) => {
      const row = this.rows.get(q.id) ?? this.create(q)
      this.fill(row, q, now)
      if (this.body.children[i] !== row.tr) this.body.insertBefore(row.tr, this.body.children[i] ?? null)
    })
  }

  /** @param {QueryInfo} q */
  create(q) {
    /** @type {Record<string, HTMLElement>} */
    const cells = {}
    const tr = h('tr', { 'data-query-id': q.id })
    for (const [k, label] of COLUMNS) {
      const td = h(k === 'query' ? 'th' : 'td', { class: `col-${k}`, 'data-label': label, ...(k === 'query' ? { scope: 'row' } : {}) })
      cells[k] = td
      tr.append(td)
    }
    const link = h('a', { href: `#/queries/${encodeURIComponent(q.id)}`, text: queryTitle(q) })
    cells.query?.append(link, h('code', { class: 'sql-snippet', title: q.sql, text: q.sql }))
    const spark = svg('svg', { width: 80, height: 20, class: 'sparkline', 'aria-hidden': 'true' })
    const value = h('span', { class: 'value' })
    cells.processed?.append(h('span', {}, [value, spark]))
    const row = { tr, cells, spark, history: /** @type {number[]} */ ([]), lastBatch: -1 }
    this.rows.set(q.id, row)
    return row
  }

  /**
   * @param {{tr: HTMLTableRowElement, cells: Record<string, HTMLElement>, spark: SVGElement, history: number[], lastBatch: number}} row
   * @param {QueryInfo} q @param {number} now
   */
  fill(row, q, now) {
    const c = row.cells
    const p = q.lastProgress
    const s = p ? summarize(p, now) : null
    const set = (/** @type {string} */ k, /** @type {string} */ v) => setText(/** @type {HTMLElement} */ (c[k]), v)
    const status = /** @type {HTMLElement} */ (c.status)
    if (status.dataset.status !== q.status) {
      status.dataset.status = q.status
      status.replaceChildren(h('span', { class: `badge status-${q.status}`, text: q.status }))
    }
    set('mode', q.outputMode)
    set('trigger', q.trigger)
    set('input', s ? fmtRate(s.inputRate) : '–')
    setText(/** @type {Element} */ (c.processed?.querySelector('.value')), s ? fmtRate(s.processedRate) : '–')
    set('duration', s ? fmtMs(s.batchDuration) : '–')
    set('watermark', fmtTime(s?.watermark))
    set('lag', s?.watermarkLagMs == null ? '–' : fmtDuration(s.watermarkLagMs))
    set('state', s ? fmtCount(s.stateRows) : '–')
    set('dropped', fmtCount(q.totals?.droppedLateRows ?? s?.droppedLate ?? null))
    set('error', q.error ? `${q.error.code}: ${q.error.message}` : '')
    if (s && s.batchId !== row.lastBatch) {
      row.lastBatch = s.batchId
      row.history.push(s.processedRate)
      if (row.history.length > SPARK_POINTS) row.history.shift()
      drawSparkline(row.spark, row.history)
      row.tr.dataset.batch = String(s.batchId)
    }
  }
}
