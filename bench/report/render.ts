/**
 * Turns one benchmark run into the Markdown tables of `docs/benchmarks.md` (figures, ratios,
 * targets) and the throughput chart. Every ratio compares two figures from the same run.
 */
import type { WorkloadResult } from '../workload.ts'
import type { LatencyResult } from '../latency.ts'
import type { CompareResult } from '../peers/compare.ts'
import type { HotFunction } from './profile.ts'
import { median, pct, rate, ratio, spread, table } from './stats.ts'
import { barChart } from './svg-chart.ts'

export interface PeerResult {
  readonly engine: 'spark' | 'flink'
  readonly query: string
  readonly rows: number
  readonly oneFileRows: number
  readonly allMs: readonly number[]
  readonly oneMs: readonly number[]
  readonly cpuMs: readonly number[]
  readonly peakRssMb: number
}

export interface RunReport {
  readonly quick: boolean
  readonly date: string
  readonly machine: string
  readonly versions: string
  readonly bids: number
  readonly rounds: number
  readonly workloads: readonly WorkloadResult[]
  readonly latency: (LatencyResult & { readonly error?: string }) | null
  readonly peers: readonly PeerResult[]
  readonly peerNotes: readonly string[]
  readonly checks: readonly CompareResult[]
  readonly profiles: readonly { readonly label: string; readonly top: readonly HotFunction[] }[]
  readonly otherBenches: readonly { readonly name: string; readonly output: string }[]
}

const rowsPerSec = (rows: number, ms: readonly number[]): number => rows / (median(ms) / 1000)
const cpuPerM = (rows: number, cpuMs: readonly number[]): number => median(cpuMs) / 1000 / (rows / 1e6)

/** A peer's throughput: marginal rows/s between the first file and all files (job start excluded), else end to end. */
export function peerRate(p: PeerResult): { rate: number; marginal: boolean } {
  const dRows = p.rows - p.oneFileRows
  const dMs = median(p.allMs) - median(p.oneMs)
  if (dRows > 0 && dMs > 0) return { rate: dRows / (dMs / 1000), marginal: true }
  return { rate: rowsPerSec(p.rows, p.allMs), marginal: false }
}

function find(r: RunReport, workload: string, input: 'rows' | 'json'): WorkloadResult | undefined {
  return r.workloads.find((w) => w.workload === workload && w.input === input)
}

export function workloadNames(r: RunReport): string[] {
  return [...new Set(r.workloads.map((w) => w.workload))]
}

/** Weir's JSON-input throughput per workload, or NaN. */
function weirJson(r: RunReport, name: string): number {
  const j = find(r, name, 'json')
  return j && !j.skipped ? rowsPerSec(j.inputRows, j.engine.map((s) => s.ms)) : NaN
}

function peer(r: RunReport, engine: string, name: string): PeerResult | undefined {
  return r.peers.find((p) => p.engine === engine && p.query === name)
}

export function limitsTable(r: RunReport): string {
  const rows = workloadNames(r).map((name) => {
    const e = find(r, name, 'rows')
    const j = find(r, name, 'json')
    if (e?.skipped) return [name, `skipped: ${e.skipped}`, '', '', '', '', '', '', '', '', '', '']
    const eng = e ? rowsPerSec(e.inputRows, e.engine.map((s) => s.ms)) : NaN
    const hand = e ? rowsPerSec(e.inputRows, e.limit.map((s) => s.ms)) : NaN
    const js = j ? rowsPerSec(j.inputRows, j.engine.map((s) => s.ms)) : NaN
    const floor = j ? rowsPerSec(j.inputRows, j.limit.map((s) => s.ms)) : NaN
    const one = j?.oneCore?.length ? rowsPerSec(j.inputRows, j.oneCore.map((s) => s.ms)) : NaN
    const noise = Math.max(spread(e?.engine.map((s) => s.ms) ?? []), spread(j?.engine.map((s) => s.ms) ?? []))
    return [
      name, rate(eng), rate(hand), pct(eng, hand), rate(js), rate(one), `${ratio(js, one)}${j?.sameOutput === false ? ' (**output differs**)' : ''}`,
      rate(floor), pct(js, floor),
      `${e ? cpuPerM(e.inputRows, e.engine.map((s) => s.cpuMs)).toFixed(2) : '–'} / ${j ? cpuPerM(j.inputRows, j.engine.map((s) => s.cpuMs)).toFixed(2) : '–'}`,
      `${e ? Math.round(e.peakRssMb) : '–'} / ${j ? Math.round(j.peakRssMb) : '–'}`, `±${Math.round(noise * 50)}%`,
    ]
  })
  return table(['workload', 'Weir, embedded rows/s', 'hand loop rows/s', 'engine ÷ hand', 'Weir, JSON files rows/s', 'Weir, JSON, one core rows/s',
    'every core ÷ one core', 'JSON-parse floor rows/s (one core)', 'JSON ÷ floor', 'CPU s per M rows (embedded / JSON)', 'peak RSS MB (embedded / JSON)', 'run-to-run spread'], rows)
}

export function peersTable(r: RunReport): string {
  const rows = workloadNames(r).map((name) => {
    const w = weirJson(r, name)
    const j = find(r, name, 'json')
    const cells = [name, rate(w), j && !j.skipped ? cpuPerM(j.inputRows, j.engine.map((s) => s.cpuMs)).toFixed(2) : '–']
    for (const engine of ['spark', 'flink']) {
      const p = peer(r, engine, name)
      if (!p) {
        cells.push('–', '–', '–')
        continue
      }
      const pr = peerRate(p)
      cells.push(`${rate(pr.rate)}${pr.marginal ? '' : ' (e2e)'} (${rate(rowsPerSec(p.rows, p.allMs))} with start)`, cpuPerM(p.rows, p.cpuMs).toFixed(2), ratio(w, pr.rate))
    }
    return cells
  })
  return table(['workload', 'Weir JSON rows/s', 'Weir CPU s/M', 'Spark rows/s', 'Spark CPU s/M', 'Weir ÷ Spark', 'Flink rows/s', 'Flink CPU s/M', 'Weir ÷ Flink'], rows)
}

export function latencyTable(r: RunReport): string {
  if (!r.latency) return 'not measured'
  if (r.latency.error) return `failed: ${r.latency.error}`
  const rows = r.latency.queries.map((q) => [q.name, q.mode, q.p50.toFixed(2), q.p99.toFixed(2), q.max.toFixed(1), String(q.n), String(q.lost)])
  return `Server start (spawn → "listening on"), median of ${r.latency.startMs.length}: **${median(r.latency.startMs).toFixed(0)} ms** ` +
    `(${r.latency.startMs.map((m) => m.toFixed(0)).join(', ')})\n\n` +
    table(['query', 'mode', 'p50 ms', 'p99 ms', 'max ms', 'rows', 'lost'], rows)
}

export interface TargetCheck {
  readonly target: string
  readonly measured: string
  readonly met: boolean | null
}

export function targets(r: RunReport): TargetCheck[] {
  const out: TargetCheck[] = []
  for (const name of workloadNames(r)) {
    const e = find(r, name, 'rows')
    const j = find(r, name, 'json')
    if (e && !e.skipped) {
      const v = rowsPerSec(e.inputRows, e.engine.map((s) => s.ms)) / rowsPerSec(e.inputRows, e.limit.map((s) => s.ms))
      out.push({ target: `${name}: engine ≥ 60% of the hand loop`, measured: pct(v, 1), met: v >= 0.6 })
    }
    if (j && !j.skipped) {
      const v = rowsPerSec(j.inputRows, j.engine.map((s) => s.ms)) / rowsPerSec(j.inputRows, j.limit.map((s) => s.ms))
      out.push({ target: `${name}: JSON ≥ 70% of the JSON-parse floor`, measured: pct(v, 1), met: v >= 0.7 })
      if (name === 'q5' && j.oneCore?.length) {
        const speedup = rowsPerSec(j.inputRows, j.engine.map((s) => s.ms)) / rowsPerSec(j.inputRows, j.oneCore.map((s) => s.ms))
        out.push({
          target: `q5 on ${j.threads} decoding threads ≥ 1.6× one core, same output`,
          measured: `${ratio(speedup, 1)}${j.sameOutput ? ', same output' : ', **output differs**'}`, met: speedup >= 1.6 && j.sameOutput === true,
        })
      }
    }
    for (const [engine, want] of [['spark', 2], ['flink', 1]] as const) {
      const p = peer(r, engine, name)
      if (!p) continue
      const v = weirJson(r, name) / peerRate(p).rate
      out.push({ target: `${name}: ≥ ${want}× ${engine === 'spark' ? 'Spark' : 'Flink'}`, measured: ratio(v, 1), met: Number.isFinite(v) ? v >= want : null })
    }
  }
  if (r.latency && !r.latency.error) {
    const s = median(r.latency.startMs)
    out.push({ target: 'server start < 1 s', measured: `${s.toFixed(0)} ms`, met: s < 1000 })
  }
  return out
}

export function targetsTable(r: RunReport): string {
  const t = targets(r)
  const met = t.filter((x) => x.met === true).length
  return `${met} of ${t.length} targets met.\n\n` + table(['target', 'measured (ratio in one run)', 'met'], t.map((x) => [x.target, x.measured, x.met === null ? '–' : x.met ? 'yes' : '**no**']))
}

export function chart(r: RunReport): string {
  const names = workloadNames(r)
  const series = [
    { name: 'Weir (JSON files)', color: '#2b7bba', values: names.map((n) => nullIfNaN(weirJson(r, n))) },
    { name: 'Weir (embedded rows)', color: '#8cc0e6', values: names.map((n) => { const e = find(r, n, 'rows'); return e && !e.skipped ? rowsPerSec(e.inputRows, e.engine.map((s) => s.ms)) : null }) },
    { name: 'Spark (local[2])', color: '#e8743b', values: names.map((n) => { const p = peer(r, 'spark', n); return p ? peerRate(p).rate : null }) },
    { name: 'Flink (parallelism 2)', color: '#7a5195', values: names.map((n) => { const p = peer(r, 'flink', n); return p ? peerRate(p).rate : null }) },
  ]
  return barChart({ title: `Throughput per workload (rows/s, log scale) — ${r.date.slice(0, 10)}, ${r.quick ? 'quick' : 'full'} run`, unit: 'rows/s', categories: names, series, log: true, format: rate, label: shortRate })
}

/** 311800 → "312k", 23870000 → "23.9M". */
const shortRate = (v: number): string => v >= 1e6 ? `${(v / 1e6).toPrecision(3)}M` : v >= 1e3 ? `${Math.round(v / 1e3)}k` : String(Math.round(v))

const nullIfNaN = (v: number): number | null => (Number.isFinite(v) ? v : null)

export function renderMarkdown(r: RunReport): string {
  const parts = [
    `Run of ${r.date}${r.quick ? ' (**--quick**)' : ''}: ${r.bids.toLocaleString('en')} bids, median of ${r.rounds} rounds after a warm-up, each workload and input in its own process.`,
    `Machine: ${r.machine}. Versions: ${r.versions}.`,
    '### Weir beside its limits\n\n' + limitsTable(r) + `\n\nPeak RSS is the whole process's, including the input held in memory (median ${Math.round(median(r.workloads.filter((w) => !w.skipped).map((w) => w.baseRssMb)))} MB before the first run). Spread: (max − min) ÷ median of the engine's rounds, halved.`,
    '### Weir beside Spark and Flink (same JSON files, same machine, same run)\n\n' + (r.peers.length > 0 ? peersTable(r) : 'Peers not run (`npm run bench:peers`).'),
    ...(r.peerNotes.length > 0 ? [r.peerNotes.map((n) => `- ${n}`).join('\n')] : []),
    '### Cross-engine check\n\n' + (r.checks.length > 0 ? r.checks.map((c) => `- ${c.ok ? 'same' : '**different**'} — ${c.query}: ${c.detail}`).join('\n') : 'not run'),
    '### Latency at 100 rows/s (server, ingest endpoint → websocket)\n\n' + latencyTable(r),
    '### Targets\n\n' + targetsTable(r),
    ...(r.profiles.length > 0 ? ['### Profiles of missed targets (self time, top functions)\n\n' + r.profiles.map((p) =>
      `**${p.label}**: ` + p.top.map((f) => `\`${f.name}\` (${f.where}) ${f.selfPct.toFixed(1)}%`).join(', ')).join('\n\n')] : []),
    ...r.otherBenches.map((b) => `### ${b.name}\n\n\`\`\`\n${b.output.trim()}\n\`\`\``),
  ]
  return parts.join('\n\n') + '\n'
}
