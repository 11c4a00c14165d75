/**
 * TUMBLE: one window per row, [start, start + size). A window is its own single pane, so a
 * row updates exactly one accumulator and emission needs no merge.
 */
import type { WindowAggregateNode } from '../graph.ts'
import { internalError } from '../errors.ts'
import { PaneWindowAggregate, alignedStart, type PaneAssigner } from './pane-window-aggregate.ts'

export class TumblingWindowAggregate extends PaneWindowAggregate {
  readonly name = 'TumblingWindowAggregate'

  constructor(node: WindowAggregateNode) {
    const w = node.window
    if (w.kind !== 'tumbling') throw internalError(`TumblingWindowAggregate given a ${w.kind} window`)
    if (!(w.size > 0)) throw internalError(`invalid tumbling window size ${w.size}`)
    super(node, tumblingPanes(w.size, w.offset))
  }
}

function tumblingPanes(size: number, offset: number): PaneAssigner {
  return {
    paneSize: size,
    paneOf: (t) => alignedStart(t, size, offset),
    lastEnd: (p) => p + size,
    windowsOf: (p, visit) => visit(p, p + size),
    panesOf: (start) => [start],
  }
}
