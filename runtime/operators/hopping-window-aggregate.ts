/**
 * HOP: windows of `size` every `slide`; a row is in every window with start <= t < end.
 *
 * By panes of gcd(size, slide): a row updates one pane accumulator instead of size/slide
 * window accumulators, and a window is its panes merged when it is emitted.
 */
import type { WindowAggregateNode } from '../graph.ts'
import { internalError } from '../errors.ts'
import { PaneWindowAggregate, alignedStart, type PaneAssigner } from './pane-window-aggregate.ts'

export class HoppingWindowAggregate extends PaneWindowAggregate {
  readonly name = 'HoppingWindowAggregate'

  constructor(node: WindowAggregateNode) {
    const w = node.window
    if (w.kind !== 'hopping') throw internalError(`HoppingWindowAggregate given a ${w.kind} window`)
    if (!(w.size > 0 && w.slide > 0 && Number.isInteger(w.size) && Number.isInteger(w.slide))) {
      throw internalError(`invalid hopping window size ${w.size} / slide ${w.slide}`)
    }
    super(node, hoppingPanes(w.size, w.slide, w.offset))
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

function hoppingPanes(size: number, slide: number, offset: number): PaneAssigner {
  const pane = gcd(size, slide)
  // The last window holding pane p starts at the latest slide boundary <= p.
  const lastStart = (p: number): number => alignedStart(p, slide, offset)
  return {
    paneSize: pane,
    paneOf: (t) => alignedStart(t, pane, offset),
    lastEnd: (p) => lastStart(p) + size,
    windowsOf: (p, visit) => {
      const first: number[] = []
      for (let s = lastStart(p); s + size > p; s -= slide) first.push(s)
      for (let i = first.length - 1; i >= 0; i--) visit(first[i] as number, (first[i] as number) + size)
    },
    panesOf: (start, end) => {
      const out: number[] = []
      for (let p = start; p < end; p += pane) out.push(p)
      return out
    },
  }
}
