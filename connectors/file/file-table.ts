/**
 * Static tables from files (`CREATE TABLE users (…) WITH (connector = 'file', path =
 * 'users.csv', format = 'csv')`), loaded whole each time a query needs them, and schema
 * inference (`infer_schema = true`) for file streams and tables.
 *
 * Inference, as Spark's `inferSchema`, reads a sample (the first 1000 rows of the table's file,
 * or of the oldest file of a stream's directory) when the stream or table is created. The
 * declared columns keep their names, types and places (a watermark column must be declared);
 * inferred columns that are not declared are added after them. JSON: keys in order of first
 * appearance; CSV: header names (or `_c0`, `_c1`, … without a header); Parquet: the file's
 * schema. Values that are all whole numbers infer BIGINT, numbers DOUBLE, `true`/`false` BOOLEAN,
 * ISO-8601 date-times TIMESTAMP, objects and arrays JSON, anything else VARCHAR.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { DataType, Field, JsonValue, Row } from '../../runtime/types.ts'
import { parseTimestamp } from '../../runtime/types.ts'
import { invalidOption, type ConnectorEnv, type ConnectorOptions, type ConnectorRole } from '../connector.ts'
import { boolOption, enumOption } from '../option-values.ts'
import { splitCsv, type FileFormat } from './file-formats.ts'
import { parseFile } from './file-decode.ts'
import { fileFormat, resolveInRoots } from './file-sink-options.ts'
import { visibleName } from './file-source.ts'
import { parquetFields } from './parquet.ts'

const SAMPLE_ROWS = 1000

/** The rows of a file table: one file, or every visible file of a directory in name order. */
export async function loadFileTable(fields: readonly Field[], options: ConnectorOptions, env: ConnectorEnv): Promise<Row[]> {
  const path = resolveInRoots(options.path ?? '', env.fileRoots, 'path')
  const format = fileFormat(options)
  const header = boolOption(options, 'header', true)
  const onError = enumOption(options, 'on_error', ['fail', 'skip'], 'fail')
  const rows: Row[] = []
  for (const file of await filesOf(path)) {
    const result = await parseFile(await readFile(file), { fields, format, header, onError, file })
    for (const r of result.rows) rows.push(r)
  }
  return rows
}

/** The columns of the sample file, for `infer_schema = true`. */
export async function inferFileFields(role: ConnectorRole, options: ConnectorOptions, env: ConnectorEnv): Promise<Field[]> {
  const path = resolveInRoots(options.path ?? '', env.fileRoots, 'path')
  const format = fileFormat(options)
  const files = role === 'table' ? await filesOf(path) : await oldestFirst(path)
  const sample = files[0]
  if (sample === undefined) throw invalidOption(`infer_schema = true needs a file to infer from, and ${path} has none yet; declare the columns instead`)
  const bytes = await readFile(sample)
  return inferFields(bytes, format, boolOption(options, 'header', true), sample)
}

export function inferFields(bytes: Uint8Array, format: FileFormat, header: boolean, file: string): Field[] {
  if (format === 'parquet') return parquetFields(bytes, file)
  const text = new TextDecoder().decode(bytes)
  const columns = new Map<string, DataType | null>()
  const see = (name: string, v: unknown): void => {
    const prev = columns.get(name) ?? null
    const t = typeOf(v)
    columns.set(name, t === null ? prev : prev === null ? t : widen(prev, t))
  }
  if (format === 'json') {
    for (const line of text.split('\n').filter((l) => l.trim() !== '').slice(0, SAMPLE_ROWS)) {
      let obj: JsonValue
      try {
        obj = JSON.parse(line) as JsonValue
      } catch {
        continue
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) continue
      for (const [k, v] of Object.entries(obj)) see(k, v)
    }
  } else {
    const records = splitCsv(text).filter((r) => !r.error)
    const names = header && records.length > 0 ? records.shift()!.cells.map((c, i) => c ?? `_c${i}`) : []
    for (const rec of records.slice(0, SAMPLE_ROWS)) {
      rec.cells.forEach((c, i) => {
        if (names[i] === undefined) names[i] = `_c${i}`
        see(names[i]!, c === null ? null : textValue(c))
      })
    }
    for (const n of names) if (!columns.has(n)) columns.set(n, null)
  }
  return [...columns].map(([name, type]) => ({ name, type: type ?? 'VARCHAR' }))
}

function textValue(c: string): unknown {
  const t = c.trim()
  if (/^-?\d+$/.test(t)) return Number(t)
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t)
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true'
  return c
}

function typeOf(v: unknown): DataType | null {
  if (v === null || v === undefined) return null
  if (typeof v === 'boolean') return 'BOOLEAN'
  if (typeof v === 'number') return Number.isInteger(v) ? 'BIGINT' : 'DOUBLE'
  if (typeof v === 'string') return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v) && parseTimestamp(v) !== null ? 'TIMESTAMP' : 'VARCHAR'
  return 'JSON'
}

function widen(a: DataType, b: DataType): DataType {
  if (a === b) return a
  if ((a === 'BIGINT' && b === 'DOUBLE') || (a === 'DOUBLE' && b === 'BIGINT')) return 'DOUBLE'
  return a === 'JSON' || b === 'JSON' ? 'JSON' : 'VARCHAR'
}

/** Declared columns first, in place; inferred ones not declared after them. */
export function mergeFields(declared: readonly Field[], inferred: readonly Field[]): Field[] {
  const names = new Set(declared.map((f) => f.name.toLowerCase()))
  return [...declared, ...inferred.filter((f) => !names.has(f.name.toLowerCase()))]
}

async function filesOf(path: string): Promise<string[]> {
  let st
  try {
    st = await stat(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw invalidOption(`${path} does not exist`)
    throw err
  }
  if (!st.isDirectory()) return [path]
  return (await readdir(path)).filter(visibleName).sort().map((n) => join(path, n))
}

async function oldestFirst(dir: string): Promise<string[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter(visibleName)
  } catch {
    return []
  }
  const withTimes = await Promise.all(names.map(async (n) => ({ n, st: await stat(join(dir, n)) })))
  return withTimes.filter((x) => x.st.isFile()).sort((a, b) => a.st.mtimeMs - b.st.mtimeMs || (a.n < b.n ? -1 : 1)).map((x) => join(dir, x.n))
}
