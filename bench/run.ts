/**
 * The benchmark suite (`npm run bench`): Nexmark-style workloads on Weir, each beside its limits
 * (a hand-written loop over the same rows; the JSON-parse floor), latency and start time of the
 * server, the other engineers' benches, and — with `--peers` — Spark and Flink on the same files
 * with a cross-engine check of the results. Prints the report and writes it, with the raw figures
 * and the chart, to `bench/results/`.
 *
 *   npm run bench                       full run (1M bids, 5 rounds)
 *   npm run bench -- --quick            CI-sized (< 5 min on 2 cores; no Spark/Flink, no profiles)
 *   npm run bench:peers                 builds the peers, then runs this with --peers
 *
 * Flags: --quick, --peers, --bids N, --rounds N, --only q0,q5, --no-latency, --no-profile,
 * --write-docs (replaces the generated part of docs/benchmarks.md and its chart).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { DEFAULT_CONFIG, generate, writeJsonFiles, type Manifest } from './nexmark/generator.ts'
import { WORKLOADS } from './nexmark/queries.ts'
import type { WorkloadResult } from './workload.ts'
import type { LatencyResult } from './latency.ts'
import { compare, type CompareResult } from './peers/compare.ts'
import { PEERS, peerVersion, runPeer } from './peers/peers.ts'
import { hotFunctions, type TimeWindow } from './report/profile.ts'
import { SERVER_NODE_FLAGS } from '../server/node-flags.ts'
import { chart, renderMarkdown, targets, type PeerResult, type RunReport } from './report/render.ts'

const ROOT = resolve(import.meta.dirname, '..')
const RESULTS = join(ROOT, 'bench', 'results')
const argv = process.argv.slice(2)
const flag = (name: string): boolean => argv.includes(`--${name}`)
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : undefined
}

const quick = flag('quick')
const withPeers = flag('peers')
const bids = Number(option('bids') ?? (quick ? 300_000 : 1_000_000))
const rounds = Number(option('rounds') ?? (quick ? 3 : 5))
const only = option('only')?.split(',')
const names = WORKLOADS.map((w) => w.name).filter((n) => !only || only.includes(n))
const CHECKED = ['q0', 'q1', 'q2', 'q5', 'q7', 'q8', 'enrich'].filter((n) => names.includes(n as never))

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
}

/** Runs a child process; resolves with its stdout (stderr passes through). */
function child(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const c = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    c.stdout.on('data', (d: Buffer) => { out += String(d) })
    c.on('close', (code) => res({ code, out }))
  })
}

const node = (script: string, args: readonly string[], flags: readonly string[] = [], env: NodeJS.ProcessEnv = {}) =>
  child(process.execPath, [...flags, '--import', 'tsx', join(ROOT, script), ...args], env)

function dataset(): string {
  const dir = join(ROOT, 'bench', 'data', `nexmark-${bids}`)
  const manifestFile = join(dir, 'manifest.json')
  const config = { ...DEFAULT_CONFIG, bids }
  if (existsSync(manifestFile)) {
    const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest
    if (JSON.stringify(m.config) === JSON.stringify(config)) return dir
  }
  log(`generating ${bids.toLocaleString('en')} bids into ${dir}`)
  writeJsonFiles(dir, generate(config), config)
  return dir
}

async function runWorkloads(dataDir: string): Promise<WorkloadResult[]> {
  const out: WorkloadResult[] = []
  for (const name of names) {
    for (const input of ['rows', 'json'] as const) {
      log(`${name} on ${input === 'rows' ? 'embedded rows' : 'JSON files'}`)
      // The engine runs in the bench process as it runs in the server: with the server's V8 flags.
      const r = await node('bench/workload.ts', [name, input, dataDir, String(rounds)], ['--expose-gc', ...SERVER_NODE_FLAGS])
      const line = r.out.split('\n').find((l) => l.startsWith('{'))
      if (r.code !== 0 || !line) {
        out.push({ workload: name, input, inputRows: 0, skipped: `failed (exit ${r.code})`, engine: [], limit: [], peakRssMb: 0, baseRssMb: 0, via: '' })
        continue
      }
      out.push(JSON.parse(line) as WorkloadResult)
    }
  }
  return out
}

async function runLatency(): Promise<(LatencyResult & { error?: string }) | null> {
  if (flag('no-latency')) return null
  log('server start and latency')
  const r = await node('bench/latency.ts', [String(quick ? 200 : 1000), String(quick ? 3 : 5)])
  const line = r.out.split('\n').find((l) => l.startsWith('{'))
  return line ? (JSON.parse(line) as LatencyResult) : { startMs: [], queries: [], error: `exit ${r.code}` }
}

async function runOtherBenches(): Promise<{ name: string; output: string }[]> {
  // The other engineers' benches that need no outside service (kafka.bench.ts needs a broker).
  const benches = quick ? [['bench/engine.bench.ts', '--quick']] : [['bench/engine.bench.ts'], ['bench/server.bench.ts'], ['bench/join.bench.ts']]
  const out: { name: string; output: string }[] = []
  for (const [script, ...args] of benches) {
    if (!existsSync(join(ROOT, script!))) continue
    log(`${script} ${args.join(' ')}`)
    const r = await node(script!, args, ['--expose-gc'])
    out.push({ name: `${script} ${args.join(' ')}`.trim(), output: r.code === 0 ? r.out : `${r.out}\n(exit ${r.code})` })
  }
  return out
}

/** Profiles the engine alone on each workload that missed a Weir-side target. */
async function runProfiles(report: RunReport, dataDir: string): Promise<{ label: string; top: ReturnType<typeof hotFunctions> }[]> {
  if (flag('no-profile') || quick) return []
  const missed = new Set<string>()
  for (const t of targets(report)) {
    if (t.met !== false) continue
    const m = /^(\w+): (engine|JSON|≥)/.exec(t.target)
    if (m) missed.add(`${m[1]}:${m[2] === 'engine' ? 'rows' : 'json'}`)
  }
  const out = []
  for (const key of missed) {
    const [name, input] = key.split(':') as [string, string]
    const dir = join(RESULTS, 'profiles', `${name}-${input}`)
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    log(`profiling ${name} on ${input}`)
    const windowFile = join(dir, 'window.json')
    await node('bench/workload.ts', [name, input, dataDir, '1'], ['--expose-gc', ...SERVER_NODE_FLAGS, '--cpu-prof', `--cpu-prof-dir=${dir}`], { BENCH_PROFILE: windowFile })
    const prof = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
    if (prof && existsSync(windowFile)) {
      const window = JSON.parse(readFileSync(windowFile, 'utf8')) as TimeWindow
      out.push({ label: `${name}, ${input === 'rows' ? 'embedded rows' : 'JSON files'}`, top: hotFunctions(join(dir, prof), ROOT, 8, window) })
    }
  }
  return out
}

function versions(): string {
  // `java -version` writes to stderr.
  const javaOut = spawnSync('java', ['-version'], { encoding: 'utf8' })
  const java = javaOut.error ? 'no java' : (javaOut.stderr.split('\n')[0] ?? 'java').trim()
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const peers = withPeers ? `, Spark ${peerVersion('spark')} (spark-sql_2.13), Flink ${peerVersion('flink')}, ${java}` : ''
  return `Weir ${pkg.version}, Node ${process.version}${peers}`
}

async function main(): Promise<void> {
  const started = Date.now()
  mkdirSync(RESULTS, { recursive: true })
  const dataDir = dataset()
  const workloads = await runWorkloads(dataDir)
  const latency = await runLatency()
  const peers: PeerResult[] = []
  const peerNotes: string[] = []
  let checks: CompareResult[] = []
  if (withPeers) {
    const checkDir = join(ROOT, 'bench', 'peers', 'out', 'check')
    rmSync(checkDir, { recursive: true, force: true })
    mkdirSync(checkDir, { recursive: true })
    for (const p of PEERS) {
      log(`${p.engine} peer: ${names.join(', ')}`)
      const r = await runPeer(p.engine, dataDir, Math.min(rounds, 3), names, checkDir)
      peers.push(...r.results)
      if (r.note) peerNotes.push(r.note)
    }
    log('cross-engine check')
    checks = await compare(dataDir, checkDir, CHECKED)
  }
  const otherBenches = await runOtherBenches()
  const machine = `${cpus()[0]?.model ?? '?'} × ${cpus().length} vCPU, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}; shared with other engineers' test runs (noisy)`
  let report: RunReport = {
    quick, date: new Date().toISOString(), machine, versions: versions(), bids, rounds, workloads, latency, peers,
    peerNotes: [...peerNotes, ...(withPeers ? ['Peer rows/s are marginal (Δrows ÷ Δtime between a run on the first file and a run on all files), which excludes each job\'s fixed start cost; "with start" is rows ÷ the whole run. Spark and Flink use both cores, and so does Weir (its decoding threads); the one-core column above is Weir with none — compare CPU s per M rows for the per-core cost.'] : [])],
    checks, profiles: [], otherBenches,
  }
  report = { ...report, profiles: await runProfiles(report, dataDir) }
  const md = renderMarkdown(report)
  const svg = chart(report)
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(report, null, 2) + '\n')
  writeFileSync(join(RESULTS, 'report.md'), md)
  writeFileSync(join(RESULTS, 'throughput.svg'), svg)
  if (flag('write-docs')) writeDocs(md, svg)
  process.stdout.write(md)
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; bench/results/{report.md,latest.json,throughput.svg}`)
  // Figures are for reading; a workload that failed, or that gave different output on one core
  // and on every core, is a bug, and fails the run (CI runs --quick).
  const broken = workloads.filter((w) => (w.skipped?.startsWith('failed') ?? false) || w.sameOutput === false)
  if (broken.length > 0) {
    log(`FAILED: ${broken.map((w) => `${w.workload} ${w.input}: ${w.skipped ?? 'output differs between one core and every core'}`).join('; ')}`)
    process.exitCode = 1
  }
}

/** Replaces the text between the generated-section markers of docs/benchmarks.md, and the chart. */
function writeDocs(md: string, svg: string): void {
  const doc = join(ROOT, 'docs', 'benchmarks.md')
  const begin = '<!-- bench:begin (generated by `npm run bench:peers -- --write-docs`) -->'
  const end = '<!-- bench:end -->'
  const text = existsSync(doc) ? readFileSync(doc, 'utf8') : `# Benchmarks\n\n${begin}\n${end}\n`
  const a = text.indexOf(begin)
  const b = text.indexOf(end)
  if (a < 0 || b < a) throw new Error('docs/benchmarks.md lacks the bench:begin/bench:end markers')
  writeFileSync(doc, `${text.slice(0, a + begin.length)}\n${md}${text.slice(b)}`)
  writeFileSync(join(ROOT, 'docs', 'benchmarks-throughput.svg'), svg)
}

await main()
