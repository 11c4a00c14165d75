// @ts-check
/**
 * A small SVG line chart for progress history: several series over time, redrawn at most once
 * per animation frame, sized to its container. The figure carries `data-points` and
 * `data-last` (the latest values) so that tests and scripts can read what it shows.
 */
import { h, svg, perFrame, setText } from './dom.js'

/**
 * @typedef {object} SeriesSpec
 * @property {string} name its colour is the CSS class `series-<index>`
 */

/**
 * @typedef {object} ChartSpec
 * @property {string} title
 * @property {string} id a stable id (tests find the chart by `data-chart`)
 * @property {SeriesSpec[]} series
 * @property {(v: number) => string} format the values' text (axis, legend)
 * @property {number} [maxPoints]
 * @property {number} [height]
 */

const PAD = { left: 30, right: 8, top: 8, bottom: 20 }

export class LineChart {
  /** @param {ChartSpec} spec */
  constructor(spec) {
    this.spec = spec
    this.maxPoints = spec.maxPoints ?? 300
    this.height = spec.height ?? 140
    /** @type {{x: number, ys: (number | null)[]}[]} */
    this.points = []
    this.width = 320
    const titleId = `chart-${spec.id}-title`
    this.desc = svg('desc')
    this.plot = svg('svg', { role: 'img', 'aria-labelledby': titleId, class: 'chart-svg', height: this.height })
    this.plot.append(this.desc)
    this.axes = svg('g', { class: 'chart-axes' })
    this.lines = spec.series.map((_s, i) => svg('path', { class: `chart-line series-${i}` }))
    this.plot.append(this.axes, ...this.lines)
    /** @type {HTMLElement[]} */
    this.legendValues = []
    const legend = h('ul', { class: 'chart-legend' }, spec.series.map((s, i) => {
      const value = h('span', { class: 'legend-value', text: '–' })
      this.legendValues.push(value)
      return h('li', {}, [h('span', { class: `swatch series-${i}`, 'aria-hidden': 'true' }), `${s.name} `, value])
    }))
    this.el = h('figure', { class: 'chart', 'data-chart': spec.id, 'data-points': '0' }, [
      h('figcaption', {}, [h('h3', { id: titleId, text: spec.title }), legend]),
      this.plot,
    ])
    this.schedule = perFrame(() => this.draw())
    this.resize = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0)
      if (w > 0 && w !== this.width) {
        this.width = w
        this.schedule()
      }
    })
    this.resize.observe(this.el)
  }

  /**
   * Adds a point (values in series order; null leaves a gap).
   * @param {number} x epoch ms
   * @param {(number | null)[]} ys
   */
  push(x, ys) {
    const last = this.points.at(-1)
    if (last && x < last.x) return
    this.points.push({ x, ys })
    if (this.points.length > this.maxPoints) this.points.splice(0, this.points.length - this.maxPoints)
    this.schedule()
  }

  dispose() {
    this.resize.disconnect()
  }

  draw() {
    const { format, series } = this.spec
    const w = this.width
    const hgt = this.height
    this.plot.setAttribute('viewBox', `0 0 ${w} ${hgt}`)
    this.plot.setAttribute('width', String(w))
    const pts = this.points
    const last = pts.at(-1)
    this.el.dataset.points = String(pts.length)
    this.el.dataset.last = JSON.stringify(last?.ys ?? [])
    this.legendValues.forEach((el, i) => {
      const v = last?.ys[i]
      setText(el, v === null || v === undefined ? '–' : format(v))
    })
    setText(this.desc, last
      ? series.map((s, i) => `${s.name}: ${format(last.ys[i] ?? NaN)}`).join('; ') + ` (${pts.length} batches)`
      : 'no batches yet')

    let max = 0
    for (const p of pts) for (const y of p.ys) if (y !== null && Number.isFinite(y) && y > max) max = y
    max = niceCeiling(max)
    const ticks = [0, 0.5, 1].map((f) => ({ value: max * f, text: format(max * f) }))
    // The plot starts right of the widest axis label (monospace, about 6.2 px a character).
    const padLeft = Math.max(PAD.left, Math.ceil(Math.max(...ticks.map((t) => t.text.length)) * 6.2 + 10))
    const x0 = pts[0]?.x ?? 0
    const span = Math.max(1, (last?.x ?? 0) - x0)
    const innerW = Math.max(10, w - padLeft - PAD.right)
    const innerH = hgt - PAD.top - PAD.bottom
    const sx = (/** @type {number} */ x) => padLeft + ((x - x0) / span) * innerW
    const sy = (/** @type {number} */ y) => PAD.top + innerH - (y / max) * innerH

    const axes = []
    for (const t of ticks) {
      const y = sy(t.value)
      axes.push(svg('line', { x1: padLeft, x2: w - PAD.right, y1: y, y2: y, class: t.value === 0 ? 'axis' : 'grid' }))
      const label = svg('text', { x: padLeft - 6, y: y + 4, 'text-anchor': 'end' })
      label.textContent = t.text
      axes.push(label)
    }
    if (pts.length > 0) {
      const left = svg('text', { x: padLeft, y: hgt - 4, 'text-anchor': 'start' })
      left.textContent = clock(x0)
      const right = svg('text', { x: w - PAD.right, y: hgt - 4, 'text-anchor': 'end' })
      right.textContent = clock(last?.x ?? x0)
      axes.push(left, right)
    }
    this.axes.replaceChildren(...axes)

    series.forEach((_s, i) => {
      let d = ''
      let pen = false
      for (const p of pts) {
        const y = p.ys[i]
        if (y === null || y === undefined || !Number.isFinite(y)) {
          pen = false
          continue
        }
        d += `${pen ? 'L' : 'M'}${sx(p.x).toFixed(1)} ${sy(Math.max(0, y)).toFixed(1)}`
        pen = true
      }
      // A single point still shows: a zero-length segment with round caps.
      if (pts.length === 1 && d) d += 'l0.01 0'
      this.lines[i]?.setAttribute('d', d)
    })
  }
}

/**
 * A tiny chart without axes (the query list's throughput column).
 * @param {SVGElement} el an `<svg>` of fixed size
 * @param {number[]} values
 */
export function drawSparkline(el, values) {
  const w = Number(el.getAttribute('width') ?? 80)
  const hgt = Number(el.getAttribute('height') ?? 20)
  const max = niceCeiling(Math.max(0, ...values))
  const step = values.length > 1 ? w / (values.length - 1) : 0
  let d = ''
  values.forEach((v, i) => {
    d += `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)} ${(hgt - 1 - (Math.max(0, v) / max) * (hgt - 2)).toFixed(1)}`
  })
  let path = el.querySelector('path')
  if (!path) {
    path = /** @type {SVGPathElement} */ (svg('path', { class: 'spark-line' }))
    el.append(path)
  }
  path.setAttribute('d', d)
  el.dataset.points = String(values.length)
}

/** The smallest of 1, 2, 5 × 10^k at or above `v` (1 for 0). @param {number} v */
export function niceCeiling(v) {
  if (!(v > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

/** @param {number} ms */
function clock(ms) {
  return new Date(ms).toISOString().slice(11, 19)
}
