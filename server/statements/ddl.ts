/** CREATE, DROP and INSERT … VALUES. */
import { resolve } from 'node:path'
import type { CreateSink, CreateStream, CreateTable, Drop, InsertValues, Pos } from '../../planner/ast.ts'
import { analyzeCreateRelation, analyzeCreateSink, planInsertValues } from '../../planner/ddl.ts'
import { compileExpr } from '../../runtime/expr/compile.ts'
import { sqlError, WeirError } from '../../runtime/errors.ts'
import { FILE_SINK_OPTION_KEYS, fileSinkOptions } from '../../connectors/file/file-sink-options.ts'
import type { Row } from '../../runtime/types.ts'
import type { Engine } from '../engine.ts'
import type { StatementResult } from '../engine-api.ts'

/** Options an embedded stream or table accepts. Connectors bring their own (connectors issue). */
const EMBEDDED_OPTIONS = new Set(['startup_mode', 'max_rows_per_batch'])
const SINK_CONNECTORS: Readonly<Record<string, ReadonlySet<string>>> = {
  memory: new Set(['connector', 'max_rows']),
  noop: new Set(['connector']),
  file: FILE_SINK_OPTION_KEYS,
}

export async function createRelation(engine: Engine, s: CreateStream | CreateTable): Promise<StatementResult> {
  const what = s.kind === 'create_stream' ? 'STREAM' : 'TABLE'
  if (s.ifNotExists && (engine.relation(s.name) || engine.sink(s.name))) {
    return { kind: 'ok', statement: `CREATE ${what}`, message: `${s.name} already exists, skipped` }
  }
  const def = analyzeCreateRelation(s, engine)
  for (const o of s.options) {
    if (o.key === 'connector') {
      throw sqlError('INVALID_OPTION', `connector '${o.value}' is not available yet; omit WITH (connector …) for an embedded ${what.toLowerCase()}`, o.pos)
    }
    if (!EMBEDDED_OPTIONS.has(o.key)) {
      throw sqlError('INVALID_OPTION', `unknown option "${o.key}" for an embedded ${what.toLowerCase()}; known: ${[...EMBEDDED_OPTIONS].join(', ')}`, o.pos)
    }
  }
  checkStartupMode(def.options.startup_mode, s.pos)
  checkPositiveInt('max_rows_per_batch', def.options.max_rows_per_batch, s.pos)
  await engine.durable.putRelation(def)
  return { kind: 'ok', statement: `CREATE ${what}`, message: `created ${def.kind} ${def.name}` }
}

export async function createSink(engine: Engine, s: CreateSink): Promise<StatementResult> {
  if (s.ifNotExists && (engine.relation(s.name) || engine.sink(s.name))) {
    return { kind: 'ok', statement: 'CREATE SINK', message: `${s.name} already exists, skipped` }
  }
  const def = analyzeCreateSink(s, engine)
  const known = SINK_CONNECTORS[def.connector]
  if (!known) {
    const pos = s.options.find((o) => o.key === 'connector')?.pos ?? s.pos
    throw sqlError('INVALID_OPTION', `sink connector '${def.connector}' is not available; available: ${Object.keys(SINK_CONNECTORS).join(', ')}`, pos)
  }
  for (const o of s.options) {
    if (!known.has(o.key)) throw sqlError('INVALID_OPTION', `unknown option "${o.key}" for a ${def.connector} sink; known: ${[...known].join(', ')}`, o.pos)
  }
  checkPositiveInt('max_rows', def.options.max_rows, s.pos)
  if (def.connector === 'file') checkFileSink(engine, def.options, s.pos)
  await engine.durable.putSink(def)
  return { kind: 'ok', statement: 'CREATE SINK', message: `created ${def.connector} sink ${def.name}` }
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
    const uses = s.objectKind === 'sink' ? q.opts.sinkName === s.name : q.executor.sourceNames.includes(s.name)
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

function checkStartupMode(value: string | undefined, pos: Pos): void {
  if (value !== undefined && value !== 'earliest' && value !== 'latest') {
    throw sqlError('INVALID_OPTION', `startup_mode must be 'earliest' or 'latest', not '${value}'`, pos)
  }
}

export function checkPositiveInt(name: string, value: string | undefined, pos?: Pos): number | null {
  if (value === undefined) return null
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw sqlError('INVALID_OPTION', `${name} must be a positive whole number, not '${value}'`, pos)
  return n
}
