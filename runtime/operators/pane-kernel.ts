/**
 * The generated row loop of `PaneWindowAggregate`: find the row's pane (the last two are
 * cached: rows out of order by up to the watermark delay hop back and forth across a pane
 * boundary), its group's index in the pane, and apply the whole aggregate list inline to the
 * pane's accumulator columns (held in locals while the pane stays the same). Generated once per
 * operator, so each operator's loop has its own type feedback and its calls stay monomorphic
 * and inlinable even when many queries run. The text holds only integers, the literal pane
 * width and fixed code.
 *
 * Rare paths (a new pane, a new group, the first touch of a group in a batch) call back into
 * the operator through `PaneKernelHost`.
 */
import type { Row } from '../types.ts'
import { int, type Accumulators } from './accumulators.ts'
import type { GroupKeys, LookupKey } from './group-keys.ts'
import type { PaneGroups } from './pane-state.ts'

export interface PaneKernelHost {
  paneOf(t: number): number
  /** The pane to update for rows of pane start `p`, or undefined when they are late for all its windows. */
  enterPane(p: number, watermark: number | null): PaneGroups | undefined
  /** How many windows containing pane `p` end at or before the watermark (a row there is dropped once per such window). */
  lateWindows(p: number, watermark: number | null): number
  /** Adds the group of lookup key `k` (first seen in `row`) to `pane`; returns its index. */
  addGroup(pane: PaneGroups, k: LookupKey, row: Row): number
  /** Marks group `i` of `pane` as touched in this batch (called when its epoch is an older one). */
  touch(pane: PaneGroups, i: number): void
}

/** Applies a chunk of rows; returns the number of (row, window) pairs dropped as late. */
export type PaneKernel = (rows: readonly Row[], watermark: number | null, epoch: number) => number

export function compilePaneKernel(
  host: PaneKernelHost,
  timeColumn: number,
  paneSize: number,
  keys: GroupKeys,
  accs: Accumulators,
): PaneKernel {
  if (!Number.isFinite(paneSize) || paneSize <= 0) throw new RangeError(`invalid pane size ${paneSize}`)
  const update = accs.updateSource((o) => `c${o}[gi]`)
  const keyCode = keys.singleColumn !== null ? `row[${int(keys.singleColumn)}] ?? null` : 'lookup(row)'
  const columns = Array.from({ length: accs.width }, (_, o) => `c${int(o)}`)
  const declare = columns.length === 0 ? '' : `let ${columns.join(', ')};`
  const load = columns.map((c, o) => `${c} = pane.accs[${int(o)}];`).join(' ')
  const source = `
return function paneKernel(rows, wm, epoch) {
  let paneStart = NaN, paneLimit = NaN, pane = undefined, dropped = 0, late = 0;
  let prevStart = NaN, prevLimit = NaN, prevPane = undefined, prevLate = 0;
  let index = undefined, epochs = undefined; ${declare}
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const t = row[${int(timeColumn)}];
    if (typeof t !== 'number') continue;
    if (!(t >= paneStart && t < paneLimit)) {
      const lastStart = paneStart, lastLimit = paneLimit, lastPane = pane, lastLate = late;
      if (t >= prevStart && t < prevLimit) {
        paneStart = prevStart; paneLimit = prevLimit; pane = prevPane; late = prevLate;
      } else {
        paneStart = host.paneOf(t);
        paneLimit = paneStart + ${JSON.stringify(paneSize)};
        pane = host.enterPane(paneStart, wm);
        late = host.lateWindows(paneStart, wm);
      }
      prevStart = lastStart; prevLimit = lastLimit; prevPane = lastPane; prevLate = lastLate;
      if (pane !== undefined) { index = pane.index; epochs = pane.epochs; ${load} }
    }
    dropped += late;
    if (pane === undefined) continue;
    const k = ${keyCode};
    let gi = index.get(k);
    if (gi === undefined) gi = host.addGroup(pane, k, row);
    else if (epochs[gi] !== epoch) host.touch(pane, gi);
${update.body}
  }
  return dropped;
}`
  const factory = new Function('host', 'lookup', 'f', 'cmp', 'less', source) as (
    h: PaneKernelHost,
    lookup: GroupKeys['lookup'],
    f: typeof update.fns,
    cmp: typeof update.cmp,
    less: typeof update.less,
  ) => PaneKernel
  return factory(host, keys.lookup, update.fns, update.cmp, update.less)
}
