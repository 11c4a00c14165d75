/**
 * A map from join key to a slot number (a non-negative int32), for the buffers of stream-stream
 * joins and the table of a stream-static join: the same answers as a `Map<LookupKey, number>`
 * (keys compared by SameValueZero, so -0 is 0), faster for the common key, an integer id.
 *
 * Int32 keys live in an open-addressing table of typed arrays (linear probing, deletion by
 * backward shift, so there are no tombstones; at most half full, halved below an eighth): a
 * lookup is a multiply, a shift and a few typed-array reads, inlined into the caller's loop,
 * instead of a call into `Map`'s hashing. Every other key (strings, fractions, integers beyond
 * int32, booleans) goes to a `Map`.
 */
import type { LookupKey } from './group-keys.ts'

const MIN_CAPACITY = 64
const EMPTY = -1

export class JoinKeyIndex {
  private keys = new Int32Array(MIN_CAPACITY)
  private slots = new Int32Array(MIN_CAPACITY).fill(EMPTY)
  private mask = MIN_CAPACITY - 1
  /** 32 - log2(capacity): a key's home position is the top bits of its hash. */
  private shift = 32 - Math.log2(MIN_CAPACITY)
  /** Int32 keys in the table. */
  private count = 0
  private readonly other = new Map<LookupKey, number>()

  get size(): number {
    return this.count + this.other.size
  }

  /** The slot of `key`, or -1. */
  get(key: LookupKey): number {
    if (typeof key !== 'number' || (key | 0) !== key) {
      const s = this.other.get(key)
      return s === undefined ? EMPTY : s
    }
    const keys = this.keys
    const slots = this.slots
    const mask = this.mask
    for (let i = home(key, this.shift); ; i = (i + 1) & mask) {
      const s = slots[i]!
      if (s === EMPTY || keys[i] === key) return s
    }
  }

  /** Sets the slot of `key` (`slot` >= 0). */
  set(key: LookupKey, slot: number): void {
    if (typeof key !== 'number' || (key | 0) !== key) {
      this.other.set(key, slot)
      return
    }
    if ((this.count + 1) * 2 > this.slots.length) this.resize(this.slots.length * 2)
    const keys = this.keys
    const slots = this.slots
    const mask = this.mask
    for (let i = home(key, this.shift); ; i = (i + 1) & mask) {
      if (slots[i] === EMPTY) {
        keys[i] = key
        slots[i] = slot
        this.count++
        return
      }
      if (keys[i] === key) {
        slots[i] = slot
        return
      }
    }
  }

  delete(key: LookupKey): void {
    if (typeof key !== 'number' || (key | 0) !== key) {
      this.other.delete(key)
      return
    }
    const keys = this.keys
    const slots = this.slots
    const mask = this.mask
    const shift = this.shift
    let i = home(key, shift)
    for (; ; i = (i + 1) & mask) {
      if (slots[i] === EMPTY) return
      if (keys[i] === key) break
    }
    // Backward shift: move later entries of the probe run into the hole unless their home
    // position lies cyclically after the hole (then they are already reachable from it).
    for (let j = (i + 1) & mask; slots[j] !== EMPTY; j = (j + 1) & mask) {
      if (((j - home(keys[j]!, shift)) & mask) >= ((j - i) & mask)) {
        keys[i] = keys[j]!
        slots[i] = slots[j]!
        i = j
      }
    }
    slots[i] = EMPTY
    this.count--
    if (this.count * 8 < this.slots.length && this.slots.length > MIN_CAPACITY) this.resize(this.slots.length / 2)
  }

  private resize(capacity: number): void {
    const oldKeys = this.keys
    const oldSlots = this.slots
    this.keys = new Int32Array(capacity)
    this.slots = new Int32Array(capacity).fill(EMPTY)
    this.mask = capacity - 1
    this.shift = 32 - Math.log2(capacity)
    this.count = 0
    for (let i = 0; i < oldSlots.length; i++) if (oldSlots[i] !== EMPTY) this.set(oldKeys[i]!, oldSlots[i]!)
  }
}

/** Fibonacci hashing: the top bits of `key × 2^32/φ`, which spread both consecutive and strided ids. */
function home(key: number, shift: number): number {
  return Math.imul(key, 0x9e3779b1) >>> shift
}
