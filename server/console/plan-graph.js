// @ts-check
/**
 * The query plan (EXPLAIN text: one operator per line, children indented by two spaces) drawn
 * as a graph: sources at the top, data flowing down into the query's sink. Each operator is a
 * box on a CSS grid — a node spans the columns of its inputs, one row below them — so the
 * layout needs no measuring. Stateful operators show their state figures from the latest
 * progress record (`stateOperators`, matched by operator name in plan order).
 */
import { h, setText } from './dom.js'
import { fmtBytes, fmtCount } from './format.js'

/** @typedef {import('./types.js').StateOperator} StateOperator */

/**
 * @typedef {object} PlanNode
 * @property {string} name the operator (`Source`, `TumblingWindowAggregate`, …; `Query` for the root)
 * @property {string} detail its arguments
 * @property {string} emits `append-only`, `updating`, `snapshot` (empty for the root)
 * @property {number} depth
 * @property {PlanNode[]} children
 */

/**
 * @param {string} text
 * @returns {{root: PlanNode | null, warnings: string[]}}
 */
export function parsePlan(text) {
  /** @type {string[]} */
  const warnings = []
  /** @type {PlanNode[]} */
  const stack = []
  /** @type {PlanNode | null} */
  let root = null
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue
    if (raw.startsWith('WARNING: ')) {
      warnings.push(raw.slice('WARNING: '.length))
      continue
    }
    const depth = Math.floor((raw.length - raw.trimStart().length) / 2)
    let body = raw.trim()
    const m = / \[(append-only|updating|snapshot)\]$/.exec(body)
    const emits = m ? /** @type {string} */ (m[1]) : ''
    if (m) body = body.slice(0, m.index)
    const space = body.indexOf(' ')
    /** @type {PlanNode} */
    const node = { name: space < 0 ? body : body.slice(0, space), detail: space < 0 ? '' : body.slice(space + 1), emits, depth, children: [] }
    while (stack.length > 0 && /** @type {PlanNode} */ (stack.at(-1)).depth >= depth) stack.pop()
    const parent = stack.at(-1)
    if (parent) parent.children.push(node)
    else if (root === null) root = node
    stack.push(node)
  }
  return { root, warnings }
}

export class PlanGraph {
  /**
   * @param {string} text the EXPLAIN text
   * @param {{live?: boolean}} [opts] live: the plan of a running query (stateful operators get
   *   boxes for their state figures); false for an EXPLAIN result
   */
  constructor(text, opts = {}) {
    this.live = opts.live ?? true
    const { root, warnings } = parsePlan(text)
    /** name → the state boxes of the operators with that name, in plan order */
    /** @type {Map<string, HTMLElement[]>} */
    this.stateBoxes = new Map()
    const grid = h('ol', { class: 'plan-grid', 'aria-label': 'Operators, from the sources to the sink' })
    if (root) {
      const leaves = countLeaves(root)
      const height = maxDepth(root) + 1
      grid.style.gridTemplateColumns = `repeat(${leaves}, minmax(11rem, 1fr))`
      this.place(grid, root, 0, height)
    }
    this.el = h('div', { class: 'plan' }, [
      h('div', { class: 'plan-scroll' }, [grid]),
      ...warnings.map((w) => h('p', { class: 'plan-warning' }, [h('strong', { text: 'Warning: ' }), w])),
      h('details', { class: 'plan-text' }, [h('summary', { text: 'EXPLAIN text' }), h('pre', { text })]),
    ])
  }

  /**
   * Appends the boxes of `node`'s subtree (inputs first, so the list reads in data-flow order).
   * @param {HTMLElement} grid @param {PlanNode} node @param {number} firstColumn @param {number} rows
   * @returns {number} the columns the subtree spans
   */
  place(grid, node, firstColumn, rows) {
    let span = 0
    for (const c of node.children) span += this.place(grid, c, firstColumn + span, rows)
    span = Math.max(1, span)
    const isRoot = node.name === 'Query'
    const stateful = /\bstate=/.test(node.detail) && !/state=none/.test(node.detail)
    const unbounded = /state=UNBOUNDED/.test(node.detail)
    const title = isRoot ? `into ${node.detail.replace(/^output=\S+ into /, '')}` : node.detail
    const box = h('li', {
      class: `op${isRoot ? ' op-root' : ''}${stateful ? ' op-stateful' : ''}`,
      'data-operator': node.name,
    }, [
      h('span', { class: 'op-name', text: isRoot ? 'Sink' : node.name }),
      node.emits && h('span', { class: `op-emits emits-${node.emits}`, text: node.emits }),
      h('code', { class: 'op-detail', title, text: title }),
      unbounded && h('span', { class: 'op-warn', text: 'state unbounded' }),
    ])
    if (stateful && this.live) {
      const state = h('dl', { class: 'op-state' }, [h('dt', { text: 'state' }), h('dd', { text: 'no batch yet' })])
      box.append(state)
      this.stateBoxes.set(node.name, [...(this.stateBoxes.get(node.name) ?? []), state])
    }
    box.style.gridColumn = `${firstColumn + 1} / span ${span}`
    box.style.gridRow = String(rows - node.depth)
    grid.append(box)
    return span
  }

  /** Shows the state figures of the latest batch. @param {StateOperator[]} ops */
  update(ops) {
    /** @type {Map<string, number>} */
    const seen = new Map()
    for (const op of ops) {
      const i = seen.get(op.operatorName) ?? 0
      seen.set(op.operatorName, i + 1)
      const box = this.stateBoxes.get(op.operatorName)?.[i]
      if (!box) continue
      const figures = [
        ['rows', fmtCount(op.numRowsTotal)], ['updated', fmtCount(op.numRowsUpdated)], ['removed', fmtCount(op.numRowsRemoved)],
        ['late dropped', fmtCount(op.numRowsDroppedByWatermark)], ['memory', fmtBytes(op.memoryUsedBytes)],
      ]
      if (box.children.length !== figures.length * 2) {
        box.replaceChildren(...figures.flatMap(([k]) => [h('dt', { text: k }), h('dd')]))
      }
      figures.forEach(([, v], j) => setText(/** @type {Element} */ (box.children[j * 2 + 1]), /** @type {string} */ (v)))
      box.dataset.rows = String(op.numRowsTotal)
    }
  }
}

/** @param {PlanNode} n @returns {number} */
function countLeaves(n) {
  return n.children.length === 0 ? 1 : n.children.reduce((a, c) => a + countLeaves(c), 0)
}

/** @param {PlanNode} n @returns {number} */
function maxDepth(n) {
  return n.children.reduce((a, c) => Math.max(a, maxDepth(c)), n.depth)
}
