/**
 * Changelogs as text, for operator tests (RisingWave's `from_pretty`): one change per line,
 * `op value value …`, e.g. `+ 1 10`, `U- 1 10`, `U+ 1 11`. Values: `NULL`, `true`, `false`,
 * numbers, `'quoted strings'` and bare words (strings). Lines may be separated by newlines or
 * by ` | `; blank lines are ignored. A snapshot batch formats as a first line `snapshot`
 * followed by its rows as `+` lines.
 *
 * `OperatorHarness` runs an operator batch by batch on a `MemoryStateStore`, committing after
 * every batch, and can restart it from the store.
 */
import assert from 'node:assert/strict'
import { internalError } from '../errors.ts'
import { MemoryStateStore } from '../state/memory-state-store.ts'
import type { ChangeBatch, Op, Row, Value } from '../types.ts'
import type { BatchContext, Operator } from './operator.ts'

const OPS: readonly string[] = ['+', '-', 'U-', 'U+']

export function parseChangelog(text: string): ChangeBatch {
  const rows: Row[] = []
  const ops: Op[] = []
  for (const raw of text.split(/\n|\|/)) {
    const line = raw.trim()
    if (line === '') continue
    const tokens = tokenize(line)
    const op = tokens.shift()
    if (op === undefined || !OPS.includes(op)) throw internalError(`bad changelog line: ${line}`)
    ops.push(op as Op)
    rows.push(tokens.map(parseValue))
  }
  return { rows, ops: ops.every((o) => o === '+') ? null : ops }
}

export function formatChangelog(batch: ChangeBatch): string {
  const lines = batch.rows.map((row, i) => `${batch.ops?.[i] ?? '+'} ${row.map(formatValue).join(' ')}`.trimEnd())
  if (batch.snapshot === true) lines.unshift('snapshot')
  return lines.join('\n')
}

/** Normalises expected text the same way as output: trimmed lines, `|` as a line break. */
export function normalizeChangelog(text: string): string {
  return text
    .split(/\n|\|/)
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '')
    .join('\n')
}

function tokenize(line: string): string[] {
  const tokens: string[] = []
  const re = /'((?:[^']|'')*)'|(\S+)/g
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    tokens.push(m[1] !== undefined ? `'${m[1]}'` : (m[2] as string))
  }
  return tokens
}

function parseValue(token: string): Value {
  if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'")
  if (token === 'NULL' || token === 'null') return null
  if (token === 'true') return true
  if (token === 'false') return false
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/.test(token)) return Number(token)
  return token
}

function formatValue(v: Value): string {
  if (v === null) return 'NULL'
  if (typeof v === 'string') return /^[A-Za-z_][\w.-]*$/.test(v) && !['NULL', 'null', 'true', 'false'].includes(v) ? v : `'${v.replace(/'/g, "''")}'`
  if (typeof v === 'object') return `'${JSON.stringify(v)}'`
  return String(v)
}

export class OperatorHarness<T extends Operator> {
  readonly store = new MemoryStateStore()
  op: T
  private batchId = 0
  private readonly make: () => T

  constructor(make: () => T, readonly namespace = 'op-1') {
    this.make = make
    this.op = make()
  }

  async open(): Promise<this> {
    await this.op.open({ store: this.store, namespace: this.namespace })
    return this
  }

  /** Runs one batch: each input chunk through `process`, then `finish`, then `commit`. */
  run(watermark: number | null, ...chunks: string[]): string {
    const ctx: BatchContext = { batchId: this.batchId++, watermark, batchTimestamp: 0 }
    const out: string[] = []
    for (const chunk of chunks) out.push(formatChangelog(this.op.process(parseChangelog(chunk), 0, ctx)))
    out.push(formatChangelog(this.op.finish(ctx)))
    const wb = this.store.newWriteBatch()
    this.op.commit(wb, ctx)
    this.store.commit(wb)
    return out.filter((s) => s !== '').join('\n')
  }

  /** Runs a batch and asserts its output. */
  expect(watermark: number | null, input: string, expected: string): void {
    assert.equal(this.run(watermark, ...(input === '' ? [] : [input])), normalizeChangelog(expected), `batch ${this.batchId - 1}`)
  }

  /** Runs a batch without committing it (an abandoned batch). */
  runUncommitted(watermark: number | null, input: string): string {
    const ctx: BatchContext = { batchId: this.batchId, watermark, batchTimestamp: 0 }
    const a = formatChangelog(this.op.process(parseChangelog(input), 0, ctx))
    const b = formatChangelog(this.op.finish(ctx))
    return [a, b].filter((s) => s !== '').join('\n')
  }

  /** Replaces the operator with a fresh one restored from the committed state. */
  async restart(): Promise<void> {
    this.op.close()
    this.op = this.make()
    await this.open()
  }

  progress(): Record<string, number> {
    const p = this.op.stateProgress()
    if (p === null) throw internalError('no state progress')
    const { operatorName: _name, memoryUsedBytes: _mem, ...counters } = p
    return counters
  }
}
