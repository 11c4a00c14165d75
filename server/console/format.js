// @ts-check
/** Numbers, durations and the figures a progress record is read for. */

/** @typedef {import('./types.js').Progress} Progress */

const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 })
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 })

/** @param {number | null | undefined} n */
export function fmtCount(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–'
  return Math.abs(n) >= 100_000 ? compact.format(n) : whole.format(n)
}

/** @param {number | null | undefined} n rows per second */
export function fmtRate(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–'
  if (n > 0 && n < 10) return `${n.toFixed(1)}/s`
  return `${fmtCount(n)}/s`
}

/** @param {number | null | undefined} ms */
export function fmtMs(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–'
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`
  return fmtDuration(ms)
}

/**
 * A span as its two largest units: `4.2 s`, `3 min 5 s`, `2 h 5 min`, `12 d 3 h`.
 * @param {number} ms
 */
export function fmtDuration(ms) {
  const sign = ms < 0 ? '−' : ''
  let s = Math.abs(ms) / 1000
  if (s < 60) return `${sign}${s < 10 ? s.toFixed(1) : Math.round(s)} s`
  const units = /** @type {const} */ ([['d', 86400], ['h', 3600], ['min', 60], ['s', 1]])
  const parts = []
  for (const [name, size] of units) {
    if (s >= size || parts.length > 0) {
      const n = Math.floor(s / size)
      s -= n * size
      parts.push(`${n} ${name}`)
      if (parts.length === 2) break
    }
  }
  return sign + parts.join(' ')
}

/** @param {number | null | undefined} bytes */
export function fmtBytes(bytes) {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–'
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = bytes
  let i = -1
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
}

/** `2026-01-01T00:01:00.000Z` → `2026-01-01 00:01:00Z` (compact, still UTC). @param {string | null | undefined} iso */
export function fmtTime(iso) {
  if (!iso) return '–'
  return iso.replace('T', ' ').replace(/\.000Z$/, 'Z')
}

/**
 * @typedef {object} Summary
 * @property {number} batchId
 * @property {number} time epoch ms of the batch
 * @property {number} inputRate
 * @property {number} processedRate
 * @property {number} batchDuration
 * @property {number} numInputRows
 * @property {string | null} watermark
 * @property {number | null} watermarkLagMs wall clock − watermark, when the batch ran
 * @property {number} stateRows
 * @property {number} stateBytes
 * @property {number} droppedLate rows dropped as late in this batch
 */

/**
 * @param {Progress} p
 * @param {number} [now] the wall clock the lag is measured against
 * @returns {Summary}
 */
export function summarize(p, now = Date.now()) {
  let stateRows = 0
  let stateBytes = 0
  let droppedLate = 0
  for (const op of p.stateOperators) {
    stateRows += op.numRowsTotal
    stateBytes += op.memoryUsedBytes
    droppedLate += op.numRowsDroppedByWatermark
  }
  const watermark = p.eventTime.watermark ?? null
  return {
    batchId: p.batchId, time: Date.parse(p.timestamp), inputRate: p.inputRowsPerSecond, processedRate: p.processedRowsPerSecond,
    batchDuration: p.batchDuration, numInputRows: p.numInputRows, watermark,
    watermarkLagMs: watermark === null ? null : now - Date.parse(watermark), stateRows, stateBytes, droppedLate,
  }
}

/** The query's display name: its `query_name`, else its id. @param {{id: string, name: string | null}} q */
export function queryTitle(q) {
  return q.name ?? q.id
}

/**
 * A cell's text for a result value.
 * @param {unknown} v
 */
export function fmtValue(v) {
  if (v === null || v === undefined) return 'NULL'
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}
