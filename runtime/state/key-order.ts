/**
 * The order of state keys, shared by every `StateStore`: a store's `scan` returns entries in
 * this order, and an encoded (byte-ordered) store must encode keys so that byte order equals it.
 *
 * Parts compare by rank first — null < booleans < numbers < strings — then by value: false <
 * true, numbers numerically (-0 equals 0), strings by Unicode code point (which is UTF-8 byte
 * order, unlike JavaScript's `<` on UTF-16 code units). Tuples compare element-wise; a proper
 * prefix sorts before the longer tuple.
 *
 * WARNING: NaN is not a valid key part (it has no place in a byte order); it is rejected.
 */
import { internalError } from '../errors.ts'
import type { StateKey, StateKeyPart } from './state-store.ts'

/** Rank of a key part's type: the first thing two parts are compared by. */
export function keyPartRank(part: StateKeyPart): 0 | 1 | 2 | 3 {
  if (part === null) return 0
  switch (typeof part) {
    case 'boolean':
      return 1
    case 'number':
      if (Number.isNaN(part)) throw internalError('NaN is not a valid state key part')
      return 2
    case 'string':
      return 3
    default:
      throw internalError(`invalid state key part: ${String(part)}`)
  }
}

/** Compares strings by code point, i.e. in UTF-8 byte order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, which sort after every
    // BMP code point; between two surrogates code unit order is code point order.
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys) return xs ? 1 : -1
    return x < y ? -1 : 1
  }
  return a.length - b.length
}

/** A UTF-16 code unit of a surrogate or above (no `u` flag: it matches units, not code points). */
const HIGH_UNIT = /[\uD800-\uFFFF]/

/**
 * `compareStrings(a, b) < 0` at about the cost of `<`, for MIN/MAX, which compare strings once
 * per row: JavaScript's `<` compares UTF-16 code units, which disagrees with code point order
 * only where the strings first differ in a surrogate against a unit of U+E000–U+FFFF.
 */
export function stringLess(a: string, b: string): boolean {
  const x = a.charCodeAt(0)
  const y = b.charCodeAt(0)
  // Most pairs differ in their first unit (NaN for an empty string fails every test here).
  if (x !== y && x < 0xd800 && y < 0xd800) return x < y
  // A string with no unit from U+D800 on cannot meet that case, whatever the other holds.
  return HIGH_UNIT.test(a) ? compareStrings(a, b) < 0 : a < b
}

export function compareKeyParts(a: StateKeyPart, b: StateKeyPart): number {
  const ra = keyPartRank(a)
  const rb = keyPartRank(b)
  if (ra !== rb) return ra - rb
  switch (ra) {
    case 0:
      return 0
    case 1:
      return a === b ? 0 : a === false ? -1 : 1
    case 2:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0
    case 3:
      return compareStrings(a as string, b as string)
  }
}

export function compareKeys(a: StateKey, b: StateKey): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const c = compareKeyParts(a[i] as StateKeyPart, b[i] as StateKeyPart)
    if (c !== 0) return c
  }
  return a.length - b.length
}

/** Rejects keys that have no place in the order (NaN). */
export function checkKey(key: StateKey): void {
  for (let i = 0; i < key.length; i++) {
    const part = key[i]
    if (typeof part === 'number' && Number.isNaN(part)) keyPartRank(part)
  }
}
