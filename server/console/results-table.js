// @ts-check
/**
 * The live results of a query, from its websocket frames:
 * - append: rows are added at the end (a tail: the view follows new rows while scrolled to
 *   the bottom); past the cap the oldest are dropped from view;
 * - update: rows are keyed by their values; `U-` then `U+` rewrites the old row's line in place,
 *   `-` removes it, `+` adds a line;
 * - complete: each snapshot replaces the table.
 * Rows changed by the latest batch with changes are marked `fresh`. Frames are applied once per
 * animation frame. The table carries `data-batch` (the last batch shown) and `data-rows` (rows held).
 */
import { h, setText } from './dom.js'
import { fmtCount, fmtValue } from './format.js'

/** @typedef {import('./types.js').Column} Column */
/** @typedef {import('./types.js').Row} Row */
/** @typedef {import('./types.js').Frame} Frame */

const NUMERIC = new Set(['BIGINT', 'INT', 'INTEGER', 'DOUBLE', 'FLOAT', 'DECIMAL', 'SMALLINT', 'TINYINT'])

export class ResultsTable {
  /** @param {{cap?: number, label: string}} opts */
  constructor(opts) {
    this.cap = opts.cap ?? 500
    /** @type {Column[]} */
    this.columns = []
    /** @type {boolean[]} which columns hold numbers (right-aligned) */
    this.numeric = []
    this.mode = 'append'
    /** update mode: row key → its lines (a multiset: equal rows may appear twice) */
    /** @type {Map<string, HTMLTableRowElement[]>} */
    this.keyed = new Map()
    this.held = 0
    this.received = 0
    /** @type {Set<HTMLTableRowElement>} */
    this.fresh = new Set()
    /** @type {Frame[]} */
    this.queue = []
    this.frameRequested = false
    this.head = h('thead')
    this.body = h('tbody')
    this.caption = h('caption', { class: 'visually-hidden', text: opts.label })
    this.table = h('table', { class: 'results', 'data-batch': '', 'data-rows': '0' }, [this.caption, this.head, this.body])
    this.scroller = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': opts.label }, [this.table])
    this.status = h('p', { class: 'results-status', 'aria-live': 'polite', text: 'Waiting for the first batch…' })
    this.el = h('div', { class: 'results-wrap' }, [this.status, this.scroller])
  }

  /** @param {Column[]} columns @param {string} mode */
  setSchema(columns, mode) {
    this.columns = columns
    this.mode = mode
    this.numeric = columns.map((c) => NUMERIC.has(c.type.toUpperCase().replace(/\(.*/, '')))
    this.head.replaceChildren(h('tr', {}, columns.map((c, i) => h('th', { scope: 'col', title: c.type, class: this.isNum(i) }, [c.name]))))
    this.clear()
  }

  /** @param {number} i */
  isNum(i) {
    return this.numeric[i] ? 'num' : ''
  }

  clear() {
    this.body.replaceChildren()
    this.keyed.clear()
    this.held = 0
    this.fresh.clear()
  }

  /** Queues a `batch` or `snapshot` frame. @param {Frame} frame */
  push(frame) {
    this.queue.push(frame)
    if (this.frameRequested) return
    this.frameRequested = true
    requestAnimationFrame(() => {
      this.frameRequested = false
      const frames = this.queue
      this.queue = []
      this.apply(frames)
    })
  }

  /** @param {Frame[]} frames */
  apply(frames) {
    if (frames.length === 0) return
    // `fresh` marks the rows of the latest batch that changed anything (not an empty batch's).
    if (frames.some((f) => (f.type === 'batch' && f.changes.length > 0) || f.type === 'snapshot')) {
      for (const f of this.fresh) f.classList.remove('fresh')
      this.fresh.clear()
    }
    const stick = this.scroller.scrollTop + this.scroller.clientHeight >= this.scroller.scrollHeight - 4
    let batchId = -1
    for (const f of frames) {
      if (f.type === 'snapshot') {
        this.snapshot(f.rows)
        batchId = f.batchId
      } else if (f.type === 'batch') {
        if (this.mode === 'append') this.appendRows(f.changes.filter((c) => c[0] === '+' || c[0] === 'U+').map((c) => c[1]))
        else this.applyChanges(f.changes)
        batchId = f.batchId
      }
    }
    if (this.mode === 'append' && stick) this.scroller.scrollTop = this.scroller.scrollHeight
    this.table.dataset.batch = String(batchId)
    this.table.dataset.rows = String(this.held)
    setText(this.status, this.describe(batchId))
  }

  /** @param {number} batchId */
  describe(batchId) {
    const shown = this.body.rows.length
    const rows = this.mode === 'append'
      ? `${fmtCount(this.received)} rows received${this.received > shown ? `, the last ${fmtCount(shown)} shown` : ''}`
      : `${fmtCount(this.held)} rows${this.held > shown ? `, the first ${fmtCount(shown)} shown` : ''}`
    return `Batch ${batchId}: ${rows}.`
  }

  /** @param {Row[]} rows */
  appendRows(rows) {
    this.received += rows.length
    const tail = rows.length > this.cap ? rows.slice(rows.length - this.cap) : rows
    const frag = document.createDocumentFragment()
    for (const r of tail) {
      const tr = this.line(r)
      this.markFresh(tr)
      frag.append(tr)
    }
    this.body.append(frag)
    let extra = this.body.rows.length - this.cap
    while (extra-- > 0) this.body.rows[0]?.remove()
    this.held = this.body.rows.length
  }

  /** @param {[import('./types.js').Op, Row][]} changes */
  applyChanges(changes) {
    /** lines of `U-` rows waiting for their `U+` */
    /** @type {HTMLTableRowElement[]} */
    const slots = []
    for (const [op, row] of changes) {
      const key = JSON.stringify(row)
      if (op === '+' || op === 'U+') {
        this.held++
        const slot = op === 'U+' ? slots.shift() : undefined
        const tr = slot ?? (this.body.rows.length < this.cap ? this.body.appendChild(this.line(row)) : null)
        if (slot) this.fill(slot, row)
        if (tr) {
          this.keyed.set(key, [...(this.keyed.get(key) ?? []), tr])
          this.markFresh(tr)
        } else {
          this.keyed.set(key, this.keyed.get(key) ?? [])
        }
        continue
      }
      const lines = this.keyed.get(key)
      if (lines === undefined) continue
      this.held--
      const tr = lines.pop()
      if (lines.length === 0) this.keyed.delete(key)
      if (!tr) continue
      this.fresh.delete(tr)
      if (op === 'U-') slots.push(tr)
      else tr.remove()
    }
    for (const tr of slots) tr.remove()
  }

  /** @param {Row[]} rows */
  snapshot(rows) {
    const before = new Set(this.keyed.keys())
    this.keyed.clear()
    const frag = document.createDocumentFragment()
    for (const r of rows.slice(0, this.cap)) {
      const tr = this.line(r)
      const key = JSON.stringify(r)
      if (!before.has(key)) this.markFresh(tr)
      this.keyed.set(key, [tr])
      frag.append(tr)
    }
    this.body.replaceChildren(frag)
    this.held = rows.length
  }

  /** @param {Row} row */
  line(row) {
    const tr = document.createElement('tr')
    this.fill(tr, row)
    return tr
  }

  /** @param {HTMLTableRowElement} tr @param {Row} row */
  fill(tr, row) {
    const cells = row.map((v, i) => h('td', { class: v === null ? 'null' : this.isNum(i) }, [fmtValue(v)]))
    tr.replaceChildren(...cells)
  }

  /** @param {HTMLTableRowElement} tr */
  markFresh(tr) {
    tr.classList.add('fresh')
    this.fresh.add(tr)
  }
}
