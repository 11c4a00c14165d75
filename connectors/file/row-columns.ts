/**
 * Rows in columns, the form decoded rows cross from a worker thread to the query's thread in
 * (file-decode.ts), and the form the JSON-lines scanner writes (json-scan.ts).
 *
 * Per cell, a tag: null, a number (kept in a Float64Array, so NaN, ±Infinity and −0 survive),
 * true, false, or the next item of one JSON array, in UTF-8 bytes, that holds every string and
 * JSON value in order — the scanner copies string tokens into it byte for byte, allocating
 * nothing per value. Turning that back into rows is one `JSON.parse` plus a loop: far cheaper
 * than decoding the file again, and than a structured clone of the rows (which costs as much as
 * decoding). Strings come out of `JSON.parse` as fresh strings, so a row kept in operator state
 * never pins the text of the file it came from.
 */
import type { JsonValue, Row, Value } from '../../runtime/types.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const NULL = 0
const NUMBER = 1
const ITEM = 2
const TRUE = 3
const FALSE = 4

export interface PackedColumns {
  readonly rows: number
  readonly width: number
  /** rows × width tags, row-major. */
  readonly tags: Uint8Array
  /** rows × width numbers, row-major (only where the tag says number). */
  readonly nums: Float64Array
  /** A JSON array of the ITEM cells' values, in row-major order, in UTF-8. */
  readonly items: Uint8Array
  /** Rows dropped as malformed (`on_error = 'skip'`). */
  readonly malformed: number
}

export class RowColumns {
  private tags: Uint8Array
  private nums: Float64Array
  /** The items array's bytes so far: '[' and each item followed by ','. */
  private items: Uint8Array
  private itemsEnd = 1
  private count = 0
  /** Where the row being written started in `items`, to undo it. */
  private rowItems = 0

  constructor(readonly width: number, capacity = 1024) {
    this.tags = new Uint8Array(Math.max(1, capacity) * width)
    this.nums = new Float64Array(Math.max(1, capacity) * width)
    // Grown as needed: a query that reads no text column writes none.
    this.items = new Uint8Array(Math.min(Math.max(64, capacity * 64), 1 << 20))
    this.items[0] = 0x5b // [
  }

  get rows(): number {
    return this.count
  }

  /** Starts a row with every cell null; returns the index of its first cell. */
  beginRow(): number {
    const at = this.count * this.width
    if (at + this.width > this.tags.length) this.grow()
    this.tags.fill(NULL, at, at + this.width)
    this.rowItems = this.itemsEnd
    return at
  }

  setNumber(cell: number, n: number): void {
    this.tags[cell] = NUMBER
    this.nums[cell] = n
  }

  setBoolean(cell: number, b: boolean): void {
    this.tags[cell] = b ? TRUE : FALSE
  }

  /** The cell's value is the JSON text in `src` [from, to) — a string token with its quotes, say. Cells must be set in order. */
  setJsonBytes(cell: number, src: Uint8Array, from: number, to: number): void {
    this.tags[cell] = ITEM
    const n = to - from
    if (this.itemsEnd + n + 2 > this.items.length) this.growItems(n + 2)
    const items = this.items
    let at = this.itemsEnd
    if (n < 64) for (let i = from; i < to; i++) items[at++] = src[i]!
    else {
      items.set(src.subarray(from, to), at)
      at += n
    }
    items[at++] = 0x2c // ,
    this.itemsEnd = at
  }

  /** The cell's value is the JSON text `json`. Cells must be set in order. */
  setJson(cell: number, json: string): void {
    const bytes = encoder.encode(json)
    this.setJsonBytes(cell, bytes, 0, bytes.length)
  }

  setValue(cell: number, v: Value): void {
    if (v === null) this.tags[cell] = NULL
    else if (typeof v === 'number') this.setNumber(cell, v)
    else if (typeof v === 'boolean') this.setBoolean(cell, v)
    else this.setJson(cell, JSON.stringify(v))
  }

  endRow(): void {
    this.count++
  }

  /** Forgets the row begun last (it turned out to need another path, or is malformed). */
  abortRow(): void {
    this.itemsEnd = this.rowItems
  }

  addRow(row: Row): void {
    const at = this.beginRow()
    for (let c = 0; c < this.width; c++) this.setValue(at + c, row[c] ?? null)
    this.endRow()
  }

  /**
   * The columns, as views of this builder's buffers (no copy). To send them to another thread,
   * transfer `transferList(columns)`: a structured clone of a view would copy its whole buffer.
   */
  finish(malformed: number): PackedColumns {
    const n = this.count * this.width
    if (this.itemsEnd + 1 > this.items.length) this.growItems(1)
    // ']' replaces the last item's ',' (or follows '[' when there is none).
    const end = this.itemsEnd > 1 ? this.itemsEnd : 2
    this.items[end - 1] = 0x5d
    return {
      rows: this.count, width: this.width, malformed,
      tags: this.tags.subarray(0, n), nums: this.nums.subarray(0, n), items: this.items.subarray(0, end),
    }
  }

  private growItems(atLeast: number): void {
    const items = new Uint8Array(Math.max(this.items.length * 2, this.itemsEnd + atLeast))
    items.set(this.items.subarray(0, this.itemsEnd))
    this.items = items
  }

  private grow(): void {
    const tags = new Uint8Array(this.tags.length * 2)
    tags.set(this.tags)
    const nums = new Float64Array(this.nums.length * 2)
    nums.set(this.nums)
    this.tags = tags
    this.nums = nums
  }
}

/**
 * The columns in buffers of exactly their size, to send to another thread: the builder's grow by
 * doubling, and the thread that receives them counts every byte as memory pressure.
 */
export function compactColumns(p: PackedColumns): PackedColumns {
  return { ...p, tags: p.tags.slice(), nums: p.nums.slice(), items: p.items.slice() }
}

/** The buffers behind the columns, to transfer rather than copy across threads. */
export function transferList(p: PackedColumns): ArrayBuffer[] {
  return [...new Set([p.tags.buffer, p.nums.buffer, p.items.buffer])] as ArrayBuffer[]
}

export function unpackColumns(p: PackedColumns): Row[] {
  const items = JSON.parse(decoder.decode(p.items)) as JsonValue[]
  const { tags, nums, width } = p
  const out = new Array<Row>(p.rows)
  let k = 0
  for (let r = 0, cell = 0; r < p.rows; r++) {
    const row = new Array<Value>(width)
    for (let c = 0; c < width; c++, cell++) {
      const t = tags[cell]
      row[c] = t === NUMBER ? nums[cell]! : t === ITEM ? items[k++]! : t === NULL ? null : t === TRUE
    }
    out[r] = row
  }
  return out
}
