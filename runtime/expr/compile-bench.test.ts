/**
 * Micro-benchmark, printed and not asserted (machines are noisy): a compiled predicate and
 * projection against the same logic written by hand. Target: compiled within ~1.5× of hand.
 */
import { it } from 'node:test'
import type { Row } from '../types.ts'
import { compilePredicate, compileProjection } from './compile.ts'
import { call, col, dbl, str } from './testing.ts'

const ROWS = 200_000
const REPS = 9

function makeRows(): Row[] {
  const rows: Row[] = []
  const cats = ['alpha', 'beta', 'gamma', 'delta']
  for (let i = 0; i < ROWS; i++) {
    rows.push([i, cats[i % 4]!, i % 7 === 0 ? null : (i * 7919) % 1000, 1_700_000_000_000 + i])
  }
  return rows
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function time(fn: () => number): number {
  const t0 = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t0) / 1e6
}

/** Runs the variants interleaved (so drift hits all alike) and prints rows/s and the ratio to the first. */
function bench(title: string, variants: Record<string, () => number>): void {
  const names = Object.keys(variants)
  const checks = names.map((n) => variants[n]!())
  if (new Set(checks).size !== 1) throw new Error(`${title}: variants disagree: ${checks.join(', ')}`)
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < REPS; r++) for (const n of names) times[n]!.push(time(variants[n]!))
  const base = median(times[names[0]!]!)
  console.log(`${title} (${ROWS} rows, median of ${REPS})`)
  for (const n of names) {
    const ms = median(times[n]!)
    console.log(`  ${n.padEnd(10)} ${(ROWS / ms / 1000).toFixed(1).padStart(7)} M rows/s  ${(ms / base).toFixed(2)}×`)
  }
}

it('benchmark: compiled expressions against hand-written loops (printed, not asserted)', () => {
  const rows = makeRows()
  // amount > 500 AND category LIKE 'a%'
  const predicate = compilePredicate(call('and', [
    call('>', [col(2, 'DOUBLE'), dbl(500)], 'BOOLEAN'),
    call('like', [col(1, 'VARCHAR'), str('a%')], 'BOOLEAN'),
  ], 'BOOLEAN'))
  bench('filter: amount > 500 AND category LIKE \'a%\'', {
    hand: () => {
      let n = 0
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!
        const a = r[2]
        const c = r[1]
        if (a !== null && (a as number) > 500 && c !== null && (c as string).startsWith('a')) n++
      }
      return n
    },
    compiled: () => {
      let n = 0
      for (let i = 0; i < rows.length; i++) if (predicate(rows[i]!)) n++
      return n
    },
  })

  // id, amount * 2 + 1, upper(category)
  const projection = compileProjection([
    col(0, 'BIGINT'),
    call('+', [call('*', [col(2, 'DOUBLE'), dbl(2)], 'DOUBLE'), dbl(1)], 'DOUBLE'),
    call('upper', [col(1, 'VARCHAR')], 'VARCHAR'),
  ])
  bench('project: id, amount * 2 + 1, upper(category)', {
    hand: () => {
      let n = 0
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!
        const a = r[2] as number | null
        const c = r[1] as string | null
        const out = [r[0], a === null ? null : a * 2 + 1, c === null ? null : c.toUpperCase()]
        n += out.length
      }
      return n
    },
    compiled: () => {
      let n = 0
      for (let i = 0; i < rows.length; i++) n += projection(rows[i]!).length
      return n
    },
  })
})
