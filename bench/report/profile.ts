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

export function hotFunctions(file: string, root: string, top = 8): HotFunction[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<string, { name: string; where: string; us: number }>()
  let total = 0
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!)
    const dt = p.timeDeltas[i] ?? 0
    if (!node) continue
    const f = node.callFrame
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue
    total += dt
    const url = f.url.replace(/^file:\/\//, '')
    const where = url === '' ? 'native' : `${url.startsWith(root) ? url.slice(root.length + 1) : url.replace(/^.*node_modules\//, '')}:${f.lineNumber + 1}`
    const key = `${f.functionName}@${where}`
    const e = self.get(key) ?? { name: f.functionName || '(anonymous)', where, us: 0 }
    e.us += dt
    self.set(key, e)
  }
  return [...self.values()].sort((a, b) => b.us - a.us).slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfPct: total > 0 ? (e.us / total) * 100 : 0 }))
}
