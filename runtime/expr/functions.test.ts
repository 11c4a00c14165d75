import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { DataType, Value } from '../types.ts'
import { compileExpr } from './compile.ts'
import { type Arg, apply, call, cast, col, lit, NULL } from './testing.ts'

const s = (v: string | null): Arg => [v, 'VARCHAR']
const i = (v: number | null): Arg => [v, 'INT']
const d = (v: number | null): Arg => [v, 'DOUBLE']
const ts = (v: number | null): Arg => [v, 'TIMESTAMP']

describe('string functions', () => {
  it('lower, upper, length count code points', () => {
    assert.equal(apply('lower', 'VARCHAR', s('AbC')), 'abc')
    assert.equal(apply('upper', 'VARCHAR', s('AbC')), 'ABC')
    assert.equal(apply('length', 'INT', s('héllo')), 5)
    assert.equal(apply('length', 'INT', s('a😀b')), 3)
    assert.equal(apply('length', 'INT', s('')), 0)
    for (const f of ['lower', 'upper', 'length']) assert.equal(apply(f, 'VARCHAR', s(null)), null)
  })

  it('substring is 1-based with SQL edge cases', () => {
    const sub = (str: string | null, ...a: (number | null)[]): Value => apply('substring', 'VARCHAR', s(str), ...a.map(i))
    assert.equal(sub('hello', 2), 'ello')
    assert.equal(sub('hello', 2, 3), 'ell')
    assert.equal(sub('hello', 0, 2), 'h', 'position 0 uses up one of the length')
    assert.equal(sub('hello', -1, 3), 'h')
    assert.equal(sub('hello', 10), '')
    assert.equal(sub('hello', 2, -1), '')
    assert.equal(sub('a😀b', 2, 1), '😀')
    assert.equal(sub(null, 1), null)
    assert.equal(sub('hello', null), null)
    assert.equal(sub('hello', 1, null), null)
  })

  it('concat skips NULLs, || propagates them', () => {
    assert.equal(apply('concat_skip_nulls', 'VARCHAR', s('a'), s(null), s('b')), 'ab')
    assert.equal(apply('concat_skip_nulls', 'VARCHAR', s(null)), '')
    assert.equal(compileExpr(call('concat_skip_nulls', [NULL, lit('x', 'VARCHAR')], 'VARCHAR'))([]), 'x')
    assert.equal(apply('concat', 'VARCHAR', s('a'), s('b')), 'ab')
    assert.equal(apply('concat', 'VARCHAR', s('a'), s(null)), null)
  })

  it('trim, ltrim, rtrim strip spaces (or the given characters) only', () => {
    assert.equal(apply('trim', 'VARCHAR', s('  a b  ')), 'a b')
    assert.equal(apply('ltrim', 'VARCHAR', s('  a  ')), 'a  ')
    assert.equal(apply('rtrim', 'VARCHAR', s('  a  ')), '  a')
    assert.equal(apply('trim', 'VARCHAR', s('\ta\n')), '\ta\n')
    assert.equal(apply('trim', 'VARCHAR', s('xxaxyx'), s('xy')), 'a')
    assert.equal(apply('rtrim', 'VARCHAR', s('a😀😀'), s('😀')), 'a')
    assert.equal(apply('trim', 'VARCHAR', s(null)), null)
    assert.equal(apply('trim', 'VARCHAR', s('a'), s(null)), null)
  })

  it('replace and position', () => {
    assert.equal(apply('replace', 'VARCHAR', s('a.b.c'), s('.'), s('$&')), 'a$&b$&c')
    assert.equal(apply('replace', 'VARCHAR', s('abc'), s(''), s('x')), 'abc')
    assert.equal(apply('replace', 'VARCHAR', s('abc'), s(null), s('x')), null)
    assert.equal(apply('position', 'INT', s('lo'), s('hello')), 4)
    assert.equal(apply('position', 'INT', s('z'), s('hello')), 0)
    assert.equal(apply('position', 'INT', s(''), s('hello')), 1)
    assert.equal(apply('position', 'INT', s('b'), s('😀b')), 2)
    assert.equal(apply('position', 'INT', s(null), s('x')), null)
  })
})

describe('math functions', () => {
  it('abs, floor, ceil', () => {
    assert.equal(apply('abs', 'INT', i(-3)), 3)
    assert.equal(apply('floor', 'DOUBLE', d(-1.5)), -2)
    assert.equal(apply('ceil', 'DOUBLE', d(-1.5)), -1)
    for (const f of ['abs', 'floor', 'ceil']) assert.equal(apply(f, 'DOUBLE', d(null)), null)
  })

  it('round is half away from zero, with decimal places', () => {
    assert.equal(apply('round', 'DOUBLE', d(2.5)), 3)
    assert.equal(apply('round', 'DOUBLE', d(-2.5)), -3)
    assert.equal(apply('round', 'DOUBLE', d(2.675), i(2)), 2.68)
    assert.equal(apply('round', 'DOUBLE', d(-2.675), i(2)), -2.68)
    assert.equal(apply('round', 'INT', i(1250), i(-2)), 1300)
    assert.equal(apply('round', 'DOUBLE', d(1e-7), i(3)), 0)
    assert.equal(apply('round', 'DOUBLE', d(1e300), i(2)), 1e300)
    assert.ok(Object.is(apply('round', 'DOUBLE', d(-0.2)), 0))
    assert.equal(apply('round', 'DOUBLE', d(null), i(1)), null)
    assert.equal(apply('round', 'DOUBLE', d(1.5), i(null)), null)
  })

  it('coalesce, nullif, greatest, least', () => {
    assert.equal(apply('coalesce', 'INT', i(null), i(null), i(3)), 3)
    assert.equal(apply('coalesce', 'INT', i(null), i(null)), null)
    assert.equal(apply('coalesce', 'INT', i(1), i(2)), 1)
    assert.equal(apply('nullif', 'INT', i(1), i(1)), null)
    assert.equal(apply('nullif', 'INT', i(1), i(2)), 1)
    assert.equal(apply('nullif', 'INT', i(null), i(2)), null)
    assert.equal(apply('nullif', 'INT', i(1), i(null)), 1)
    assert.equal(apply('greatest', 'INT', i(1), i(null), i(3)), 3)
    assert.equal(apply('least', 'INT', i(null), i(5), i(3)), 3)
    assert.equal(apply('least', 'INT', i(null), i(null)), null)
  })
})

describe('time functions', () => {
  const t = Date.UTC(2024, 1, 29, 13, 45, 30, 250) // a Thursday
  const trunc = (unit: string, v: number | null): Value => apply('date_trunc', 'TIMESTAMP', s(unit), ts(v))
  it('date_trunc every unit', () => {
    assert.equal(trunc('millisecond', t), t)
    assert.equal(trunc('second', t), Date.UTC(2024, 1, 29, 13, 45, 30))
    assert.equal(trunc('minute', t), Date.UTC(2024, 1, 29, 13, 45))
    assert.equal(trunc('hour', t), Date.UTC(2024, 1, 29, 13))
    assert.equal(trunc('day', t), Date.UTC(2024, 1, 29))
    assert.equal(trunc('week', t), Date.UTC(2024, 1, 26), 'Monday')
    assert.equal(trunc('month', t), Date.UTC(2024, 1, 1))
    assert.equal(trunc('quarter', t), Date.UTC(2024, 0, 1))
    assert.equal(trunc('year', t), Date.UTC(2024, 0, 1))
    assert.equal(trunc('day', -1), Date.UTC(1969, 11, 31), 'before 1970 truncates downwards')
    assert.equal(trunc('week', Date.UTC(1970, 0, 1)), Date.UTC(1969, 11, 29))
    assert.equal(trunc('day', null), null)
    const perRow = call('date_trunc', [col(0, 'VARCHAR'), col(1, 'TIMESTAMP')], 'TIMESTAMP')
    assert.equal(compileExpr(perRow)(['fortnight', t]), null, 'an unknown unit computed per row is NULL')
    assert.equal(compileExpr(perRow)(['Hours', t]), Date.UTC(2024, 1, 29, 13))
  })

  it('extract every field', () => {
    const ex = (field: string, v: number | null): Value => apply('extract', 'INT', s(field), ts(v))
    const want: Record<string, number> = {
      year: 2024, quarter: 1, month: 2, day: 29, hour: 13, minute: 45, second: 30.25,
      millisecond: 30250, dow: 4, doy: 60, epoch: t / 1000,
    }
    for (const [field, v] of Object.entries(want)) assert.equal(ex(field, t), v, field)
    assert.equal(ex('hour', -1), 23)
    assert.equal(ex('year', null), null)
    const perRow = call('extract', [col(0, 'VARCHAR'), col(1, 'TIMESTAMP')], 'INT')
    assert.equal(compileExpr(perRow)(['constructor', t]), null)
    assert.equal(compileExpr(perRow)(['YEAR', t]), 2024)
  })

  it('to_timestamp, to_epoch_millis, from_epoch_millis', () => {
    assert.equal(apply('to_timestamp', 'TIMESTAMP', d(1.001)), 1001)
    assert.equal(apply('to_timestamp', 'TIMESTAMP', i(1700000000)), 1700000000000)
    assert.equal(apply('to_timestamp', 'TIMESTAMP', s('2024-01-01 00:00:01')), Date.UTC(2024, 0, 1, 0, 0, 1))
    assert.equal(apply('to_timestamp', 'TIMESTAMP', s('yesterday')), null)
    assert.equal(apply('to_timestamp', 'TIMESTAMP', d(null)), null)
    assert.equal(apply('to_epoch_millis', 'BIGINT', ts(t)), t)
    assert.equal(apply('from_epoch_millis', 'TIMESTAMP', d(1.9)), 1)
    assert.equal(apply('from_epoch_millis', 'TIMESTAMP', i(null)), null)
  })
})

describe('JSON access', () => {
  const doc = { a: { b: [1, 'x', { c: true }] }, n: null, s: 'text' }
  const get = (j: Value, k: string | number, text = false): Value =>
    apply(text ? 'json_get_text' : 'json_get', text ? 'VARCHAR' : 'JSON', [j, 'JSON'], [k, typeof k === 'number' ? 'INT' : 'VARCHAR'])
  it('-> by key and index, ->> as text', () => {
    assert.deepEqual(get(doc, 'a'), { b: [1, 'x', { c: true }] })
    assert.equal(get(get(doc, 'a'), 'b', true), '[1,"x",{"c":true}]')
    assert.equal(get(doc, 's', true), 'text')
    assert.equal(get([10, 20], 1), 20)
    assert.equal(get([10, 20], -1), 20)
    assert.equal(get([10, 20], 5), null)
    assert.equal(get([10, 20], '0'), null, 'a text key on an array is NULL (PostgreSQL)')
    assert.equal(get(doc, 0), null)
    assert.equal(get(doc, 'missing'), null)
    assert.equal(get(doc, 'n'), null)
    assert.equal(get('scalar', 'a'), null)
    assert.equal(get(null, 'a'), null)
  })
  it('inherited properties are not members', () => {
    for (const k of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.equal(get(doc, k), null, k)
      assert.equal(get(doc, k, true), null, k)
    }
  })
})

describe('CAST', () => {
  const c = (v: Value, from: DataType, to: DataType): Value => {
    const fromRow = compileExpr(cast(col(0, from), to))([v])
    assert.deepEqual(compileExpr(cast(lit(v, from), to))([]), fromRow, 'folded and row casts differ')
    return fromRow
  }
  it('text to numbers: invalid text is NULL (Spark non-ANSI)', () => {
    assert.equal(c(' 42 ', 'VARCHAR', 'INT'), 42)
    assert.equal(c('1.9', 'VARCHAR', 'INT'), 1)
    assert.equal(c('-1.9', 'VARCHAR', 'BIGINT'), -1)
    assert.equal(c('abc', 'VARCHAR', 'INT'), null)
    assert.equal(c('', 'VARCHAR', 'INT'), null)
    assert.equal(c('0x10', 'VARCHAR', 'INT'), null)
    assert.equal(c('3000000000', 'VARCHAR', 'INT'), null, 'out of INT range')
    assert.equal(c('3000000000', 'VARCHAR', 'BIGINT'), 3000000000)
    assert.equal(c('1e3', 'VARCHAR', 'DOUBLE'), 1000)
    assert.equal(c('NaN', 'VARCHAR', 'DOUBLE'), NaN)
    assert.equal(c('constructor', 'VARCHAR', 'DOUBLE'), null)
  })
  it('numbers, booleans, text', () => {
    assert.equal(c(-2.7, 'DOUBLE', 'INT'), -2)
    assert.equal(c(Infinity, 'DOUBLE', 'BIGINT'), null)
    assert.equal(c(7, 'INT', 'DOUBLE'), 7)
    assert.equal(c(1.5, 'DOUBLE', 'VARCHAR'), '1.5')
    assert.equal(c(true, 'BOOLEAN', 'VARCHAR'), 'true')
    assert.equal(c(true, 'BOOLEAN', 'INT'), 1)
    assert.equal(c(0, 'INT', 'BOOLEAN'), false)
    assert.equal(c(' Yes ', 'VARCHAR', 'BOOLEAN'), true)
    assert.equal(c('f', 'VARCHAR', 'BOOLEAN'), false)
    assert.equal(c('maybe', 'VARCHAR', 'BOOLEAN'), null)
    assert.equal(c(null, 'INT', 'VARCHAR'), null)
    assert.equal(c(null, 'NULL', 'TIMESTAMP'), null)
  })
  it('timestamps and intervals', () => {
    const t = Date.UTC(2026, 0, 1, 0, 0, 1)
    assert.equal(c(t, 'TIMESTAMP', 'VARCHAR'), '2026-01-01T00:00:01.000Z')
    assert.equal(c('2026-01-01T00:00:01Z', 'VARCHAR', 'TIMESTAMP'), t)
    assert.equal(c('2026-01-01 01:00:01+01:00', 'VARCHAR', 'TIMESTAMP'), t)
    assert.equal(c('2026-02-30', 'VARCHAR', 'TIMESTAMP'), null)
    assert.equal(c(t, 'TIMESTAMP', 'JSON'), '2026-01-01T00:00:01.000Z')
    assert.equal(c(5000, 'INTERVAL', 'BIGINT'), 5000)
    assert.equal(c(2.5, 'DOUBLE', 'INTERVAL'), 2)
  })
  it('JSON to and from text', () => {
    assert.deepEqual(c('{"a":[1,2]}', 'VARCHAR', 'JSON'), { a: [1, 2] })
    assert.equal(c('{bad', 'VARCHAR', 'JSON'), null)
    assert.equal(c({ a: 'x' }, 'JSON', 'VARCHAR'), '{"a":"x"}')
    assert.equal(c('x', 'JSON', 'VARCHAR'), '"x"')
    assert.equal(c('12', 'JSON', 'INT'), 12)
    assert.equal(c(12.5, 'JSON', 'INT'), 12)
    assert.equal(c(true, 'JSON', 'BOOLEAN'), true)
    assert.equal(c([1], 'JSON', 'DOUBLE'), null)
    assert.equal(c('2026-01-01', 'JSON', 'TIMESTAMP'), Date.UTC(2026, 0, 1))
    assert.equal(c(1000, 'JSON', 'TIMESTAMP'), 1000)
    assert.equal(c(1.5, 'DOUBLE', 'JSON'), 1.5)
  })
})
