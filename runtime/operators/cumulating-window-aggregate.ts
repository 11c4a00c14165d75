/**
 * CUMULATE: windows [s, s + step), [s, s + 2·step) … [s, s + size), where s is the tumbling
 * start for `size`; a row is in every such window with t < end. Panes are the steps: a window
 * is the panes from s up to its end, merged when it is emitted.
 */
import type { WindowAggregateNode } from '../graph.ts'
import { internalError } from '../errors.ts'
import { PaneWindowAggregate, alignedStart, type PaneAssigner } from './pane-window-aggregate.ts'

export class CumulatingWindowAggregate extends PaneWindowAggregate {
  readonly name = 'CumulatingWindowAggregate'

  constructor(node: WindowAggregateNode) {
    const w = node.window
    if (w.kind !== 'cumulating') throw internalError(`CumulatingWindowAggregate given a ${w.kind} window`)
    if (!(w.step > 0 && w.size > 0 && w.size % w.step === 0)) {
      throw internalError(`cumulating window size ${w.size} must be a positive multiple of its step ${w.step}`)
    }
    super(node, cumulatingPanes(w.size, w.step, w.offset))
  }
}

function cumulatingPanes(size: number, step: number, offset: number): PaneAssigner {
  const cycle = (p: number): number => alignedStart(p, size, offset)
  return {
    paneSize: step,
    paneOf: (t) => alignedStart(t, step, offset),
    lastEnd: (p) => cycle(p) + size,
    windowsOf: (p, visit) => {
      const s = cycle(p)
      for (let end = p + step; end <= s + size; end += step) visit(s, end)
    },
    panesOf: (start, end) => {
      const out: number[] = []
      for (let p = start; p < end; p += step) out.push(p)
      return out
    },
  }
}
