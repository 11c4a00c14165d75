/** Continuous queries (persistent and push), pull queries and EXPLAIN. */
import type { AstSelect, EmitMode, Explain, InsertQuery, Pos, QueryStatement } from '../../planner/ast.ts'
import type { Catalog, CatalogRelation } from '../../planner/catalog.ts'
import { planQuery } from '../../planner/plan-query.ts'
import { explainGraph } from '../../planner/explain.ts'
import { parseScript } from '../../planner/parse/parse.ts'
import { parseDuration } from '../../runtime/duration.ts'
import { MicroBatchExecutor, graphNodes, type Trigger } from '../../runtime/micro-batch-executor.ts'
import { createOperator } from '../../runtime/operators/build.ts'
import { runBounded } from '../../runtime/run-bounded.ts'
import { MemoryCheckpoint } from '../../runtime/checkpoint.ts'
import { resumePlan } from '../../runtime/restart-compat.ts'
import { columnsRead } from '../../runtime/columns-read.ts'
import type { ReadLimit, Source } from '../../runtime/source.ts'
import type { Sink } from '../../runtime/sink.ts'
import type { Row } from '../../runtime/types.ts'
import { WeirError, sqlError } from '../../runtime/errors.ts'
import { EmbeddedStreamSource } from '../../connectors/embedded/embedded-stream.ts'
import { PushSink } from '../../connectors/memory/push-sink.ts'
import { connector } from '../../connectors/registry.ts'
import type { Engine, Session } from '../engine.ts'
import type { StatementResult } from '../engine-api.ts'
import type { StoredQuery } from '../durable-state.ts'
import { RunningQuery } from '../running-query.ts'
import { staticTablesFor } from '../static-tables.ts'
import { checkPositiveInt } from './ddl.ts'

export async function runSelect(engine: Engine, s: QueryStatement, sql: string, session: Session): Promise<StatementResult> {
  if (s.emit === null && isBoundedRead(engine, s.select)) return pull(engine, s.select, session)
  const q = await startQuery(engine, { select: s.select, emit: s.emit, sql, session, sinkName: null })
  return queryResult(q)
}

export async function startPersistent(engine: Engine, s: InsertQuery, sql: string, session: Session): Promise<StatementResult> {
  const sink = engine.sink(s.target)
  if (!sink) {
    const isRelation = engine.relation(s.target) !== undefined
    throw sqlError('UNKNOWN_SINK', isRelation
      ? `"${s.target}" is a stream or table; a query writes to a sink (CREATE SINK ${s.target}_sink WITH (connector = 'memory'))`
      : `sink "${s.target}" does not exist`, s.pos)
  }
  const q = await startQuery(engine, { select: s.select, emit: s.emit, sql, session, sinkName: s.target, pos: s.pos })
  return queryResult(q)
}

export function explain(engine: Engine, s: Explain, session: Session): StatementResult {
  const st = s.statement
  const planned = planQuery(st.select, engine, { emit: st.emit, sessionOutputMode: session.output_mode })
  const target = st.kind === 'insert_query' ? `${engine.sink(st.target)?.connector ?? '?'} sink ${st.target}` : 'push query'
  return { kind: 'explain', plan: explainGraph(planned.graph, { description: target }, planned.warnings) }
}

/** Restarts the persistent queries that were running when the engine last stopped. */
export async function resumePersistentQueries(engine: Engine): Promise<void> {
  for (const stored of engine.durable.queries.values()) {
    if (stored.status !== 'running') continue
    try {
      const parsed = parseScript(stored.sql)[0]!.statement
      if (parsed.kind !== 'insert_query') continue
      await startQuery(engine, { select: parsed.select, emit: parsed.emit, sql: stored.sql, session: { ...stored.session }, sinkName: stored.sink, id: stored.id })
    } catch (err) {
      const error = err instanceof WeirError ? { code: err.code, message: err.message } : { code: 'INTERNAL_ERROR', message: String(err) }
      await engine.durable.putQuery({ ...stored, status: 'failed', error })
    }
  }
}

interface StartRequest {
  readonly select: AstSelect
  readonly emit: EmitMode | null
  readonly sql: string
  readonly session: Session
  readonly sinkName: string | null
  /** Set when resuming a stored query. */
  readonly id?: string
  readonly pos?: Pos
}

async function startQuery(engine: Engine, req: StartRequest): Promise<RunningQuery> {
  const { session } = req
  const planned = planQuery(req.select, engine, { emit: req.emit, sessionOutputMode: session.output_mode })
  let { graph } = planned
  if (req.sinkName !== null && !req.id) {
    for (const q of engine.running.values()) {
      if (q.status === 'running' && q.opts.sinkName === req.sinkName) {
        throw sqlError('IN_USE', `sink "${req.sinkName}" is already written by running query ${q.id}`, req.pos)
      }
    }
  }
  const trigger = parseTrigger(session.trigger)
  const name = session.query_name ?? null
  if (name !== null && !req.id && [...engine.running.values()].some((q) => q.status === 'running' && q.opts.name === name)) {
    throw new WeirError('ALREADY_EXISTS', `a running query is already named "${name}"`, { status: 409 })
  }
  // As with Spark's checkpoint location, a persistent query started under the name of a stopped
  // one resumes from its checkpoint (when the plans are compatible, see restart-compat.ts).
  const previous = req.id || name === null || req.sinkName === null
    ? undefined
    : [...engine.durable.queries.values()].find((q) => q.name === name && q.status !== 'running')
  const id = req.id ?? previous?.id ?? (await engine.durable.newQueryId())
  const sessionLimit = checkPositiveInt('max_rows_per_batch', session.max_rows_per_batch)
  const sources = new Map<string, Source>()
  const limits = new Map<string, ReadLimit>()
  const read = columnsRead(graph.root)
  for (const streamName of graph.sources) {
    const rel = engine.durable.relations.get(streamName)!
    const startup = session.startup_mode ?? rel.options.startup_mode
    const connectorName = rel.options.connector
    if (connectorName === undefined) {
      sources.set(streamName, new EmbeddedStreamSource(streamName, engine.durable.log(streamName), startup === 'latest'))
    } else {
      const c = connector(connectorName)?.source
      if (!c) throw new WeirError('INVALID_OPTION', `stream ${streamName} has connector '${connectorName}', which this server does not have`)
      const options = startup === undefined ? rel.options : { ...rel.options, startup_mode: startup }
      sources.set(streamName, await c.create({ stream: streamName, fields: rel.fields, columns: read.get(streamName), options, queryId: id }, engine.connectorEnv()))
    }
    const limit = sessionLimit ?? checkPositiveInt('max_rows_per_batch', rel.options.max_rows_per_batch)
    if (limit !== null) limits.set(streamName, { maxRows: limit })
  }
  let sink: Sink
  let pushSink: PushSink | null = null
  if (req.sinkName !== null) {
    const def = engine.durable.sinks.get(req.sinkName)!
    const c = connector(def.connector)?.sink
    if (!c) throw new WeirError('INVALID_OPTION', `sink ${def.name} has connector '${def.connector}', which this server does not have`)
    if (!c.outputModes.includes(graph.outputMode)) {
      throw new WeirError('UNSUPPORTED_OUTPUT_MODE',
        `the ${def.connector} sink ${def.name} accepts ${c.outputModes.join(' or ')} output mode; this query's output mode is ${graph.outputMode}`)
    }
    sink = await c.create({ sink: def.name, options: def.options, queryId: id, schema: graph.schema, outputMode: graph.outputMode }, engine.connectorEnv())
  } else {
    sink = pushSink = new PushSink()
  }
  const checkpoint = req.sinkName !== null ? engine.durable.checkpoint(id) : new MemoryCheckpoint()
  let executor: MicroBatchExecutor
  try {
    if (req.sinkName !== null) graph = await resumePlan(checkpoint, graph, name === null ? `query ${id}` : `query "${name}" (${id})`)
    executor = await MicroBatchExecutor.start({
      queryId: id, name, graph, sources, sink, limits, trigger, clock: engine.clock, createOperator, checkpoint,
      staticTables: staticTablesFor(engine, graph, session),
    })
  } catch (err) {
    await sink.close()
    throw err
  }
  const q = new RunningQuery({
    id, name, sql: req.sql, outputMode: graph.outputMode, trigger, triggerText: describeTrigger(trigger),
    columns: graph.schema.fields, sinkName: req.sinkName, sink, pushSink, sources: [...sources.values()], executor,
    relations: graphNodes(graph.root).flatMap((n) => (n.kind === 'source' ? [n.source] : n.kind === 'static-table' ? [n.table] : [])),
    clock: engine.clock, explain: explainGraph(graph, { description: req.sinkName ?? 'push query' }, planned.warnings),
    onStatus: (rq, persist) => {
      if (rq.status !== 'running' && persist) engine.retire(rq)
      const stored = engine.durable.queries.get(rq.id)
      // Failing to record the status (a full disk) must not crash the process.
      if (stored && persist) engine.durable.putQuery({ ...stored, status: rq.status, error: rq.error }).catch(() => undefined)
    },
  })
  if (req.sinkName !== null && !req.id) {
    const stored: StoredQuery = { id, name, sql: req.sql, session: { ...session }, sink: req.sinkName, status: 'running', error: null,
      outputMode: graph.outputMode, columns: graph.schema.fields,
    }
    await engine.durable.putQuery(stored)
  }
  engine.running.set(id, q)
  if (engine.autoRun) q.startLoop()
  return q
}

function queryResult(q: RunningQuery): StatementResult {
  const o = q.opts
  return {
    kind: 'query', queryId: o.id, name: o.name, push: o.pushSink !== null, outputMode: o.outputMode,
    trigger: o.triggerText, columns: o.columns, sink: o.sinkName,
  }
}

/** A SELECT without EMIT over a memory sink or a table answers once. */
function isBoundedRead(engine: Engine, select: AstSelect): boolean {
  const from = select.from
  if (!from || from.kind !== 'table') return false
  const rel = engine.relation(from.name)
  if (rel) return rel.kind === 'table'
  return engine.sink(from.name)?.connector === 'memory'
}

async function pull(engine: Engine, select: AstSelect, session: Session): Promise<StatementResult> {
  const from = select.from as Extract<AstSelect['from'], { kind: 'table' }>
  const tables = new Map<string, Row[]>()
  let note: string | undefined
  const sinkDef = engine.sink(from.name)
  let catalog: Catalog = engine
  if (sinkDef) {
    const columns = engine.sinkColumns(from.name)
    if (!columns) throw sqlError('UNKNOWN_RELATION', `sink "${from.name}" has no columns yet: no query has written to it`, from.pos)
    const data = engine.durable.memorySink(from.name)
    const contents = data?.contents() ?? { rows: [], truncated: false }
    if (contents.truncated) note = `only the first ${data!.maxRows} rows of ${from.name} are kept (max_rows)`
    tables.set(from.name, contents.rows)
    const view: CatalogRelation = { name: from.name, kind: 'table', fields: columns, watermark: null, primaryKey: [] }
    catalog = { relation: (n) => (n === from.name ? view : engine.relation(n)), sink: () => undefined }
  } else {
    tables.set(from.name, [...(await engine.loadTableRows(from.name))])
  }
  const planned = planQuery(select, catalog, { emit: null, sessionOutputMode: session.output_mode, batch: true })
  const rows = await runBounded(planned.graph, tables, createOperator, engine.clock.now())
  return { kind: 'rows', statement: 'SELECT', columns: planned.graph.schema.fields, rows, ...(note ? { note } : {}) }
}

export function parseTrigger(text: string | undefined, pos?: Pos): Trigger {
  const t = (text ?? 'default').trim().toLowerCase()
  if (t === 'default' || t === '') return { kind: 'default' }
  if (t === 'once') return { kind: 'once' }
  if (t === 'available_now' || t === 'availablenow') return { kind: 'available_now' }
  const m = /^processing_?time\s*[:=\s]\s*(.+)$/.exec(t)
  const ms = m ? parseDuration(m[1]!) : parseDuration(t)
  if (ms === null || ms <= 0) {
    throw sqlError('INVALID_OPTION', `trigger must be default, once, available_now or processing_time:<interval> (e.g. processing_time:10s), not '${text}'`, pos)
  }
  return { kind: 'processing_time', intervalMs: ms }
}

function describeTrigger(t: Trigger): string {
  return t.kind === 'processing_time' ? `processing_time:${t.intervalMs}ms` : t.kind
}
