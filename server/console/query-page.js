// @ts-check
/**
 * One query: its figures, charts over the recent progress history, the plan with per-operator
 * state, live results, and a stop button. History comes from `GET /v1/queries/:id`
 * (`recentProgress`), then live from the results websocket (`progress` frames).
 */
import { ApiError, api, socketUrl } from './api.js'
import { LineChart } from './chart.js'
import { announce, h, setText } from './dom.js'
import { fmtCount, fmtDuration, fmtMs, fmtRate, fmtTime, queryTitle, summarize } from './format.js'
import { PlanGraph } from './plan-graph.js'
import { ResultsTable } from './results-table.js'

/** @typedef {import('./types.js').QueryInfo} QueryInfo */
/** @typedef {import('./types.js').Progress} Progress */
/** @typedef {import('./types.js').Frame} Frame */

const STATS = /** @type {const} */ ([
  ['input', 'Input rows/s'], ['processed', 'Processed rows/s'], ['duration', 'Last batch'], ['batch', 'Batch'],
  ['watermark', 'Watermark'], ['lag', 'Watermark lag'], ['state', 'State rows'], ['dropped', 'Late rows dropped'],
])
const RECONNECTS = 5

export class QueryPage {
  /** @param {string} id */
  constructor(id) {
    this.id = id
    this.el = h('article', { class: 'query-page', 'aria-busy': 'true' }, [h('p', { class: 'hint', text: `Loading ${id}…` })])
    /** @type {WebSocket | null} */
    this.socket = null
    this.closed = false
    this.ended = false
    this.reconnects = 0
    this.lastKey = ''
    /** @type {Progress | null} */
    this.last = null
    this.droppedBase = 0
    this.droppedBaseBatch = -1
    this.droppedSince = 0
    /** @type {LineChart[]} */
    this.charts = []
  }

  async start() {
    /** @type {QueryInfo} */
    let q
    try {
      q = /** @type {QueryInfo} */ (await api(`/v1/queries/${encodeURIComponent(this.id)}`))
    } catch (err) {
      const text = err instanceof ApiError && err.status === 404 ? `There is no query ${this.id}.` : `Cannot load ${this.id}: ${String(err)}`
      this.el.replaceChildren(h('h1', { text: this.id }), h('p', { class: 'problem', role: 'alert', text }), h('a', { href: '#/', text: 'Back to the queries' }))
      this.el.removeAttribute('aria-busy')
      return
    }
    if (this.closed) return
    this.q = q
    this.render(q)
    this.droppedBase = q.totals?.droppedLateRows ?? 0
    this.droppedBaseBatch = q.lastProgress?.batchId ?? -1
    for (const p of q.recentProgress ?? []) this.progress(p, false)
    this.showStats()
    this.connect()
  }

  /** @param {QueryInfo} q */
  render(q) {
    this.statusBadge = h('span', { class: `badge status-${q.status}`, 'data-status': q.status, text: q.status })
    this.stopButton = h('button', { type: 'button', class: 'danger', text: 'Stop query', onclick: () => void this.stop() })
    this.stopButton.hidden = q.status !== 'running'
    this.notice = h('p', { class: 'notice', role: 'status' })
    this.notice.hidden = true
    if (q.error) this.setNotice(`Failed: ${q.error.code}: ${q.error.message}`, true)
    /** @type {Record<string, HTMLElement>} */
    const stats = {}
    this.stats = stats
    const tiles = h('dl', { class: 'stats' }, STATS.map(([k, label]) => {
      const dd = h('dd', { text: '–' })
      stats[k] = dd
      return h('div', { class: 'stat', 'data-stat': k }, [h('dt', { text: label }), dd])
    }))
    const count = (/** @type {number} */ v) => fmtCount(v)
    const throughput = new LineChart({ id: 'throughput', title: 'Rows per second', series: [{ name: 'input' }, { name: 'processed' }], format: (v) => fmtCount(v) })
    const duration = new LineChart({ id: 'duration', title: 'Batch duration', series: [{ name: 'duration' }], format: (v) => fmtMs(v) })
    const lag = new LineChart({ id: 'lag', title: 'Watermark lag behind the batch time', series: [{ name: 'lag' }], format: (v) => (v === 0 ? '0' : fmtDuration(v)) })
    const state = new LineChart({ id: 'state', title: 'State rows', series: [{ name: 'rows' }], format: count })
    this.charts = [throughput, duration, lag, state]
    this.results = new ResultsTable({ label: `Live results of ${queryTitle(q)}` })
    this.results.setSchema(q.columns, q.outputMode)
    this.plan = q.explain ? new PlanGraph(q.explain) : null
    const meta = [`${q.push ? 'push query' : `into sink ${q.sink}`}`, `output mode ${q.outputMode}`, `trigger ${q.trigger}`]
    this.el.replaceChildren(
      h('header', { class: 'query-head' }, [
        h('div', {}, [
          h('p', { class: 'crumbs' }, [h('a', { href: '#/', text: 'Queries' }), ' / ', q.id]),
          h('h1', {}, [queryTitle(q), ' ', this.statusBadge]),
          h('p', { class: 'meta', text: meta.join(' · ') }),
        ]),
        this.stopButton,
      ]),
      this.notice,
      h('details', { class: 'sql-text' }, [h('summary', { text: 'SQL' }), h('pre', { text: q.sql })]),
      h('section', { 'aria-labelledby': 'h-now' }, [h('h2', { id: 'h-now', class: 'visually-hidden', text: 'Last batch' }), tiles]),
      h('section', { 'aria-labelledby': 'h-charts' }, [h('h2', { id: 'h-charts', text: 'Progress' }),
        h('div', { class: 'charts' }, this.charts.map((c) => c.el))]),
      h('section', { 'aria-labelledby': 'h-results' }, [h('h2', { id: 'h-results', text: 'Live results' }), this.results.el]),
      h('section', { 'aria-labelledby': 'h-plan' }, [h('h2', { id: 'h-plan', text: 'Plan' }),
        this.plan ? this.plan.el : h('p', { class: 'hint', text: 'The plan is not available for this query.' })]),
    )
    this.el.removeAttribute('aria-busy')
  }

  connect() {
    if (!this.q || this.closed) return
    const ws = new WebSocket(socketUrl(this.q.resultsUrl))
    this.socket = ws
    ws.onmessage = (ev) => {
      this.reconnects = 0
      this.frame(/** @type {Frame} */ (JSON.parse(String(ev.data))))
    }
    ws.onclose = (ev) => {
      if (this.socket !== ws || this.closed || this.ended) return
      this.socket = null
      if (ev.code === 4008) {
        this.setNotice('This page fell too far behind the results and was disconnected; reload to watch again.', true)
      } else if (this.reconnects < RECONNECTS) {
        this.reconnects++
        this.setNotice('The connection to the server was lost; reconnecting…', false)
        setTimeout(() => this.connect(), 500 * 2 ** this.reconnects)
      } else {
        this.setNotice('The connection to the server was lost. Reload the page to try again.', true)
      }
    }
  }

  /** @param {Frame} f */
  frame(f) {
    switch (f.type) {
      case 'schema':
        if (this.notice && !this.notice.classList.contains('error')) this.notice.hidden = true
        return
      case 'batch':
      case 'snapshot':
        this.results?.push(f)
        return
      case 'progress':
        if (f.progress) this.progress(f.progress, true)
        this.showStats()
        return
      case 'error':
        this.setNotice(`Failed: ${f.error.code}: ${f.error.message}`, true)
        return
      case 'end':
        this.ended = true
        this.setStatus(f.reason === 'failed' ? 'failed' : f.reason === 'shutdown' ? 'running' : 'stopped')
        if (f.reason === 'shutdown') this.setNotice('The server is shutting down; reload the page once it is back.', false)
        if (f.reason === 'idle') this.setNotice('This push query stopped: nobody watched it.', false)
        return
    }
  }

  /** @param {Progress} p @param {boolean} live */
  progress(p, live) {
    const key = `${p.runId}:${p.batchId}`
    if (key === this.lastKey) return
    this.lastKey = key
    this.last = p
    const s = summarize(p, Date.parse(p.timestamp))
    const [throughput, duration, lag, state] = this.charts
    throughput?.push(s.time, [s.inputRate, s.processedRate])
    duration?.push(s.time, [s.batchDuration])
    lag?.push(s.time, [s.watermarkLagMs])
    state?.push(s.time, [s.stateRows])
    this.plan?.update(p.stateOperators)
    if (live && p.batchId > this.droppedBaseBatch) this.droppedSince += s.droppedLate
  }

  showStats() {
    const p = this.last
    const st = this.stats
    if (!st) return
    const s = p ? summarize(p) : null
    const set = (/** @type {string} */ k, /** @type {string} */ v) => setText(/** @type {HTMLElement} */ (st[k]), v)
    set('input', s ? fmtRate(s.inputRate) : '–')
    set('processed', s ? fmtRate(s.processedRate) : '–')
    set('duration', s ? fmtMs(s.batchDuration) : '–')
    set('batch', s ? String(s.batchId) : '–')
    set('watermark', fmtTime(s?.watermark))
    set('lag', s?.watermarkLagMs == null ? '–' : fmtDuration(s.watermarkLagMs))
    set('state', s ? fmtCount(s.stateRows) : '–')
    set('dropped', fmtCount(this.droppedBase + this.droppedSince))
  }

  async stop() {
    const button = this.stopButton
    if (!button || button.disabled) return
    button.disabled = true
    button.textContent = 'Stopping…'
    try {
      const r = /** @type {{status: string}} */ (await api(`/v1/queries/${encodeURIComponent(this.id)}`, { method: 'DELETE' }))
      this.setStatus(r.status)
      announce(`Query ${this.id} ${r.status}`)
    } catch (err) {
      this.setNotice(`Could not stop the query: ${err instanceof Error ? err.message : String(err)}`, true)
      button.disabled = false
      button.textContent = 'Stop query'
    }
  }

  /** @param {string} status */
  setStatus(status) {
    if (!this.statusBadge) return
    this.statusBadge.className = `badge status-${status}`
    this.statusBadge.dataset.status = status
    setText(this.statusBadge, status)
    if (this.stopButton) this.stopButton.hidden = status !== 'running'
  }

  /** @param {string} text @param {boolean} error */
  setNotice(text, error) {
    if (!this.notice) return
    this.notice.hidden = false
    this.notice.classList.toggle('error', error)
    this.notice.setAttribute('role', error ? 'alert' : 'status')
    setText(this.notice, text)
  }

  dispose() {
    this.closed = true
    this.socket?.close(1000)
    this.socket = null
    for (const c of this.charts) c.dispose()
  }
}
