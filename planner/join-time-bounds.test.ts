import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Expr } from '../runtime/graph.ts'
import { deriveSideTimes } from './join-time-bounds.ts'

const col = (index: number): Expr => ({ kind: 'column', index, type: 'TIMESTAMP' })
const iv = (ms: number): Expr => ({ kind: 'literal', value: ms, type: 'INTERVAL' })
const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'call', fn, args, type: fn === '+' || fn === '-' ? 'TIMESTAMP' : 'BOOLEAN' })
const key: Expr = { kind: 'column', index: 0, type: 'INT' }
const H = 3_600_000
// Combined row: left [k, ts], right [k, ts]; only the ts columns carry the watermark.
const info = { nl: 2, lags: [null, 0, null, 0] }

test('BETWEEN bounds both sides as Spark does (non-strict: minus 1 ms)', () => {
  // b.ts BETWEEN a.ts - 1h AND a.ts
  const cond = call('between', col(3), call('-', col(1), iv(H)), col(1))
  const t = deriveSideTimes([key], [key], [cond], info)
  assert.deepEqual(t.leftTime.evict, { column: 1, offsetMs: -1 })
  assert.deepEqual(t.rightTime.evict, { column: 1, offsetMs: -H - 1 })
})

test('strict comparisons need no 1 ms, and only bound the side they constrain', () => {
  // a.ts > b.ts + 1h: left rows at or before watermark + 1h cannot match
  const t = deriveSideTimes([key], [key], [call('>', col(1), call('+', col(3), iv(H)))], info)
  assert.deepEqual(t.leftTime.evict, { column: 1, offsetMs: H })
  assert.equal(t.rightTime.evict, null)
})

test('the smallest bound over several conjuncts wins', () => {
  const c1 = call('>=', col(1), col(3))
  const c2 = call('>=', col(1), call('-', col(3), iv(1000)))
  const t = deriveSideTimes([key], [key], [c1, c2], info)
  assert.deepEqual(t.leftTime.evict, { column: 1, offsetMs: -1001 })
})

test('an event-time equality in the join keys bounds both sides by the watermark itself', () => {
  const t = deriveSideTimes([key, col(1)], [key, col(1)], [], info)
  assert.deepEqual(t.leftTime.evict, { column: 1, offsetMs: 0 })
  assert.deepEqual(t.rightTime.evict, { column: 1, offsetMs: 0 })
})

test('columns without a watermark give no bound', () => {
  const t = deriveSideTimes([key], [key], [call('between', col(3), col(1), call('+', col(1), iv(H)))], { nl: 2, lags: [null, 0, null, null] })
  assert.equal(t.leftTime.evict, null)
  assert.equal(t.rightTime.evict, null)
})
