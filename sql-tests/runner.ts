/**
 * Runs one parsed `.slt` file against an in-process `Engine` with a manual clock. The runner
 * owns the clock: nothing sleeps or retries. In `restart` mode a checkpoint and a restart are
 * injected before every `expect`, and the expectations must not change.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../server/engine.ts'
import { ManualClock } from '../server/engine-api.ts'
import type { QueryInfo, SessionOptions, SinkRecord, StatementResult } from '../server/engine-api.ts'
import type { QueryProgress } from '../runtime/progress.ts'
import type { DataType } from '../runtime/types.ts'
import { WeirError } from '../runtime/errors.ts'
import { renderRow, renderTimestamp, sortLines } from './format.ts'
import type { TestFile, TestRecord } from './format.ts'

export { parseFile } from './format.ts'

export type RunMode = 'straight' | 'restart'

export interface Failure {
  readonly line: number
  readonly record: string
  readonly message: string
  readonly expected?: readonly string[]
  readonly actual?: readonly string[]
}

/** Where the engine keeps its durable state: in process memory, or LevelDB in a temporary data directory. */
export type Store = 'memory' | 'level'

export interface FileRun {
  readonly mode: RunMode
  readonly store: Store
  readonly failures: readonly Failure[]
  /** New plan text per `explain` record line (only when asked to update goldens). */
  readonly goldens: ReadonlyMap<number, readonly string[]>
}

/** Stops the file: later records would only report the consequences. */
class FatalFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message)
  }
}

const SET_STATEMENT = /^\s*SET\s+'?([A-Za-z0-9_.]+)'?\s*=\s*'([^']*)'\s*;?\s*$/i

/** The part of `Engine` the runner uses (spelled out so the runner's types stand alone). */
interface EngineUnderTest {
  /** Opaque to the runner: only handed back to `Engine.open`. */
  readonly durable: Engine['durable']
  execute(sql: string, session?: SessionOptions): Promise<StatementResult[]>
  runDueBatches(): Promise<number>
  sinkOutput(sink: string): readonly SinkRecord[]
  listQueries(): QueryInfo[]
  close(): Promise<void>
}

/** Everything the runner keeps across engine restarts. */
class Harness {
  engine!: EngineUnderTest
  private dataDir: string | null = null
  constructor(readonly store: Store) {}
  readonly clock = new ManualClock()
  readonly session: Record<string, string> = {}
  /** Sink name → how many of its records earlier `expect`s consumed. */
  readonly sinkCursor = new Map<string, number>()
  readonly sinkTypes = new Map<string, readonly DataType[]>()
  /** Query key (its sink, else name, else id) → progress by batchId; survives restarts. */
  readonly progress = new Map<string, Map<number, QueryProgress>>()
  readonly progressCursor = new Map<string, number>()
  readonly aliases = new Map<string, string>()

  async open(): Promise<void> {
    if (this.store === 'level') {
      this.dataDir = mkdtempSync(join(tmpdir(), 'weir-sqltest-'))
      this.engine = await Engine.open({ clock: this.clock, autoRun: false, dataDir: this.dataDir })
    } else {
      this.engine = await Engine.open({ clock: this.clock, autoRun: false })
    }
  }

  /** Closes the engine and removes its data directory. */
  async dispose(): Promise<void> {
    await this.engine.close().catch(() => undefined)
    if (this.dataDir !== null) rmSync(this.dataDir, { recursive: true, force: true })
  }

  /** Closes the engine and opens a new one on the same durable state and clock. */
  async restart(): Promise<void> {
    this.collect()
    const durable = this.engine.durable
    await this.engine.close()
    this.engine = this.dataDir !== null
      ? await Engine.open({ clock: this.clock, autoRun: false, dataDir: this.dataDir })
      : await Engine.open({ clock: this.clock, autoRun: false, durable })
  }

  async runDue(): Promise<void> {
    await this.engine.runDueBatches()
    this.collect()
  }

  execute(sql: string): Promise<StatementResult[]> {
    const set = SET_STATEMENT.exec(sql)
    if (set) this.session[(set[1] as string).toLowerCase()] = set[2] as string
    const options: SessionOptions = { ...this.session }
    return this.engine.execute(sql, options)
  }

  /** Copies progress and sink schemas out of the engine, so a restart cannot lose them. */
  collect(): void {
    for (const q of this.engine.listQueries()) {
      const key = queryKey(q)
      for (const alias of [q.sink, q.name, q.id]) if (alias !== null) this.aliases.set(alias, key)
      if (q.sink !== null) this.sinkTypes.set(q.sink, q.columns.map((c) => c.type))
      let log = this.progress.get(key)
      if (!log) this.progress.set(key, (log = new Map()))
      for (const p of q.recentProgress) log.set(p.batchId, p)
    }
  }
}

function queryKey(q: QueryInfo): string {
  return q.sink ?? q.name ?? q.id
}

function describe(r: TestRecord): string {
  switch (r.kind) {
    case 'statement':
      return r.error ? `statement error ${r.error.code}` : 'statement ok'
    case 'push':
      return `push ${r.stream}`
    case 'advance':
      return `advance ${r.text}`
    case 'expect':
      return `expect ${r.sink}${r.changes ? ' changes' : ''}`
    case 'expect_progress':
      return `expect progress ${r.target}`
    default:
      return r.kind
  }
}

function errorText(e: unknown): string {
  if (e instanceof WeirError) {
    const at = e.position ? ` at ${e.position.line}:${e.position.column}` : ''
    return `${e.code}${at}: ${e.message}`
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e)
}

export async function runFile(file: TestFile, mode: RunMode, updateGoldens = false, store: Store = 'memory'): Promise<FileRun> {
  const h = new Harness(store)
  const failures: Failure[] = []
  const goldens = new Map<number, readonly string[]>()
  try {
    await h.open()
  } catch (e) {
    return { mode, store, failures: [{ line: 1, record: 'open', message: `Engine.open failed: ${errorText(e)}` }], goldens }
  }
  try {
    for (const record of file.records) {
      if (mode === 'restart' && (record.kind === 'expect' || record.kind === 'expect_progress')) {
        await guard(record, () => h.runDue().then(() => h.restart()), 'injected checkpoint + restart failed')
      }
      const failure = await guard(record, () => runRecord(h, record, mode, updateGoldens, goldens), 'engine threw')
      if (failure) failures.push(failure)
    }
  } catch (e) {
    if (!(e instanceof FatalFailure)) throw e
    failures.push(e.failure)
  } finally {
    await h.dispose()
  }
  return { mode, store, failures, goldens }
}

async function guard<T>(record: TestRecord, f: () => Promise<T>, what: string): Promise<T> {
  try {
    return await f()
  } catch (e) {
    if (e instanceof FatalFailure) throw e
    throw new FatalFailure({ line: record.line, record: describe(record), message: `${what}: ${errorText(e)}` })
  }
}

async function runRecord(
  h: Harness,
  r: TestRecord,
  mode: RunMode,
  updateGoldens: boolean,
  goldens: Map<number, readonly string[]>,
): Promise<Failure | null> {
  const fail = (message: string, expected?: readonly string[], actual?: readonly string[]): Failure => ({
    line: r.line,
    record: describe(r),
    message,
    ...(expected ? { expected } : {}),
    ...(actual ? { actual } : {}),
  })
  switch (r.kind) {
    case 'statement': {
      let thrown: unknown = null
      try {
        await h.execute(r.sql)
      } catch (e) {
        thrown = e
      }
      if (!r.error) {
        if (thrown !== null) throw new FatalFailure(fail(`expected success, got ${errorText(thrown)}`))
        return null
      }
      if (thrown === null) throw new FatalFailure(fail(`expected error ${r.error.code}, but the statement succeeded`))
      if (!(thrown instanceof WeirError)) return fail(`expected error ${r.error.code}, got ${errorText(thrown)}`)
      if (thrown.code !== r.error.code) return fail(`expected error ${r.error.code}, got ${errorText(thrown)}`)
      const want = r.error.position
      if (want && (thrown.position?.line !== want.line || thrown.position.column !== want.column)) {
        const got = thrown.position ? `${thrown.position.line}:${thrown.position.column}` : 'no position'
        return fail(`expected ${r.error.code} at ${want.line}:${want.column}, got ${got} (${thrown.message})`)
      }
      return null
    }
    case 'push': {
      const values = r.rows.map((row) => `(${row.join(', ')})`).join(',\n  ')
      try {
        await h.execute(`INSERT INTO ${r.stream} VALUES\n  ${values}`)
      } catch (e) {
        throw new FatalFailure(fail(`push failed: ${errorText(e)}`))
      }
      return null
    }
    case 'trigger':
      await h.runDue()
      return null
    case 'advance':
      h.clock.advance(r.ms)
      await h.runDue()
      return null
    case 'checkpoint':
      await h.runDue()
      return null
    case 'restart':
      await h.restart()
      return null
    case 'expect': {
      await h.runDue()
      const records = h.engine.sinkOutput(r.sink)
      const from = h.sinkCursor.get(r.sink) ?? 0
      h.sinkCursor.set(r.sink, records.length)
      let fresh = records.slice(from)
      const snapshots = fresh.filter((x) => x.snapshot)
      if (snapshots.length > 0) {
        // complete mode: only the last snapshot received counts
        const last = Math.max(...snapshots.map((x) => x.batchId))
        fresh = snapshots.filter((x) => x.batchId === last)
      }
      const types = h.sinkTypes.get(r.sink)
      let actual = r.changes
        ? fresh.map((x) => `${x.op} ${renderRow(x.row, types)}`)
        : fresh.filter((x) => x.op === '+' || x.op === 'U+').map((x) => renderRow(x.row, types))
      let expected = r.expected
      if (r.sort) {
        actual = sortLines(actual)
        expected = sortLines(expected)
      }
      return sameLines(expected, actual) ? null : fail(`sink '${r.sink}' received other rows`, expected, actual)
    }
    case 'expect_progress': {
      await h.runDue()
      const key = h.aliases.get(r.target)
      if (key === undefined) return fail(`no query writes to or is named '${r.target}'`)
      const cursor = h.progressCursor.get(key) ?? -1
      const batches = [...(h.progress.get(key)?.values() ?? [])].filter((p) => p.batchId > cursor).sort((a, b) => a.batchId - b.batchId)
      if (batches.length > 0) h.progressCursor.set(key, (batches[batches.length - 1] as QueryProgress).batchId)
      const actual = r.expected.map(({ field }) => `${field} = ${progressField(batches, field)}`)
      const expected = r.expected.map(({ field, value }) => `${field} = ${value}`)
      return sameLines(expected, actual) ? null : fail(`progress of '${r.target}' differs`, expected, actual)
    }
    case 'query': {
      const results = await h.execute(r.sql)
      const last = results[results.length - 1]
      if (last?.kind !== 'rows') return fail(`expected rows, got ${last ? last.kind : 'no result'}`)
      const types = last.columns.map((c) => c.type)
      let actual = last.rows.map((row) => renderRow(row, types))
      let expected = r.expected
      if (r.sort) {
        actual = sortLines(actual)
        expected = sortLines(expected)
      }
      return sameLines(expected, actual) ? null : fail('pull query returned other rows', expected, actual)
    }
    case 'explain': {
      const sql = /^\s*explain\b/i.test(r.sql) ? r.sql : `EXPLAIN ${r.sql}`
      const results = await h.execute(sql)
      const last = results[results.length - 1]
      if (last?.kind !== 'explain') return fail(`expected a plan, got ${last ? last.kind : 'no result'}`)
      const actual = last.plan.split('\n').map((l) => l.trimEnd())
      while (actual.length > 0 && actual[actual.length - 1] === '') actual.pop()
      if (updateGoldens && mode === 'straight') {
        goldens.set(r.line, actual)
        return null
      }
      if (r.expected.length === 0) return fail('golden plan is empty: run with --update and review the diff', r.expected, actual)
      return sameLines(r.expected, actual) ? null : fail('plan differs from the golden text (run with --update to accept)', r.expected, actual)
    }
  }
}

function progressField(batches: readonly QueryProgress[], field: string): string {
  const sum = (f: (p: QueryProgress) => number): number => batches.reduce((acc, p) => acc + f(p), 0)
  switch (field) {
    case 'batches':
      return String(batches.length)
    case 'numInputRows':
      return String(sum((p) => p.numInputRows))
    case 'numOutputRows':
      return String(sum((p) => p.sink.numOutputRows))
    case 'numRowsDroppedByWatermark':
      return String(sum((p) => p.stateOperators.reduce((acc, s) => acc + s.numRowsDroppedByWatermark, 0)))
    case 'watermark': {
      const w = batches[batches.length - 1]?.eventTime.watermark
      return w === undefined ? 'NULL' : `'${renderTimestamp(Date.parse(w))}'`
    }
    default:
      return '?'
  }
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i])
}
