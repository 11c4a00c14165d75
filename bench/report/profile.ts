/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and names the functions with the most self
 * time, so the report can say where a workload's time goes.
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}

interface CpuProfile {
  readonly startTime: number
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

export interface HotFunction {
  readonly name: string
  /** `path:line` relative to the repository, or the runtime's category. */
  readonly where: string
  readonly selfPct: number
}

/** A window of V8's monotonic clock (µs), e.g. one timed run (`bench/workload.ts` BENCH_PROFILE). */
export interface TimeWindow {
  readonly start: number
  readonly end: number
}

export function hotFunctions(file: string, root: string, top = 8, window: TimeWindow | null = null): HotFunction[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<string, { name: string; where: string; us: number }>()
  let total = 0
  let t = p.startTime
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!)
    const dt = p.timeDeltas[i] ?? 0
    t += dt
    if (!node || (window && (t < window.start || t > window.end))) continue
    const f = node.callFrame
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue
    total += dt
    const url = f.url.replace(/^file:\/\//, '')
    // Line numbers are of tsx's transformed code, so only the file is named.
    const where = url === '' ? 'native' : url.startsWith(root) ? url.slice(root.length + 1) : url.replace(/^.*node_modules\//, '')
    const key = `${f.functionName}@${where}`
    const e = self.get(key) ?? { name: f.functionName || '(anonymous)', where, us: 0 }
    e.us += dt
    self.set(key, e)
  }
  return [...self.values()].sort((a, b) => b.us - a.us).slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfPct: total > 0 ? (e.us / total) * 100 : 0 }))
}
