/**
 * Byte-ordered encoding of state keys (tuples of scalars) for LevelDB: for any two keys,
 * `Buffer.compare(encodeKey(a), encodeKey(b))` has the sign of `compareKeys(a, b)` (key-order.ts).
 *
 * Each part is self-delimiting and no part's encoding is a proper prefix of another's, so a
 * tuple is its parts concatenated and a tuple's encoding is a byte prefix of every longer tuple
 * that starts with it (which is what makes a namespace a key range):
 *
 * - null `0x01`; false `0x02`; true `0x03`;
 * - number `0x04` + the IEEE-754 double, big-endian, with the sign bit flipped for positives and
 *   every bit flipped for negatives (so byte order is numeric order; -0 is written as 0);
 * - string `0x05` + its UTF-8 bytes with `0x00` escaped as `0x00 0xFF`, then `0x00 0x01`.
 *
 * No part starts with `0xFF`, so `prefix + 0xFF` bounds every key under a prefix.
 *
 * WARNING: lone UTF-16 surrogates cannot be represented in UTF-8; they are rejected rather than
 * silently replaced (two different keys must never encode alike).
 */
import { internalError } from '../errors.ts'
import type { StateKey, StateKeyPart } from './state-store.ts'

const TAG_NULL = 0x01
const TAG_FALSE = 0x02
const TAG_TRUE = 0x03
const TAG_NUMBER = 0x04
const TAG_STRING = 0x05

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const f64 = new Float64Array(1)
const f64Bytes = new Uint8Array(f64.buffer)
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Encodes a key, optionally after a prefix (an already encoded tuple). */
export function encodeKey(key: StateKey, prefix?: Buffer): Buffer {
  const chunks: Buffer[] = prefix ? [prefix] : []
  for (const part of key) chunks.push(encodePart(part))
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
}

export function encodePart(part: StateKeyPart): Buffer {
  if (part === null) return Buffer.of(TAG_NULL)
  switch (typeof part) {
    case 'boolean':
      return Buffer.of(part ? TAG_TRUE : TAG_FALSE)
    case 'number': {
      if (Number.isNaN(part)) throw internalError('NaN is not a valid state key part')
      const out = Buffer.allocUnsafe(9)
      out[0] = TAG_NUMBER
      f64[0] = part === 0 ? 0 : part
      for (let i = 0; i < 8; i++) out[i + 1] = f64Bytes[littleEndian ? 7 - i : i]!
      if (out[1]! & 0x80) {
        for (let i = 1; i < 9; i++) out[i] = ~out[i]! & 0xff
      } else {
        out[1] = out[1]! | 0x80
      }
      return out
    }
    case 'string': {
      if (LONE_SURROGATE.test(part)) throw internalError('a state key string contains a lone UTF-16 surrogate')
      const utf8 = Buffer.from(part, 'utf8')
      let zeros = 0
      for (let i = 0; i < utf8.length; i++) if (utf8[i] === 0) zeros++
      const out = Buffer.allocUnsafe(utf8.length + zeros + 3)
      out[0] = TAG_STRING
      let o = 1
      if (zeros === 0) {
        utf8.copy(out, 1)
        o += utf8.length
      } else {
        for (let i = 0; i < utf8.length; i++) {
          out[o++] = utf8[i]!
          if (utf8[i] === 0) out[o++] = 0xff
        }
      }
      out[o++] = 0x00
      out[o] = 0x01
      return out
    }
    default:
      throw internalError(`invalid state key part: ${String(part)}`)
  }
}

/** Decodes `buf[from…]` as a tuple (the parts after a prefix of `from` bytes). */
export function decodeKey(buf: Uint8Array, from = 0): StateKeyPart[] {
  const parts: StateKeyPart[] = []
  let i = from
  while (i < buf.length) {
    const tag = buf[i++]
    switch (tag) {
      case TAG_NULL:
        parts.push(null)
        break
      case TAG_FALSE:
        parts.push(false)
        break
      case TAG_TRUE:
        parts.push(true)
        break
      case TAG_NUMBER: {
        const negative = (buf[i]! & 0x80) === 0
        for (let k = 0; k < 8; k++) {
          let b = buf[i + k]!
          if (negative) b = ~b & 0xff
          else if (k === 0) b &= 0x7f
          f64Bytes[littleEndian ? 7 - k : k] = b
        }
        parts.push(f64[0]!)
        i += 8
        break
      }
      case TAG_STRING: {
        const bytes: number[] = []
        for (;;) {
          const b = buf[i++]
          if (b === undefined) throw internalError('truncated string in an encoded state key')
          if (b !== 0) {
            bytes.push(b)
            continue
          }
          const next = buf[i++]
          if (next === 0x01) break
          if (next !== 0xff) throw internalError('invalid escape in an encoded state key')
          bytes.push(0)
        }
        parts.push(Buffer.from(bytes).toString('utf8'))
        break
      }
      default:
        throw internalError(`invalid tag ${String(tag)} in an encoded state key`)
    }
  }
  return parts
}

/** The smallest buffer above every key that starts with `prefix` (for `lt` in range scans). */
export function prefixEnd(prefix: Buffer): Buffer {
  return Buffer.concat([prefix, Buffer.of(0xff)])
}
