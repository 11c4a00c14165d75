/**
 * Drives Weir's engine in-process for one benchmark run: a fresh engine with a manual clock and
 * no scheduler, the workload's streams, a noop (or memory) sink, then every due micro-batch.
 *
 * JSON input: through the file source connector (`CREATE STREAM … WITH (connector = 'file')`)
 * when the registry has one; until then, the files are read here with the same 64 KB reader as
 * the JSON-parse floor, each row checked and converted by the ingest endpoint's `RowDecoder`,
 * and appended to the embedded stream one file per micro-batch (Spark's `maxFilesPerTrigger = 1`).
 */
import { join, resolve } from 'node:path'
import { Engine } from '../server/engine.ts'
import { RowDecoder } from '../server/ingest.ts'
import { ManualClock } from '../runtime/clock.ts'
import type { Row } from '../runtime/types.ts'
import { connector } from '../connectors/registry.ts'
import { forEachLine, partFiles } from './json-lines.ts'
import { CATEGORY_DDL, STREAM_DDL, type Workload } from './nexmark/queries.ts'

/** Whether Weir can read the JSON files itself (the file source connector has landed). */
export const FILE_SOURCE = connector('file')?.source !== undefined

export type Input =
  | { readonly kind: 'rows'; readonly rows: readonly Row[][] }
  /** `maxFiles`: only the first files of each stream (warm-ups; ignored by the file source connector). */
  | { readonly kind: 'json'; readonly dataDir: string; readonly maxFiles?: number }

export interface RunOptions {
  readonly batch: number
  readonly sink: 'noop' | 'memory'
  readonly categories: readonly Row[]
  /** Worker threads decoding the JSON files (undefined: the engine's default). */
  readonly decodeThreads?: number
  /** Also fold every output row into `PreparedRun.digest` (costs time: for checking runs, not timed ones). */
  readonly digest?: boolean
}

export interface PreparedRun {
  readonly engine: Engine
  /** Runs the query to the end of its input; returns the rows the sink received. */
  run(): Promise<number>
  /** With `digest`: a hash of the output rows in order (batch by batch), to compare two runs. */
  digest(): string
}

/** Why a workload cannot run on this Weir (an unsupported feature), or null. */
export async function unsupported(w: Workload): Promise<string | null> {
  const engine = await Engine.open({ clock: new ManualClock(), autoRun: false })
  try {
    await engine.execute(w.streams.map((s) => STREAM_DDL[s]).join(';\n') + (w.categories ? `;\n${CATEGORY_DDL}` : '') + "; CREATE SINK out WITH (connector = 'noop')")
    await engine.execute(`EXPLAIN ${w.sql}`)
    return null
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  } finally {
    await engine.close()
  }
}

export async function prepare(w: Workload, input: Input, opts: RunOptions): Promise<PreparedRun> {
  const dataDir = input.kind === 'json' ? resolve(input.dataDir) : null
  const engine = await Engine.open({ clock: new ManualClock(), autoRun: false, decodeThreads: opts.decodeThreads, ...(dataDir ? { fileRoots: [dataDir] } : {}) })
  const viaConnector = input.kind === 'json' && FILE_SOURCE
  const ddl = w.streams.map((s) => viaConnector
    ? `${STREAM_DDL[s]} WITH (connector = 'file', path = '${join(dataDir!, s)}', format = 'json', max_files_per_batch = 1)`
    : STREAM_DDL[s])
  await engine.execute(`${ddl.join(';\n')};
    CREATE SINK out WITH (connector = '${opts.sink}'${opts.sink === 'memory' ? ', max_rows = 100000000' : ''}); SET 'max_rows_per_batch' = '${opts.batch}'`)
  if (w.categories) {
    await engine.execute(CATEGORY_DDL)
    await engine.durable.putTableRows('category', [...opts.categories])
  }
  if (input.kind === 'rows') {
    for (let i = 0; i < w.streams.length; i++) await engine.durable.log(w.streams[i]!).append(input.rows[i]!)
  }
  await engine.execute(w.sql)
  const query = [...engine.running.values()][0]!
  let outRows = 0
  let hash = 0x811c9dc5
  query.observe({
    output: (_id, changes) => {
      outRows += changes.rows.length
      if (!opts.digest) return
      // FNV-1a over each row's JSON (−0 kept apart from 0).
      for (const row of changes.rows) {
        const text = JSON.stringify(row, (_k, v: unknown) => (Object.is(v, -0) ? '-0' : v))
        for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619)
        hash = Math.imul(hash ^ 10, 16777619)
      }
    },
  })
  const digest = (): string => `${outRows}:${(hash >>> 0).toString(16)}`

  const run = async (): Promise<number> => {
    if (input.kind === 'rows' || viaConnector) {
      await engine.runDueBatches()
      return outRows
    }
    // Fallback JSON input: one file of each stream per micro-batch, streams interleaved.
    const files = w.streams.map((s) => partFiles(join(input.dataDir, s)).slice(0, input.maxFiles ?? Infinity))
    const decoders = w.streams.map((s) => new RowDecoder(engine.durable.relations.get(s)!.fields))
    const parts = Math.max(...files.map((f) => f.length))
    for (let p = 0; p < parts; p++) {
      for (let s = 0; s < w.streams.length; s++) {
        const file = files[s]![p]
        if (file === undefined) continue
        const rows: Row[] = []
        const decoder = decoders[s]!
        forEachLine(file, (text) => {
          const r = decoder.decode(JSON.parse(text))
          if (typeof r === 'string') throw new Error(`${file}: ${r}`)
          rows.push(r)
        })
        await engine.durable.log(w.streams[s]!).append(rows)
      }
      await engine.runDueBatches()
    }
    return outRows
  }
  return { engine, run, digest }
}
