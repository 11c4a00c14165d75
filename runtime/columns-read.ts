/**
 * Which columns of each source a query reads: a source may leave the others NULL (the file
 * source's scanner then does not copy them, and the query's thread does not build them).
 *
 * Worked top down: the sink reads every output column; each operator says which of its input's
 * columns it needs for the output columns that are read, plus those its own expressions, keys,
 * window and watermark use. Anything not known to be safe reads every column.
 */
import { columnsOf, nodeInputs, type Expr, type OperatorNode } from './graph.ts'

/** Per stream, the sorted column positions read (a stream read twice, as in a self-join: the union). */
export function columnsRead(root: OperatorNode): Map<string, number[]> {
  const read = new Map<string, Set<number>>()
  visit(root, all(root), read)
  return new Map([...read].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]))
}

function all(node: OperatorNode): Set<number> {
  return new Set(node.schema.fields.map((_f, i) => i))
}

/** Adds the columns `e` reads to `into`. */
function exprColumns(e: Expr | null | undefined, into: Set<number>): void {
  if (e) for (const c of columnsOf(e)) into.add(c)
}

/** `need`: the columns of `node`'s output that are read above it. */
function visit(node: OperatorNode, need: Set<number>, read: Map<string, Set<number>>): void {
  switch (node.kind) {
    case 'source': {
      const cols = read.get(node.source) ?? new Set<number>()
      for (const c of need) cols.add(c)
      if (node.watermark) cols.add(node.watermark.column)
      read.set(node.source, cols)
      return
    }
    case 'static-table':
      return
    case 'filter':
    case 'sort': {
      const cols = new Set(need)
      if (node.kind === 'filter') exprColumns(node.predicate, cols)
      else for (const k of node.keys) exprColumns(k.expr, cols)
      visit(node.input, cols, read)
      return
    }
    case 'project': {
      // Every expression, even of an output column nobody reads: it is still evaluated.
      const cols = new Set<number>()
      for (const e of node.exprs) exprColumns(e, cols)
      visit(node.input, cols, read)
      return
    }
    case 'window-aggregate':
    case 'aggregate': {
      const cols = new Set<number>()
      for (const k of node.keys) exprColumns(k, cols)
      for (const a of node.aggregates) exprColumns(a.arg, cols)
      if (node.kind === 'window-aggregate') cols.add(node.window.timeColumn)
      visit(node.input, cols, read)
      return
    }
    case 'join': {
      if (node.inputs === 'stream-stream') {
        // Buffered rows are state: a restarted query may read more of them than this plan does.
        visit(node.left, all(node.left), read)
        visit(node.right, all(node.right), read)
        return
      }
      const leftWidth = node.left.schema.fields.length
      const combined = new Set<number>()
      for (const i of need) combined.add(node.output ? node.output[i]! : i)
      exprColumns(node.condition, combined)
      const left = new Set<number>()
      const right = new Set<number>()
      for (const c of combined) (c < leftWidth ? left : right).add(c < leftWidth ? c : c - leftWidth)
      for (const k of node.leftKeys) exprColumns(k, left)
      for (const k of node.rightKeys) exprColumns(k, right)
      visit(node.left, left, read)
      visit(node.right, right, read)
      return
    }
    default:
      // Deduplication compares whole rows; anything else unknown here reads everything.
      for (const input of nodeInputs(node)) visit(input, all(input), read)
  }
}
