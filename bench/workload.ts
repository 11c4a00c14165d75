/**
 * One workload in one process (started by `bench/run.ts`, or by hand):
 *
 *   node --expose-gc --import tsx bench/workload.ts <workload> <rows|json> <dataDir> [rounds=5]
 *
 * `rows`: the engine on pre-built rows in the embedded stream, against the same work as a
 * hand-written loop over the same rows. `json`: the engine reading the JSON-lines files, against
 * the JSON-parse floor (read + split + `JSON.parse` of the same files). After one warm-up of
 * each on the first file's worth of rows, the engine and its limit alternate for `rounds`
 * rounds, each from a collected heap. Prints one JSON line (`WorkloadResult`) to stdout.
 *
 * `BENCH_ONLY=engine` skips the limit (for `--cpu-prof` profiles of the engine alone).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Row } from '../runtime/types.ts'
import { generate, type Manifest } from './nexmark/generator.ts'
import { workload, type Workload } from './nexmark/queries.ts'
import { parseFiles, partFiles } from './json-lines.ts'
import { FILE_SOURCE, prepare, unsupported, type Input } from './weir-runner.ts'

export interface Sample {
  readonly ms: number
  /** CPU time of the whole process (all threads, user + system) during the run. */
  readonly cpuMs: number
  /** Rows the run produced (the engine's sink, or the hand loop's output). */
  readonly out: number
}

export interface WorkloadResult {
  readonly workload: string
  readonly input: 'rows' | 'json'
  readonly inputRows: number
  readonly skipped: string | null
  readonly engine: readonly Sample[]
  /** The hand-written loop (`rows`) or the JSON-parse floor (`json`). */
  readonly limit: readonly Sample[]
  readonly peakRssMb: number
  /** Resident memory before the first run (the input data itself). */
  readonly baseRssMb: number
  readonly via: string
}

const BATCH = 100_000

function gc(): void {
  const f = (globalThis as { gc?: () => void }).gc
  if (f) f()
}

async function timed(fn: () => Promise<number> | number): Promise<Sample> {
  gc()
  const cpu = process.cpuUsage()
  const start = performance.now()
  const out = await fn()
  const ms = performance.now() - start
  const c = process.cpuUsage(cpu)
  return { ms, cpuMs: (c.user + c.system) / 1000, out }
}

async function engineSample(w: Workload, input: Input, categories: readonly Row[]): Promise<Sample> {
  const prepared = await prepare(w, input, { batch: BATCH, sink: 'noop', categories })
  try {
    return await timed(() => prepared.run())
  } finally {
    await prepared.engine.close()
  }
}

async function main(): Promise<void> {
  const [name, inputKind, dataDir, roundsArg] = process.argv.slice(2)
  if (!name || (inputKind !== 'rows' && inputKind !== 'json') || !dataDir) {
    process.stderr.write('usage: workload.ts <workload> <rows|json> <dataDir> [rounds]\n')
    process.exit(2)
  }
  const rounds = Number(roundsArg ?? 5)
  const w = workload(name)
  const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as Manifest
  const data = generate(manifest.config)
  const byStream = { bid: data.bids, person: data.persons, auction: data.auctions }
  const inputs = w.streams.map((s) => byStream[s])
  const inputRows = inputs.reduce((n, r) => n + r.length, 0)
  const via = inputKind === 'rows' ? 'embedded stream' : FILE_SOURCE ? 'file source connector' : 'files read by the bench into the embedded stream'
  const base = { workload: name, input: inputKind, inputRows, via } as const
  const why = await unsupported(w)
  if (why !== null) {
    process.stdout.write(JSON.stringify({ ...base, skipped: why, engine: [], limit: [], peakRssMb: 0, baseRssMb: 0 } satisfies WorkloadResult) + '\n')
    return
  }
  const files = w.streams.map((s) => partFiles(join(dataDir, s)))
  const input: Input = inputKind === 'rows' ? { kind: 'rows', rows: inputs } : { kind: 'json', dataDir }
  const limit = (): number => inputKind === 'rows' ? w.hand(inputs, BATCH, data.categories) : parseFiles(files.flat())
  const baseRssMb = process.memoryUsage().rss / 2 ** 20

  // Warm-up: the first file's worth of rows (or the first file) through both.
  const warm: Input = inputKind === 'rows' ? { kind: 'rows', rows: inputs.map((r) => r.slice(0, BATCH)) } : { kind: 'json', dataDir, maxFiles: 1 }
  await engineSample(w, warm, data.categories)
  const onlyEngine = process.env.BENCH_ONLY === 'engine'
  if (!onlyEngine) {
    if (inputKind === 'rows') w.hand(inputs.map((r) => r.slice(0, BATCH)), BATCH, data.categories)
    else parseFiles(files.map((f) => f[0]!))
  }
  const engine: Sample[] = []
  const lim: Sample[] = []
  for (let i = 0; i < rounds; i++) {
    engine.push(await engineSample(w, input, data.categories))
    if (!onlyEngine) lim.push(await timed(limit))
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024
  process.stdout.write(JSON.stringify({ ...base, skipped: null, engine, limit: lim, peakRssMb, baseRssMb } satisfies WorkloadResult) + '\n')
}

await main()
