/**
 * EXPLAIN: the operator graph as stable text, one operator per line, children indented. Each
 * line names the operator, its arguments, whether its output is append-only, updating or a
 * snapshot, its watermark, and for stateful operators whether state is bounded.
 */
import type { JoinNode, JoinSideTime, OperatorNode, OutputMode, QueryGraph } from '../runtime/graph.ts'
import { assertNever } from '../runtime/errors.ts'
import { formatExpr } from './format-expr.ts'
import { formatDuration } from '../runtime/duration.ts'
import { describeWindow } from './windows.ts'

export interface ExplainTarget {
  /** e.g. `memory sink per_minute` or `push query`. */
  readonly description: string
}

export function explainGraph(graph: QueryGraph, target: ExplainTarget, warnings: readonly string[]): string {
  const lines: string[] = [`Query output=${graph.outputMode} into ${target.description}`]
  walk(graph.root, 1, lines, graph.outputMode)
  for (const w of warnings) lines.push(`WARNING: ${w}`)
  return lines.join('\n')
}

type Emits = 'append-only' | 'updating' | 'snapshot'

function walk(node: OperatorNode, depth: number, lines: string[], mode: OutputMode): Emits {
  const at = lines.length
  lines.push('')
  let emits: Emits
  let text: string
  const inNames = (n: OperatorNode): string[] => n.schema.fields.map((f) => f.name)
  switch (node.kind) {
    case 'source': {
      emits = 'append-only'
      const wm = node.watermark
        ? ` watermark=${node.schema.fields[node.watermark.column]!.name} - ${formatDuration(node.watermark.delayMs)}`
        : ''
      text = `Source ${node.source}${wm}`
      break
    }
    case 'static-table':
      emits = 'append-only'
      text = `StaticTable ${node.table}`
      break
    case 'filter': {
      emits = walk(node.input, depth + 1, lines, mode)
      text = `Filter ${formatExpr(node.predicate, inNames(node.input))}`
      break
    }
    case 'project': {
      emits = walk(node.input, depth + 1, lines, mode)
      const names = inNames(node.input)
      text = `Project ${node.exprs.map((e, i) => {
        const f = formatExpr(e, names)
        const out = node.schema.fields[i]!.name
        return f === out ? f : `${f} AS ${out}`
      }).join(', ')}`
      break
    }
    case 'window-aggregate': {
      walk(node.input, depth + 1, lines, mode)
      const names = inNames(node.input)
      const keys = node.keys.map((k) => formatExpr(k, names)).join(', ')
      const aggs = node.aggregates.map((a) => a.name).join(', ')
      const state = node.outputMode === 'complete' ? 'state=unbounded (complete mode keeps every window)' : 'state=bounded by watermark'
      text = `${windowOperatorName(node.window.kind)} ${describeWindow(node.window, names[node.window.timeColumn]!)} keys=[${keys}] aggregates=[${aggs}] ${state}`
      emits = emitsFor(node.outputMode)
      break
    }
    case 'aggregate': {
      walk(node.input, depth + 1, lines, mode)
      const names = inNames(node.input)
      const keys = node.keys.map((k) => formatExpr(k, names)).join(', ')
      const aggs = node.aggregates.map((a) => a.name).join(', ')
      const bounded = node.eventTimeKey !== null && node.outputMode !== 'complete'
      text = `Aggregate keys=[${keys}] aggregates=[${aggs}] state=${bounded ? 'bounded by watermark' : 'UNBOUNDED'}`
      emits = emitsFor(node.outputMode)
      break
    }
    case 'deduplicate': {
      emits = walk(node.input, depth + 1, lines, mode)
      const names = inNames(node.input)
      text = `Deduplicate ${node.eventTimeColumn === null ? 'state=UNBOUNDED' : `state=bounded by watermark on ${names[node.eventTimeColumn]}`}`
      break
    }
    case 'sort': {
      emits = walk(node.input, depth + 1, lines, mode)
      const names = inNames(node.input)
      const keys = node.keys.map((k) => `${formatExpr(k.expr, names)} ${k.descending ? 'DESC' : 'ASC'}${k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`)
      text = `Sort [${keys.join(', ')}]${node.limit !== null ? ` limit=${node.limit}` : ''}`
      break
    }
    case 'join': {
      walk(node.left, depth + 1, lines, mode)
      walk(node.right, depth + 1, lines, mode)
      text = describeJoin(node)
      emits = 'append-only'
      break
    }
    default:
      return assertNever(node, 'operator node')
  }
  lines[at] = `${'  '.repeat(depth)}${text} [${emits}]`
  return emits
}

function emitsFor(mode: OutputMode): Emits {
  return mode === 'append' ? 'append-only' : mode === 'update' ? 'updating' : 'snapshot'
}

export function windowOperatorName(kind: 'tumbling' | 'hopping' | 'cumulating' | 'session'): string {
  switch (kind) {
    case 'tumbling': return 'TumblingWindowAggregate'
    case 'hopping': return 'HoppingWindowAggregate'
    case 'cumulating': return 'CumulatingWindowAggregate'
    case 'session': return 'SessionWindowAggregate'
  }
}

const JOIN_TYPE_TEXT: Record<JoinNode['joinType'], string> = { inner: 'inner', left: 'left outer', right: 'right outer', full: 'full outer' }

/** `StreamStreamJoin inner keys=[k = k] condition=… left=[…] right=[…]` and the state bound. */
function describeJoin(node: JoinNode): string {
  const l = node.left.schema.fields.map((f) => f.name)
  const r = node.right.schema.fields.map((f) => f.name)
  const keys = node.leftKeys.map((k, i) => `${formatExpr(k, l)} = ${formatExpr(node.rightKeys[i]!, r)}`).join(', ')
  const parts = [`${JOIN_TYPE_TEXT[node.joinType]} keys=[${keys}]`]
  if (node.condition) parts.push(`condition=${formatExpr(node.condition, [...l, ...r])}`)
  if (node.leftFilter) parts.push(`left_filter=${formatExpr(node.leftFilter, l)}`)
  if (node.rightFilter) parts.push(`right_filter=${formatExpr(node.rightFilter, r)}`)
  if (node.output) parts.push(`output=[${node.schema.fields.map((f, i) => { const from = [...l, ...r][node.output![i]!]; return from === f.name ? f.name : `${from} AS ${f.name}` }).join(', ')}]`)
  if (node.inputs !== 'stream-stream') {
    return `${node.inputs === 'stream-static' ? 'StreamStaticJoin' : 'StaticStreamJoin'} ${parts.join(' ')} state=none (static side hashed per version)`
  }
  const side = (t: JoinSideTime | null, names: readonly string[]): string => {
    if (!t || !t.evict) return 'UNBOUNDED'
    return `bounded: drop ${names[t.evict.column]} <= ${offsetText(t.evict.offsetMs)}`
  }
  const bounded = node.leftTime?.evict && node.rightTime?.evict
  parts.push(`left_state=${side(node.leftTime, l)}`, `right_state=${side(node.rightTime, r)}`)
  parts.push(`state=${bounded ? 'bounded by watermark' : 'UNBOUNDED'}`)
  return `StreamStreamJoin ${parts.join(' ')}`
}

/** `watermark - 1h - 1ms`: the offset in whole units, largest first. */
function offsetText(ms: number): string {
  let rest = Math.abs(ms)
  let text = 'watermark'
  for (const size of [86_400_000, 3_600_000, 60_000, 1000, 1]) {
    const part = Math.floor(rest / size) * size
    if (part === 0) continue
    text += `${ms > 0 ? ' + ' : ' - '}${formatDuration(part)}`
    rest -= part
  }
  return text
}
