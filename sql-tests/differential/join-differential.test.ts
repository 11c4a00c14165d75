/**
 * Differential test for joins: random inputs pushed batch by batch into Weir, compared with
 * DuckDB's batch join over the same rows.
 *
 * - stream-static INNER and LEFT OUTER joins (duplicate and NULL keys on both inputs, sometimes
 *   an extra predicate): the emitted rows equal the batch join of every stream row with the table.
 * - stream-stream INNER joins with a range condition: the emitted rows equal the batch join of
 *   the rows that were not late (event time at or before the global watermark of their batch,
 *   replayed from Spark's rules), and the late count matches. State eviction must never lose a
 *   pair the batch join finds.
 *
 * Seeded: `DIFF_SEED=<n>`, `DIFF_CASES=<n>` (default 120 per group), `DIFF_ONLY=<case>`.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { Engine } from '../../server/engine.ts'
import { ManualClock } from '../../server/engine-api.ts'
import { caseSeed, Rng, T0 } from './generator.ts'
import { multisetDiff, normalise, type OutRow } from './oracle.ts'

const SEED = process.env.DIFF_SEED !== undefined ? Number(process.env.DIFF_SEED) >>> 0 : (Date.now() ^ 0x701e) >>> 0
const CASES = process.env.DIFF_CASES !== undefined ? Number(process.env.DIFF_CASES) : 120
const ONLY = process.env.DIFF_ONLY !== undefined ? Number(process.env.DIFF_ONLY) : null

interface Row3 { readonly k: number | null; readonly v: number; readonly ts: number }
interface Batch { readonly a: Row3[]; readonly b: Row3[] }

interface JoinCase {
  readonly label: string
  readonly kind: 'stream-static' | 'stream-stream'
  readonly joinType: 'JOIN' | 'LEFT JOIN'
  readonly table: Row3[]
  readonly batches: Batch[]
  readonly delayS: number
  /** Range of b.ts around a.ts, seconds. */
  readonly lo: number
  readonly hi: number
  readonly predicate: boolean
  readonly restartAfter: number | null
}

function rows(rng: Rng, n: number, t: number, spreadS: number): Row3[] {
  return Array.from({ length: n }, () => ({
    k: rng.chance(0.1) ? null : rng.int(0, 5), v: rng.int(-5, 20), ts: t + rng.int(-spreadS, spreadS) * 1000,
  }))
}

function makeCase(index: number, kind: JoinCase['kind']): JoinCase {
  const rng = new Rng(caseSeed(SEED, index))
  const n = rng.int(1, 8)
  let t = T0 + 60_000
  const batches: Batch[] = []
  for (let i = 0; i < n; i++) {
    t += rng.int(0, 40) * 1000
    batches.push({ a: rows(rng, rng.int(0, 12), t, 30), b: kind === 'stream-stream' ? rows(rng, rng.int(0, 12), t, 30) : [] })
  }
  const lo = rng.int(0, 60)
  return {
    label: `#${index} (${kind}; reproduce: DIFF_SEED=${SEED} DIFF_ONLY=${index})`, kind,
    joinType: kind === 'stream-static' && rng.chance(0.5) ? 'LEFT JOIN' : 'JOIN',
    table: rows(rng, rng.int(0, 10), T0, 0), batches, delayS: rng.int(0, 30), lo, hi: rng.int(0, 60),
    predicate: rng.chance(0.4), restartAfter: rng.chance(0.3) ? rng.int(0, n - 1) : null,
  }
}

const ts = (ms: number): string => `TIMESTAMP '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`
const values = (rs: readonly Row3[]): string => rs.map((r) => `(${r.k ?? 'NULL'}, ${r.v < 0 ? `(${r.v})` : r.v}, ${ts(r.ts)})`).join(', ')

function weirQuery(c: JoinCase): string {
  if (c.kind === 'stream-static') {
    const pred = c.predicate ? ' AND t.v < a.v' : ''
    return `INSERT INTO out SELECT a.k, a.v, a.ts, t.k AS tk, t.v AS tv FROM a ${c.joinType} t ON a.k = t.k${pred}`
  }
  const pred = c.predicate ? ' AND a.v <> b.v' : ''
  return `INSERT INTO out SELECT a.k, a.v, a.ts, b.v AS bv, b.ts AS bts FROM a JOIN b ON a.k = b.k ` +
    `AND b.ts BETWEEN a.ts - INTERVAL '${c.lo}' SECOND AND a.ts + INTERVAL '${c.hi}' SECOND${pred}`
}

async function runWeir(c: JoinCase): Promise<{ rows: OutRow[]; dropped: number }> {
  const clock = new ManualClock()
  let engine = await Engine.open({ clock, autoRun: false })
  const dropped = new Map<number, number>()
  const collect = (): void => {
    for (const p of engine.listQueries()[0]?.recentProgress ?? []) {
      dropped.set(p.batchId, p.stateOperators.reduce((s, o) => s + o.numRowsDroppedByWatermark, 0))
    }
  }
  try {
    const wm = `, WATERMARK FOR ts AS ts - INTERVAL '${c.delayS}' SECOND`
    await engine.execute(`CREATE STREAM a (k INT, v INT, ts TIMESTAMP${wm})`)
    if (c.kind === 'stream-static') {
      await engine.execute('CREATE TABLE t (k INT, v INT, ts TIMESTAMP)')
      if (c.table.length > 0) await engine.execute(`INSERT INTO t VALUES ${values(c.table)}`)
    } else {
      await engine.execute(`CREATE STREAM b (k INT, v INT, ts TIMESTAMP${wm})`)
    }
    await engine.execute(`CREATE SINK out WITH (connector = 'memory')`)
    await engine.execute(weirQuery(c))
    for (const [i, batch] of c.batches.entries()) {
      if (batch.a.length > 0) await engine.execute(`INSERT INTO a VALUES ${values(batch.a)}`)
      if (batch.b.length > 0) await engine.execute(`INSERT INTO b VALUES ${values(batch.b)}`)
      clock.advance(1000)
      await engine.runDueBatches()
      if (c.restartAfter === i) {
        collect()
        const durable = engine.durable
        await engine.close()
        engine = await Engine.open({ clock, autoRun: false, durable })
        await engine.runDueBatches()
      }
    }
    collect()
    const q = engine.listQueries()[0]
    if (q?.status === 'failed') throw new Error(`query failed: ${JSON.stringify(q.error)}`)
    return { rows: engine.sinkOutput('out').map((r) => r.row.map(normalise)), dropped: [...dropped.values()].reduce((s, n) => s + n, 0) }
  } finally {
    await engine.close()
  }
}

/** Spark's global watermark per batch: min over the streams that have seen rows of (max − delay), never backwards. */
function onTime(c: JoinCase): { a: Row3[]; b: Row3[] } {
  const out = { a: [] as Row3[], b: [] as Row3[] }
  const max: { a: number | null; b: number | null } = { a: null, b: null }
  let wm: number | null = null
  for (const batch of c.batches) {
    for (const side of ['a', 'b'] as const) {
      for (const r of batch[side]) if (wm === null || c.kind === 'stream-static' || r.ts > wm) out[side].push(r)
    }
    for (const side of ['a', 'b'] as const) {
      for (const r of batch[side]) max[side] = Math.max(max[side] ?? -Infinity, r.ts)
    }
    const known = [max.a, max.b].filter((m): m is number => m !== null).map((m) => m - c.delayS * 1000)
    if (known.length > 0) wm = Math.max(wm ?? -Infinity, Math.min(...known))
  }
  return out
}

async function expected(conn: DuckDBConnection, c: JoinCase): Promise<{ rows: OutRow[]; late: number; sql: string }> {
  const kept = onTime(c)
  const late = c.batches.reduce((s, b) => s + b.a.length + b.b.length, 0) - kept.a.length - kept.b.length
  const load = async (name: string, rs: readonly Row3[]): Promise<void> => {
    await conn.run(`CREATE OR REPLACE TABLE ${name} (k INTEGER, v INTEGER, ts BIGINT)`)
    if (rs.length > 0) await conn.run(`INSERT INTO ${name} VALUES ${rs.map((r) => `(${r.k ?? 'NULL'}, ${r.v}, ${r.ts})`).join(', ')}`)
  }
  await load('a', kept.a)
  await load(c.kind === 'stream-static' ? 't' : 'b', c.kind === 'stream-static' ? c.table : kept.b)
  const sql = c.kind === 'stream-static'
    ? `SELECT a.k, a.v, a.ts, t.k, t.v FROM a ${c.joinType} t ON a.k = t.k${c.predicate ? ' AND t.v < a.v' : ''}`
    : `SELECT a.k, a.v, a.ts, b.v, b.ts FROM a JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts - ${c.lo * 1000} AND a.ts + ${c.hi * 1000}` +
      (c.predicate ? ' AND a.v <> b.v' : '')
  const result = await conn.runAndReadAll(sql)
  return { rows: result.getRows().map((r) => r.map(normalise)), late: c.kind === 'stream-static' ? 0 : late, sql }
}

describe(`join differential: Weir vs DuckDB (DIFF_SEED=${SEED})`, () => {
  let conn: DuckDBConnection
  let db: DuckDBInstance
  before(async () => {
    db = await DuckDBInstance.create(':memory:')
    conn = await db.connect()
  })
  after(() => {
    conn.closeSync()
    db.closeSync()
  })

  for (const [g, kind] of (['stream-static', 'stream-stream'] as const).entries()) {
    test(kind, async (t) => {
      const failures: string[] = []
      let compared = 0
      let lateRows = 0
      const indexes = ONLY !== null ? [ONLY].filter((i) => i % 2 === g) : Array.from({ length: CASES }, (_, i) => 2 * i + g)
      for (const i of indexes) {
        const c = makeCase(i, kind)
        const want = await expected(conn, c)
        compared += want.rows.length
        lateRows += want.late
        let got: { rows: OutRow[]; dropped: number }
        try {
          got = await runWeir(c)
        } catch (err) {
          failures.push(`case ${c.label}: engine threw ${String(err)}\n  weir: ${weirQuery(c)}`)
          continue
        }
        const diff = multisetDiff(want.rows, got.rows)
        const problems: string[] = []
        if (diff.missing.length > 0 || diff.extra.length > 0) {
          problems.push(`missing ${JSON.stringify(diff.missing)}; unexpected ${JSON.stringify(diff.extra)}`)
        }
        if (got.dropped !== want.late) problems.push(`numRowsDroppedByWatermark ${got.dropped}, expected ${want.late}`)
        if (problems.length > 0) {
          failures.push(`case ${c.label}${c.restartAfter !== null ? ` (restart after batch ${c.restartAfter})` : ''}\n  ! ${problems.join('\n  ! ')}\n` +
            `  weir:   ${weirQuery(c)}\n  duckdb: ${want.sql}\n  delay ${c.delayS}s\n` +
            c.batches.map((b, j) => `  batch ${j}: a ${values(b.a) || '-'} | b ${values(b.b) || '-'}`).join('\n'))
        }
      }
      t.diagnostic(`${indexes.length} cases, ${compared} expected rows, ${lateRows} late rows`)
      if (failures.length > 0) assert.fail(`${failures.length} ${kind} cases failed (DIFF_SEED=${SEED}):\n\n${failures.slice(0, 3).join('\n\n')}`)
    })
  }
})
