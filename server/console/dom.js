// @ts-check
/** Small DOM helpers: element creation without innerHTML, so no text is ever parsed as markup. */

/**
 * @typedef {string | number | boolean | null | undefined | ((ev: Event) => void)} AttrValue
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/**
 * Creates an element. Attributes: `class`, `text`, `on<event>` handlers, boolean values toggle
 * the attribute, anything else is set with setAttribute.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {Child[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag)
  setAttrs(el, attrs)
  append(el, children)
  return el
}

const SVG_NS = 'http://www.w3.org/2000/svg'

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag))
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  return el
}

/**
 * @param {Element} el
 * @param {Record<string, AttrValue>} attrs
 */
export function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v)
    else if (k === 'text') el.textContent = String(v)
    else if (v === true) el.setAttribute(k, '')
    else el.setAttribute(k, String(v))
  }
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    el.append(typeof c === 'number' ? String(c) : c)
  }
}

/**
 * Sets an element's text only when it changed (a write that changes nothing still costs layout).
 * @param {Element} el
 * @param {string} text
 */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text
}

/**
 * Calls `fn` at most once per animation frame, with the latest arguments.
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @returns {(...args: A) => void}
 */
export function perFrame(fn) {
  /** @type {A | null} */
  let pending = null
  return (...args) => {
    if (pending === null) {
      requestAnimationFrame(() => {
        const a = /** @type {A} */ (pending)
        pending = null
        fn(...a)
      })
    }
    pending = args
  }
}

/**
 * Announces a message to screen readers through the page's live region.
 * @param {string} message
 */
export function announce(message) {
  const region = document.getElementById('announcer')
  if (region) region.textContent = message
}
