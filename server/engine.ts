/**
 * The in-process engine: catalog, embedded streams and tables, sinks and running queries,
 * driven by SQL. The HTTP server, the sql-tests runner and the differential test all use it.
 */
import type { ConnectorEnv } from '../connectors/connector.ts'
import type { Catalog, CatalogRelation, CatalogSink } from '../planner/catalog.ts'
import type { ParsedStatement, Statement } from '../planner/ast.ts'
import { parseScript } from '../planner/parse/parse.ts'
import { WeirError, assertNever } from '../runtime/errors.ts'
import { systemClock, type Clock } from '../runtime/clock.ts'
import type { Field, Row } from '../runtime/types.ts'
import { MemoryDurableState, type DurableState } from './durable-state.ts'
import { LevelDurableState } from './level-durable-state.ts'
import { fileRoots } from '../connectors/file/file-sink-options.ts'
import { connector } from '../connectors/registry.ts'
import { defaultDecodeThreads } from '../connectors/file/file-decode.ts'
import type { QueryInfo, SinkRecord, StatementResult } from './engine-api.ts'
import type { RunningQuery } from './running-query.ts'
import * as ddl from './statements/ddl.ts'
import * as queries from './statements/queries.ts'
import * as admin from './statements/admin.ts'

export interface EngineOptions {
  readonly clock?: Clock
  /** false: batches run only when `runDueBatches()` is called (tests). Default true. */
  readonly autoRun?: boolean
  /** State that survives a restart; omit for a fresh engine. */
  readonly durable?: DurableState
  /** A data directory: without `durable`, the engine keeps its state there in LevelDB (and closes it on close). */
  readonly dataDir?: string
  /** Directories file sinks may write in; default WEIR_FILE_ROOTS, else the data directory. */
  readonly fileRoots?: readonly string[]
  /** Default row limit of a memory sink (`max_rows` option). */
  readonly memorySinkMaxRows?: number
  /** Worker threads decoding source files (0: on the query's thread); default one per core, up to 4. */
  readonly decodeThreads?: number
}

/** A mutable session: SET changes it for the statements that follow. */
export type Session = Record<string, string>

const RETIRED_QUERIES_KEPT = 50

export class Engine implements Catalog {
  readonly durable: DurableState
  readonly clock: Clock
  readonly autoRun: boolean
  readonly memorySinkMaxRows: number
  readonly decodeThreads: number
  /** The default session, used when `execute` is given none. */
  readonly session: Session = {}
  /** Started queries until they stop or fail; then they move to `retired`. */
  readonly running = new Map<string, RunningQuery>()
  /** The most recently ended queries, newest last (bounded, so a long uptime does not grow it). */
  private readonly retired: RunningQuery[] = []
  /** Where file sinks may write by default (WEIR_FILE_ROOTS overrides); null without one. */
  readonly dataDir: string | null
  readonly fileRoots: readonly string[]
  private closed = false

  private constructor(opts: EngineOptions, private readonly ownsDurable = false) {
    this.durable = opts.durable ?? new MemoryDurableState()
    this.dataDir = opts.dataDir ?? (this.durable instanceof LevelDurableState ? this.durable.dataDir : null)
    this.fileRoots = opts.fileRoots ?? fileRoots(this.dataDir)
    this.clock = opts.clock ?? systemClock
    this.autoRun = opts.autoRun ?? true
    this.memorySinkMaxRows = opts.memorySinkMaxRows ?? 100_000
    this.decodeThreads = opts.decodeThreads ?? defaultDecodeThreads()
  }

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    const owned = opts.durable === undefined && opts.dataDir !== undefined
    const durable = opts.durable ?? (opts.dataDir !== undefined ? await LevelDurableState.open(opts.dataDir) : new MemoryDurableState())
    const engine = new Engine({ ...opts, durable }, owned)
    await queries.resumePersistentQueries(engine)
    return engine
  }

  /**
   * Runs a script; one result per statement. Throws the first statement's error (a WeirError,
   * with its position in `sql`); statements before it have taken effect.
   */
  async execute(sql: string, session: Session = this.session): Promise<StatementResult[]> {
    this.checkOpen()
    const parsed = parseScript(sql)
    const results: StatementResult[] = []
    for (const p of parsed) results.push(await this.executeStatement(p, session))
    return results
  }

  async executeStatement(p: ParsedStatement, session: Session): Promise<StatementResult> {
    const s: Statement = p.statement
    switch (s.kind) {
      case 'create_stream':
      case 'create_table':
        return ddl.createRelation(this, s)
      case 'create_sink':
        return ddl.createSink(this, s)
      case 'drop':
        return ddl.drop(this, s)
      case 'insert_values':
        return ddl.insertValues(this, s)
      case 'query':
        return queries.runSelect(this, s, p.text, session)
      case 'insert_query':
        return queries.startPersistent(this, s, p.text, session)
      case 'explain':
        return queries.explain(this, s, session)
      case 'show':
        return admin.show(this, s)
      case 'describe':
        return admin.describe(this, s)
      case 'stop_query':
        return admin.stopQuery(this, s.queryId, s.pos)
      case 'set':
        session[s.option] = s.value
        return { kind: 'ok', statement: 'SET', message: `${s.option} = ${s.value}` }
      default:
        return assertNever(s, 'statement')
    }
  }

  /** Runs every batch due now in every running query (incl. no-data batches), until idle. */
  async runDueBatches(): Promise<number> {
    let total = 0
    for (;;) {
      let ran = 0
      for (const q of [...this.running.values()]) ran += await q.runDue()
      total += ran
      if (ran === 0) return total
    }
  }

  sinkOutput(sink: string): readonly SinkRecord[] {
    return this.durable.memorySink(sink)?.records ?? []
  }

  listQueries(): QueryInfo[] {
    const out = [...this.running.values(), ...this.retired.filter((q) => !this.running.has(q.id))].map((q) => q.info())
    const listed = new Set(out.map((q) => q.id))
    for (const stored of this.durable.queries.values()) {
      if (listed.has(stored.id)) continue
      out.push({
        id: stored.id, name: stored.name, sql: stored.sql, status: stored.status, error: stored.error,
        outputMode: stored.outputMode ?? 'append', trigger: stored.session.trigger ?? 'default', sink: stored.sink, push: false,
        columns: stored.columns ?? [], lastProgress: null, recentProgress: [],
      })
    }
    return out
  }

  /** A query by id or name: a running one first, else the most recent that ended. */
  query(id: string): RunningQuery | undefined {
    const ended = [...this.retired].reverse()
    return this.running.get(id) ?? [...this.running.values()].find((q) => q.opts.name === id) ??
      ended.find((q) => q.id === id) ?? ended.find((q) => q.opts.name === id)
  }

  /** Moves a query that stopped or failed out of `running`. */
  retire(q: RunningQuery): void {
    if (this.running.get(q.id) !== q) return
    this.running.delete(q.id)
    this.retired.push(q)
    if (this.retired.length > RETIRED_QUERIES_KEPT) this.retired.shift()
  }

  async stopQuery(id: string): Promise<void> {
    const q = this.query(id)
    if (!q) throw new WeirError('UNKNOWN_QUERY', `query "${id}" does not exist`, { status: 404 })
    await q.stop('stopped')
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    // Stopping for shutdown keeps persistent queries "running" in the catalog so they resume.
    for (const q of this.running.values()) await q.stop('stopped', { persist: false })
    this.running.clear()
    if (this.ownsDurable) await this.durable.close()
  }

  // Catalog (for the planner)
  relation(name: string): CatalogRelation | undefined {
    const r = this.durable.relations.get(name)
    return r && { name: r.name, kind: r.kind, fields: r.fields, watermark: r.watermark, primaryKey: r.primaryKey }
  }

  sink(name: string): CatalogSink | undefined {
    const s = this.durable.sinks.get(name)
    return s && { name: s.name, connector: s.connector }
  }

  /** What connectors get from the engine. */
  connectorEnv(): ConnectorEnv {
    return {
      fileRoots: this.fileRoots,
      dataDir: this.dataDir,
      clock: this.clock,
      memorySink: (name, maxRows) => this.durable.memorySink(name, maxRows ?? this.memorySinkMaxRows)!,
      decodeThreads: this.decodeThreads,
    }
  }

  /** A sink's columns, known once a query has written to it. */
  sinkColumns(name: string): readonly Field[] | null {
    const d = this.durable.memorySink(name)
    if (d && d.columns.length > 0) return d.columns
    const writer = [...this.running.values()].find((q) => q.opts.sinkName === name)
    return writer ? writer.opts.columns : null
  }

  tableRows(name: string): readonly Row[] {
    return this.durable.tableRows(name)
  }

  /** A table's rows: an embedded table's stored rows, or what its connector loads now (a file table). */
  async loadTableRows(name: string): Promise<readonly Row[]> {
    const rel = this.durable.relations.get(name)
    const connectorName = rel?.options.connector
    if (!rel || connectorName === undefined) return this.durable.tableRows(name)
    const loader = connector(connectorName)?.table
    if (!loader) throw new WeirError('INVALID_OPTION', `table ${name} has connector '${connectorName}', which cannot load static tables on this server`)
    return loader.load({ table: name, fields: rel.fields, options: rel.options }, this.connectorEnv())
  }

  private checkOpen(): void {
    if (this.closed) throw new WeirError('ENGINE_CLOSED', 'the engine is shut down', { domain: 'external', status: 503 })
  }
}
