/**
 * The generated row loop of `PaneWindowAggregate`: find the row's pane (cached across rows),
 * its group, and apply the whole aggregate list inline. Generated once per operator, so each
 * operator's loop has its own type feedback and its calls stay monomorphic and inlinable even
 * when many queries run. The text holds only integers, the literal pane width and fixed code.
 *
 * Rare paths (a new pane, a new group, the first touch of a group in a batch) call back into
 * the operator through `PaneKernelHost`.
 */
import type { Row } from '../types.ts'
import { int, type Accumulators } from './accumulators.ts'
import type { Group } from './aggregate-base.ts'
import type { GroupKeys, LookupKey } from './group-keys.ts'

export type Pane = Map<LookupKey, Group>

export interface PaneKernelHost {
  paneOf(t: number): number
  /** The pane to update for rows of pane start `p`, or undefined when they are late for all its windows. */
  enterPane(p: number, watermark: number | null): Pane | undefined
  /** How many windows containing pane `p` end at or before the watermark (a row there is dropped once per such window). */
  lateWindows(p: number, watermark: number | null): number
  addGroup(pane: Pane, p: number, k: LookupKey, row: Row): Group
  touch(g: Group): void
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
  const update = accs.updateSource()
  const keyCode = keys.singleColumn !== null ? `row[${int(keys.singleColumn)}] ?? null` : 'lookup(row)'
  const source = `
return function paneKernel(rows, wm, epoch) {
  let paneStart = NaN, paneLimit = NaN, pane = undefined, dropped = 0, late = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const t = row[${int(timeColumn)}];
    if (typeof t !== 'number') continue;
    if (!(t >= paneStart && t < paneLimit)) {
      paneStart = host.paneOf(t);
      paneLimit = paneStart + ${JSON.stringify(paneSize)};
      pane = host.enterPane(paneStart, wm);
      late = host.lateWindows(paneStart, wm);
    }
    dropped += late;
    if (pane === undefined) continue;
    const k = ${keyCode};
    let g = pane.get(k);
    if (g === undefined) g = host.addGroup(pane, paneStart, k, row);
    else if (g.epoch !== epoch) host.touch(g);
    const s = g.acc;
${update.body}
  }
  return dropped;
}`
  const factory = new Function('host', 'lookup', 'f', 'cmp', source) as (
    h: PaneKernelHost,
    lookup: GroupKeys['lookup'],
    f: typeof update.fns,
    cmp: typeof update.cmp,
  ) => PaneKernel
  return factory(host, keys.lookup, update.fns, update.cmp)
}
