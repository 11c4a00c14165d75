/** CREATE, DROP and INSERT … VALUES. */
import { resolve } from 'node:path'
import type { CreateSink, CreateStream, CreateTable, Drop, InsertValues, OptionDef, Pos } from '../../planner/ast.ts'
import { analyzeCreateRelation, analyzeCreateSink, planInsertValues } from '../../planner/ddl.ts'
import { compileExpr } from '../../runtime/expr/compile.ts'
import { sqlError, WeirError } from '../../runtime/errors.ts'
import { fileSinkOptions } from '../../connectors/file/file-sink-options.ts'
import { STREAM_OPTIONS, validateOptions, type Connector, type ConnectorRole } from '../../connectors/connector.ts'
import { CONNECTORS, connector } from '../../connectors/registry.ts'
import type { Row } from '../../runtime/types.ts'
import type { Engine } from '../engine.ts'
import { TABLE_OPTIONS } from '../static-tables.ts'
import type { StatementResult } from '../engine-api.ts'

/** Options an embedded stream accepts; an embedded table takes none. */
const EMBEDDED_STREAM_OPTIONS = new Set(STREAM_OPTIONS.map((o) => o.name))

export async function createRelation(engine: Engine, s: CreateStream | CreateTable): Promise<StatementResult> {
  const what = s.kind === 'create_stream' ? 'STREAM' : 'TABLE'
  if (s.ifNotExists && (engine.relation(s.name) || engine.sink(s.name))) {
    return { kind: 'ok', statement: `CREATE ${what}`, message: `${s.name} already exists, skipped` }
  }
  let def = analyzeCreateRelation(s, engine)
  const role = s.kind === 'create_stream' ? 'source' : 'table'
  const connectorName = def.options.connector
  if (connectorName === undefined) {
    const allowed = s.kind === 'create_stream' ? EMBEDDED_STREAM_OPTIONS : new Set(TABLE_OPTIONS.map((o) => o.name))
    for (const o of s.options) {
      if (!allowed.has(o.key)) {
        throw sqlError('INVALID_OPTION', `unknown option "${o.key}" for an embedded ${what.toLowerCase()}; known: ${[...allowed].join(', ') || 'none'} (or give a connector)`, o.pos)
      }
    }
    withPosition(s.options, () => validateOptions(EMBEDDED, role, def.options, role === 'source' ? STREAM_OPTIONS : TABLE_OPTIONS))
  } else {
    const c = connectorFor(connectorName, role, s.options, s.pos)
    withPosition(s.options, () => {
      validateOptions(c, role, def.options, role === 'source' ? STREAM_OPTIONS : TABLE_OPTIONS)
      c.validate?.(role, def.options, engine.connectorEnv(), def.fields)
    })
    if (c.inferFields && def.options.infer_schema?.toLowerCase() === 'true') {
      // Spark's schema inference, at CREATE: the declared columns stay, the inferred others follow.
      const inferred = await c.inferFields(role, def.options, engine.connectorEnv())
      const declared = new Set(def.fields.map((f) => f.name.toLowerCase()))
      def = { ...def, fields: [...def.fields, ...inferred.filter((f) => !declared.has(f.name.toLowerCase()))] }
    }
  }
  await engine.durable.putRelation(def)
  return { kind: 'ok', statement: `CREATE ${what}`, message: `created ${def.kind} ${def.name}` }
}

export async function createSink(engine: Engine, s: CreateSink): Promise<StatementResult> {
  if (s.ifNotExists && (engine.relation(s.name) || engine.sink(s.name))) {
    return { kind: 'ok', statement: 'CREATE SINK', message: `${s.name} already exists, skipped` }
  }
  const def = analyzeCreateSink(s, engine)
  const c = connectorFor(def.connector, 'sink', s.options, s.pos)
  withPosition(s.options, () => {
    validateOptions(c, 'sink', def.options)
    c.validate?.('sink', def.options, engine.connectorEnv())
  })
  if (def.connector === 'file') checkFileSink(engine, def.options, s.pos)
  await engine.durable.putSink(def)
  return { kind: 'ok', statement: 'CREATE SINK', message: `created ${def.connector} sink ${def.name}` }
}

/** The embedded stream, as a connector without options of its own (for option checks). */
const EMBEDDED: Connector = { name: 'embedded', description: 'the engine\'s own log', options: [] }

function connectorFor(name: string, role: ConnectorRole, options: readonly OptionDef[], pos: Pos): Connector {
  const c = connector(name)
  const has = c && (role === 'sink' ? c.sink : role === 'source' ? c.source : c.table)
  if (!c || !has) {
    const able = [...CONNECTORS.values()].filter((x) => (role === 'sink' ? x.sink : role === 'source' ? x.source : x.table)).map((x) => x.name)
    const at = options.find((o) => o.key === 'connector')?.pos ?? pos
    const what = role === 'source' ? 'stream' : role
    throw sqlError('INVALID_OPTION', `no ${what} connector '${name}'; available: ${able.join(', ') || 'none yet'}`, at)
  }
  return c
}

/** Runs an option check and points its INVALID_OPTION error at the option it names. */
function withPosition(options: readonly OptionDef[], check: () => void): void {
  try {
    check()
  } catch (err) {
    if (err instanceof WeirError && err.position === undefined) {
      const named = options.find((o) => err.message.includes(`"${o.key}"`) || err.message.includes(`option ${o.key} `))
      throw sqlError(err.code, err.message, named?.pos ?? options[0]?.pos)
    }
    throw err
  }
}

export async function drop(engine: Engine, s: Drop): Promise<StatementResult> {
  const stmt = `DROP ${s.objectKind.toUpperCase()}`
  const exists = s.objectKind === 'sink' ? engine.sink(s.name) : engine.relation(s.name)
  if (!exists || ('kind' in exists && exists.kind !== s.objectKind)) {
    if (s.ifExists) return { kind: 'ok', statement: stmt, message: `${s.name} does not exist, skipped` }
    throw sqlError(s.objectKind === 'sink' ? 'UNKNOWN_SINK' : 'UNKNOWN_RELATION', `${s.objectKind} "${s.name}" does not exist`, s.pos)
  }
  for (const q of engine.running.values()) {
    if (q.status !== 'running') continue
    const uses = s.objectKind === 'sink' ? q.opts.sinkName === s.name : q.opts.relations.includes(s.name)
    if (uses) {
      throw sqlError('IN_USE', `${s.objectKind} "${s.name}" is used by running query ${q.id}; stop it first (STOP QUERY '${q.id}')`, s.pos)
    }
  }
  if (s.objectKind === 'sink') await engine.durable.deleteSink(s.name)
  else await engine.durable.deleteRelation(s.name)
  return { kind: 'ok', statement: stmt, message: `dropped ${s.objectKind} ${s.name}` }
}

export async function insertValues(engine: Engine, s: InsertValues): Promise<StatementResult> {
  const target = engine.relation(s.target)
  if (!target) {
    const isSink = engine.sink(s.target) !== undefined
    throw sqlError(isSink ? 'UNSUPPORTED_OPERATION' : 'UNKNOWN_RELATION',
      isSink ? `"${s.target}" is a sink: INSERT INTO a sink takes a SELECT` : `stream or table "${s.target}" does not exist`, s.pos)
  }
  const connectorName = engine.durable.relations.get(target.name)?.options.connector
  if (target.kind === 'table' && connectorName !== undefined) {
    throw sqlError('UNSUPPORTED_OPERATION', `table "${target.name}" is loaded by the ${connectorName} connector; change its data at the source`, s.pos)
  }
  const exprRows = planInsertValues(s, target)
  const rows: Row[] = exprRows.map((exprs) => exprs.map((e) => compileExpr(e)([])))
  if (target.kind === 'stream') {
    const start = await engine.durable.log(target.name).append(rows)
    return { kind: 'insert', target: target.name, count: rows.length, startOffset: start, endOffset: start + rows.length }
  }
  const table = [...engine.durable.tableRows(target.name)]
  const pk = target.primaryKey.map((k) => target.fields.findIndex((f) => f.name === k))
  for (const row of rows) {
    // A table with a primary key keeps one row per key: the last written wins.
    const at = pk.length === 0 ? -1 : table.findIndex((r) => pk.every((i) => r[i] === row[i]))
    if (at >= 0) table[at] = row
    else table.push(row)
  }
  await engine.durable.putTableRows(target.name, table)
  return { kind: 'insert', target: target.name, count: rows.length, startOffset: 0, endOffset: table.length }
}

/** A file sink's path must be allowed and not shared with another file sink. */
function checkFileSink(engine: Engine, options: Readonly<Record<string, string>>, pos: Pos): void {
  try {
    const roots = engine.fileRoots
    const { path } = fileSinkOptions(options, roots)
    for (const other of engine.durable.sinks.values()) {
      if (other.connector === 'file' && other.options.path !== undefined && resolve(roots[0]!, other.options.path) === path) {
        throw new WeirError('IN_USE', `sink ${other.name} already writes to ${path}`)
      }
    }
  } catch (err) {
    if (err instanceof WeirError && err.position === undefined) throw sqlError(err.code, err.message, pos)
    throw err
  }
}

export function checkPositiveInt(name: string, value: string | undefined, pos?: Pos): number | null {
  if (value === undefined) return null
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw sqlError('INVALID_OPTION', `${name} must be a positive whole number, not '${value}'`, pos)
  return n
}
