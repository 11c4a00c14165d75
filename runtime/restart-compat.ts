/**
 * Whether a query may resume from a checkpoint written by a different plan — Spark's rules for
 * changes between restarts, applied to two `QueryGraph`s:
 *
 * - allowed: filters added, removed or changed; projections changed while the output columns
 *   (names and types) stay the same; rate limits (not part of the plan);
 * - refused: a different set of sources or a changed watermark; stateful operators added,
 *   removed or changed (window, grouping keys, aggregates, output mode, event-time key,
 *   deduplicated columns, join keys or type); different output columns.
 *
 * Operator state is stored by node id (`op-<id>`), and the planner numbers nodes in order, so
 * adding a filter below an aggregation renumbers it. `reconcilePlan` therefore returns the new
 * graph with each stateful node carrying its old id (other nodes renumbered around them).
 */
import { WeirError } from './errors.ts'
import type { OperatorNode, QueryGraph } from './graph.ts'
import type { QueryCheckpoint } from './checkpoint.ts'

type StatefulNode = Extract<OperatorNode, { kind: 'window-aggregate' | 'aggregate' | 'deduplicate' | 'join' }>

/** The fields of a stateful node that its state depends on, with the words for a message. */
function stateSignature(n: StatefulNode): Record<string, unknown> {
  switch (n.kind) {
    case 'window-aggregate':
      return { window: n.window, 'grouping keys': n.keys, aggregates: n.aggregates, 'output mode': n.outputMode }
    case 'aggregate':
      return { 'grouping keys': n.keys, aggregates: n.aggregates, 'output mode': n.outputMode, 'event-time key': n.eventTimeKey }
    case 'deduplicate':
      return { 'deduplicated columns': n.schema.fields.map((f) => f.type), 'event-time column': n.eventTimeColumn }
    case 'join':
      return { 'join type': n.joinType, 'join keys': [n.leftKeys, n.rightKeys], 'join condition': n.condition }
  }
}

/** JSON without the EXPLAIN-only `name` of columns and aggregate calls. */
function canonical(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    if (key === 'name' && ('index' in this || 'fn' in this)) return undefined
    return v
  })
}

function nodes(root: OperatorNode): OperatorNode[] {
  const out: OperatorNode[] = []
  const visit = (n: OperatorNode): void => {
    if (n.kind === 'join') {
      visit(n.left)
      visit(n.right)
    } else if (n.kind !== 'source' && n.kind !== 'static-table') {
      visit(n.input)
    }
    out.push(n)
  }
  visit(root)
  return out
}

function isStateful(n: OperatorNode): n is StatefulNode {
  return n.kind === 'window-aggregate' || n.kind === 'aggregate' || n.kind === 'deduplicate' || n.kind === 'join'
}

/** What changed between two plans in a way their state cannot survive; empty when nothing did. */
export function incompatibleChanges(old: QueryGraph, next: QueryGraph): string[] {
  const changes: string[] = []
  const oldSources = [...old.sources].sort()
  const newSources = [...next.sources].sort()
  if (canonical(oldSources) !== canonical(newSources)) {
    changes.push(`the sources changed (${oldSources.join(', ') || 'none'} → ${newSources.join(', ') || 'none'})`)
  }
  const watermarks = (g: QueryGraph): Map<string, string> =>
    new Map(nodes(g.root).flatMap((n) => (n.kind === 'source' ? [[n.source, canonical(n.watermark)] as const] : [])))
  const oldWm = watermarks(old)
  for (const [source, wm] of watermarks(next)) {
    const before = oldWm.get(source)
    if (before !== undefined && before !== wm) changes.push(`the watermark of ${source} changed`)
  }
  const oldStateful = nodes(old.root).filter(isStateful)
  const newStateful = nodes(next.root).filter(isStateful)
  if (oldStateful.length !== newStateful.length || oldStateful.some((n, i) => n.kind !== newStateful[i]!.kind)) {
    const kinds = (ns: StatefulNode[]): string => ns.map((n) => n.kind).join(', ') || 'none'
    changes.push(`the stateful operators changed (${kinds(oldStateful)} → ${kinds(newStateful)})`)
  } else {
    oldStateful.forEach((o, i) => {
      const a = stateSignature(o)
      const b = stateSignature(newStateful[i]!)
      for (const field of Object.keys(a)) {
        if (canonical(a[field]) !== canonical(b[field])) changes.push(`the ${field} of the ${o.kind} changed`)
      }
    })
  }
  const columns = (g: QueryGraph): string => g.schema.fields.map((f) => `${f.name} ${f.type}`).join(', ')
  if (columns(old) !== columns(next)) changes.push(`the output columns changed (${columns(old)} → ${columns(next)})`)
  return changes
}

/**
 * The new graph with its stateful nodes renumbered to the ids of the old plan's (so they read
 * their state back); throws `INCOMPATIBLE_RESTART` when the plans' state is incompatible.
 */
export function reconcilePlan(old: QueryGraph, next: QueryGraph, queryLabel: string): QueryGraph {
  const changes = incompatibleChanges(old, next)
  if (changes.length > 0) {
    throw new WeirError('INCOMPATIBLE_RESTART',
      `${queryLabel} cannot resume from its checkpoint: ${changes.join('; ')}. ` +
      `Start it under a new query name (SET query_name = '…') to begin from scratch, stop it with purge ` +
      `(DELETE /v1/queries/<id>?purge=true) to drop its checkpoint, or restore the previous statement`,
      { domain: 'user', status: 409 })
  }
  const oldIds = nodes(old.root).filter(isStateful).map((n) => n.id)
  const newStateful = nodes(next.root).filter(isStateful)
  if (newStateful.every((n, i) => n.id === oldIds[i])) return next
  const idOf = new Map<OperatorNode, number>(newStateful.map((n, i) => [n, oldIds[i]!]))
  const taken = new Set(oldIds)
  let fresh = 0
  const renumber = (n: OperatorNode): OperatorNode => {
    let id = idOf.get(n)
    if (id === undefined) {
      while (taken.has(fresh)) fresh++
      id = fresh++
    }
    switch (n.kind) {
      case 'source':
      case 'static-table':
        return { ...n, id }
      case 'join':
        return { ...n, id, left: renumber(n.left), right: renumber(n.right) }
      default:
        return { ...n, id, input: renumber(n.input) }
    }
  }
  return { ...next, root: renumber(next.root) }
}

/**
 * Checks a plan against the one stored in the checkpoint, stores the plan the query runs with,
 * and returns it (with stateful ids carried over).
 */
export async function resumePlan(checkpoint: QueryCheckpoint, graph: QueryGraph, queryLabel: string): Promise<QueryGraph> {
  const old = await checkpoint.readPlan()
  const plan = old === null ? graph : reconcilePlan(old, graph, queryLabel)
  if (old === null || canonical(old) !== canonical(plan)) await checkpoint.writePlan(plan)
  return plan
}
