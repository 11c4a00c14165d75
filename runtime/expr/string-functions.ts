/**
 * String, number and JSON helpers the compiled expressions call. Arguments are never NULL
 * (the generated code checks first); results may be null where SQL says NULL.
 *
 * Strings count characters as Unicode code points, like PostgreSQL and Spark, not UTF-16 units.
 */
import type { Value } from '../types.ts'

const SURROGATE = /[\uD800-\uDFFF]/

/** LENGTH / CHAR_LENGTH in code points. */
export function charLength(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--
        i++
      }
    }
  }
  return n
}

/**
 * SUBSTRING(s, start[, len]), SQL semantics: characters at 1-based positions start … start+len-1
 * that exist, so a start of 0 or below eats into the length (`substring('abc', 0, 2)` = 'a').
 * A negative length gives '' (Spark; PostgreSQL raises an error, which a stream cannot).
 */
export function substring(s: string, start: number, len?: number): string {
  if (len !== undefined && len < 0) return ''
  const from = Math.max(start, 1)
  const to = len === undefined ? Infinity : start + len // exclusive, 1-based
  if (to <= from) return ''
  if (!SURROGATE.test(s)) return s.slice(from - 1, to === Infinity ? undefined : to - 1)
  return Array.from(s).slice(from - 1, to === Infinity ? undefined : to - 1).join('')
}

function trimSet(chars: string): Set<number> {
  const set = new Set<number>()
  for (const ch of chars) set.add(ch.codePointAt(0)!)
  return set
}

// Space only by default, as in SQL (not JS's trim(), which also strips tabs and newlines).
function trimIndexes(s: string, chars: string, left: boolean, right: boolean): [number, number] {
  let start = 0
  let end = s.length
  if (chars === ' ') {
    if (left) while (start < end && s.charCodeAt(start) === 32) start++
    if (right) while (end > start && s.charCodeAt(end - 1) === 32) end--
    return [start, end]
  }
  const set = trimSet(chars)
  if (left) {
    while (start < end) {
      const cp = s.codePointAt(start)!
      if (!set.has(cp)) break
      start += cp > 0xffff ? 2 : 1
    }
  }
  if (right) {
    while (end > start) {
      const lowSurrogate = s.charCodeAt(end - 1) >= 0xdc00 && s.charCodeAt(end - 1) <= 0xdfff && end - 2 >= start
      const at = lowSurrogate ? end - 2 : end - 1
      if (!set.has(s.codePointAt(at)!)) break
      end = at
    }
  }
  return [start, end]
}

export function trim(s: string, chars = ' '): string {
  const [a, b] = trimIndexes(s, chars, true, true)
  return s.slice(a, b)
}

export function ltrim(s: string, chars = ' '): string {
  const [a, b] = trimIndexes(s, chars, true, false)
  return s.slice(a, b)
}

export function rtrim(s: string, chars = ' '): string {
  const [a, b] = trimIndexes(s, chars, false, true)
  return s.slice(a, b)
}

/** REPLACE(s, from, to): every occurrence; an empty `from` changes nothing (PostgreSQL). */
export function replace(s: string, from: string, to: string): string {
  // split/join, not String.replaceAll, so `$&` in `to` stays literal text.
  return from === '' ? s : s.split(from).join(to)
}

/** POSITION(sub IN s): 1-based code-point index of the first occurrence, 0 when absent. */
export function position(sub: string, s: string): number {
  const i = s.indexOf(sub)
  if (i < 0) return 0
  return (SURROGATE.test(s) ? charLength(s.slice(0, i)) : i) + 1
}

/** ROUND(x[, d]): half away from zero (SQL), not JS's half toward +∞; d may be negative. */
export function round(x: number, d = 0): number {
  if (!Number.isFinite(x)) return x
  const sign = x < 0 ? -1 : 1
  const a = Math.abs(x)
  // Shifting through the decimal exponent avoids binary error: round(2.675, 2) is 2.68.
  let r = Number(`${Math.round(Number(`${a}e${d}`))}e${-d}`)
  if (!Number.isFinite(r)) r = Math.round(a * 10 ** d) / 10 ** d
  return sign * r + 0
}

/** `j -> key`: an object member (own keys only: `->'constructor'` is NULL) or array element (negative counts from the end). */
export function jsonGet(j: Value, key: string | number): Value {
  if (typeof key === 'number') return Array.isArray(j) ? jsonIndex(j, key) : null
  if (j === null || typeof j !== 'object' || Array.isArray(j)) return null
  return Object.hasOwn(j, key) ? (j[key] ?? null) : null
}

function jsonIndex(a: readonly Value[], key: number): Value {
  if (!Number.isInteger(key)) return null
  return a[key < 0 ? a.length + key : key] ?? null
}

/** `->>`: strings as themselves, anything else as JSON text. */
export function jsonText(v: Value): string | null {
  if (v === null) return null
  return typeof v === 'string' ? v : JSON.stringify(v)
}
