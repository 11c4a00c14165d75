/**
 * One workload in one process (started by `bench/run.ts`, or by hand):
 *
 *   node --expose-gc --import tsx bench/workload.ts <workload> <rows|json> <dataDir> [rounds=5]
 *
 * `rows`: the engine on pre-built rows in the embedded stream, against the same work as a
 * hand-written loop over the same rows. `json`: the engine reading the JSON-lines files, against
 * the JSON-parse floor (read + split + `JSON.parse` of the same files, on one core) — both with
 * the server's default decoding threads (every core) and with none (one core), after checking
 * that both give the same output row for row. After one warm-up of each on the first file's
 * worth of rows, the engine and its limit alternate for `rounds` rounds, each from a collected
 * heap. Prints one JSON line (`WorkloadResult`) to stdout.
 *
 * `BENCH_PROFILE=<file>` (with `node --cpu-prof`): skips the limit, runs the engine once more and
 * writes that run's time window to `<file>` (see `report/profile.ts`).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Row } from '../runtime/types.ts'
import { generate, type Manifest } from './nexmark/generator.ts'
import { workload, type Workload } from './nexmark/queries.ts'
import { parseFiles, partFiles } from './json-lines.ts'
import { FILE_SOURCE, prepare, unsupported, type Input } from './weir-runner.ts'
import { defaultDecodeThreads } from '../connectors/file/file-decode.ts'

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
  /** `json`: the engine decoding on the query's thread only (no decoding threads). */
  readonly oneCore?: readonly Sample[]
  /** `json`: the decoding threads of the `engine` runs. */
  readonly threads?: number
  /** `json`: whether one core and every core gave the same output, row for row. */
  readonly sameOutput?: boolean
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

async function engineSample(w: Workload, input: Input, categories: readonly Row[], decodeThreads?: number): Promise<Sample> {
  const prepared = await prepare(w, input, { batch: BATCH, sink: 'noop', categories, ...(decodeThreads === undefined ? {} : { decodeThreads }) })
  try {
    return await timed(() => prepared.run())
  } finally {
    await prepared.engine.close()
  }
}

/** The digest of a whole run's output (untimed). */
async function digest(w: Workload, input: Input, categories: readonly Row[], decodeThreads: number): Promise<string> {
  const prepared = await prepare(w, input, { batch: BATCH, sink: 'noop', categories, decodeThreads, digest: true })
  try {
    await prepared.run()
    return prepared.digest()
  } finally {
    await prepared.engine.close()
  }
}

/**
 * For `node --cpu-prof`: one more warm run, then one engine run (after its set-up and GC) whose
 * monotonic-clock window (µs, the clock of V8's profile timestamps) is written to `windowFile`,
 * so the profile can be cut to exactly that run.
 */
async function profiled(windowFile: string, w: Workload, input: Input, categories: readonly Row[]): Promise<void> {
  await engineSample(w, input, categories)
  const prepared = await prepare(w, input, { batch: BATCH, sink: 'noop', categories })
  gc()
  const start = Number(process.hrtime.bigint() / 1000n)
  await prepared.run()
  const end = Number(process.hrtime.bigint() / 1000n)
  await prepared.engine.close()
  writeFileSync(windowFile, JSON.stringify({ start, end }))
}

/** The generated rows of the workload's streams (only when `keepRows`), and the categories. */
function generated(manifest: Manifest, w: Workload, keepRows: boolean): { inputs: Row[][] | null; categories: readonly Row[] } {
  const data = generate(manifest.config)
  const byStream = { bid: data.bids, person: data.persons, auction: data.auctions }
  return { inputs: keepRows ? w.streams.map((s) => byStream[s]) : null, categories: data.categories }
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
  // The JSON runs read the files: they keep only the categories (a static table), not 400 MB of
  // generated rows, which would make every collection of theirs mark a heap a server would not have.
  const { inputs, categories } = generated(manifest, w, inputKind === 'rows')
  const inputRows = w.streams.reduce((n, s) => n + manifest.counts[s], 0)
  const via = inputKind === 'rows' ? 'embedded stream' : FILE_SOURCE ? 'file source connector' : 'files read by the bench into the embedded stream'
  const base = { workload: name, input: inputKind, inputRows, via } as const
  const why = await unsupported(w)
  if (why !== null) {
    process.stdout.write(JSON.stringify({ ...base, skipped: why, engine: [], limit: [], peakRssMb: 0, baseRssMb: 0 } satisfies WorkloadResult) + '\n')
    return
  }
  const files = w.streams.map((s) => partFiles(join(dataDir, s)))
  const input: Input = inputs ? { kind: 'rows', rows: inputs } : { kind: 'json', dataDir }
  const limit = (): number => inputs ? w.hand(inputs, BATCH, categories) : parseFiles(files.flat())
  const baseRssMb = process.memoryUsage().rss / 2 ** 20

  // Warm-up: the first file's worth of rows (or the first file) through both.
  const warm: Input = inputs ? { kind: 'rows', rows: inputs.map((r) => r.slice(0, BATCH)) } : { kind: 'json', dataDir, maxFiles: 1 }
  await engineSample(w, warm, categories)
  const profile = process.env.BENCH_PROFILE
  if (profile) {
    await profiled(profile, w, input, categories)
    return
  }
  if (inputs) w.hand(inputs.map((r) => r.slice(0, BATCH)), BATCH, categories)
  else parseFiles(files.map((f) => f[0]!))
  const json = inputKind === 'json'
  const threads = defaultDecodeThreads()
  let sameOutput: boolean | undefined
  if (json) {
    await engineSample(w, warm, categories, 0)
    sameOutput = (await digest(w, input, categories, 0)) === (await digest(w, input, categories, threads))
  }
  const engine: Sample[] = []
  const oneCore: Sample[] = []
  const lim: Sample[] = []
  for (let i = 0; i < rounds; i++) {
    engine.push(await engineSample(w, input, categories, json ? threads : undefined))
    if (json) oneCore.push(await engineSample(w, input, categories, 0))
    lim.push(await timed(limit))
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024
  const jsonFields = json ? { oneCore, threads, sameOutput } : {}
  process.stdout.write(JSON.stringify({ ...base, skipped: null, engine, limit: lim, peakRssMb, baseRssMb, ...jsonFields } satisfies WorkloadResult) + '\n')
}

await main()
