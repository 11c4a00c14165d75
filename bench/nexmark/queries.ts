/**
 * The benchmark workloads: Weir's SQL for each, the streams it reads, and the same work as a
 * hand-written JavaScript loop over the same parsed rows, in the same batches and with the same
 * watermark rule (the engine's overhead is the gap between the two).
 *
 * Deviations from Nexmark are written beside each query; the peers (`bench/peers/`) run the
 * same deviations, so all engines compute the same rows.
 */
import type { Row } from '../../runtime/types.ts'
import { CATEGORY_COUNT } from './generator.ts'

/** Every stream has this watermark delay; the generator's disorder is always smaller. */
export const WATERMARK_DELAY_MS = 1000

export const STREAM_DDL: Readonly<Record<'bid' | 'person' | 'auction', string>> = {
  bid: `CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR,
    WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND)`,
  person: `CREATE STREAM person (id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, state VARCHAR, date_time TIMESTAMP, extra VARCHAR,
    WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND)`,
  auction: `CREATE STREAM auction (id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP,
    seller BIGINT, category BIGINT, extra VARCHAR, WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND)`,
}
export const CATEGORY_DDL = 'CREATE TABLE category (id BIGINT PRIMARY KEY, name VARCHAR)'

export type WorkloadName = 'q0' | 'q1' | 'q2' | 'q5' | 'q7' | 'q8' | 'enrich'
export type StreamName = keyof typeof STREAM_DDL

export interface Workload {
  readonly name: WorkloadName
  readonly title: string
  /** The streams read, in the order their rows are counted. */
  readonly streams: readonly StreamName[]
  /** Needs the static category table. */
  readonly categories: boolean
  /** `INSERT INTO out SELECT …` */
  readonly sql: string
  readonly deviation: string | null
  /** Does the work by hand over `inputs` (one row array per stream), `batch` rows at a time; returns the output row count. */
  readonly hand: (inputs: readonly Row[][], batch: number, categories: readonly Row[]) => number
}

// Column positions in the bid rows (generator.ts FIELDS.bid).
const AUCTION = 0, BIDDER = 1, PRICE = 2, B_TS = 5, EXTRA = 6

function batches(rows: readonly Row[], batch: number, each: (from: number, to: number) => void): void {
  for (let b = 0; b < rows.length; b += batch) each(b, Math.min(rows.length, b + batch))
}

function maxTs(rows: readonly Row[], from: number, to: number, col: number): number {
  let m = -Infinity
  for (let i = from; i < to; i++) if ((rows[i]![col] as number) > m) m = rows[i]![col] as number
  return m
}

const q0Hand = (inputs: readonly Row[][], batch: number): number => {
  let n = 0
  batches(inputs[0]!, batch, (from, to) => {
    const rows = inputs[0]!
    const out: Row[] = []
    for (let i = from; i < to; i++) {
      // Every column in schema order: the row itself passes through, as it may in an engine.
      out.push(rows[i]!)
    }
    n += out.length
  })
  return n
}

const q1Hand = (inputs: readonly Row[][], batch: number): number => {
  let n = 0
  batches(inputs[0]!, batch, (from, to) => {
    const rows = inputs[0]!
    const out: Row[] = []
    for (let i = from; i < to; i++) {
      const r = rows[i]!
      out.push([r[AUCTION]!, r[BIDDER]!, 0.908 * (r[PRICE] as number), r[B_TS]!, r[EXTRA]!])
    }
    n += out.length
  })
  return n
}

const q2Hand = (inputs: readonly Row[][], batch: number): number => {
  let n = 0
  batches(inputs[0]!, batch, (from, to) => {
    const rows = inputs[0]!
    const out: Row[] = []
    for (let i = from; i < to; i++) {
      const r = rows[i]!
      if ((r[AUCTION] as number) % 123 === 0) out.push([r[AUCTION]!, r[PRICE]!])
    }
    n += out.length
  })
  return n
}

/** HOP 10 s / 2 s by 2 s panes of counts per auction, merged when a window closes (the fastest hand-written form). */
const q5Hand = (inputs: readonly Row[][], batch: number): number => {
  const SLIDE = 2000, SIZE = 10_000
  const panes = new Map<number, Map<number, number>>()
  let watermark = -Infinity
  let nextWindow = Infinity // start of the oldest window not yet emitted
  let n = 0
  const rows = inputs[0]!
  batches(rows, batch, (from, to) => {
    for (let i = from; i < to; i++) {
      const r = rows[i]!
      const ts = r[B_TS] as number
      const pane = ts - (((ts % SLIDE) + SLIDE) % SLIDE)
      if (pane + SLIDE <= watermark) continue // late for every window it belongs to (never, with this data)
      if (pane - SIZE + SLIDE < nextWindow) nextWindow = pane - SIZE + SLIDE
      let p = panes.get(pane)
      if (p === undefined) panes.set(pane, (p = new Map()))
      const a = r[AUCTION] as number
      p.set(a, (p.get(a) ?? 0) + 1)
    }
    watermark = Math.max(watermark, maxTs(rows, from, to, B_TS) - 1000)
    for (; nextWindow + SIZE <= watermark; nextWindow += SLIDE) {
      const merged = new Map<number, number>()
      for (let s = nextWindow; s < nextWindow + SIZE; s += SLIDE) {
        const p = panes.get(s)
        if (p) for (const [a, c] of p) merged.set(a, (merged.get(a) ?? 0) + c)
      }
      const out: Row[] = []
      for (const [a, c] of merged) out.push([nextWindow, nextWindow + SIZE, a, c])
      n += out.length
      panes.delete(nextWindow)
    }
  })
  return n
}

const q7Hand = (inputs: readonly Row[][], batch: number): number => {
  const SIZE = 10_000
  const windows = new Map<number, number>()
  let watermark = -Infinity
  let n = 0
  const rows = inputs[0]!
  batches(rows, batch, (from, to) => {
    for (let i = from; i < to; i++) {
      const r = rows[i]!
      const ts = r[B_TS] as number
      const ws = ts - (((ts % SIZE) + SIZE) % SIZE)
      if (ws + SIZE <= watermark) continue
      const p = r[PRICE] as number
      const m = windows.get(ws)
      if (m === undefined || p > m) windows.set(ws, p)
    }
    watermark = Math.max(watermark, maxTs(rows, from, to, B_TS) - 1000)
    for (const [ws, m] of windows) {
      if (ws + SIZE > watermark) continue
      const out: Row[] = [[ws, ws + SIZE, m]]
      n += out.length
      windows.delete(ws)
    }
  })
  return n
}

/** Persons joined with the auctions they open within 10 s of registering; state bounded by the watermark. */
const q8Hand = (inputs: readonly Row[][], batch: number): number => {
  const [persons, auctions] = [inputs[0]!, inputs[1]!]
  const byId = new Map<number, Row>()
  const pending = new Map<number, Row[]>() // auctions by seller, waiting for a person
  let n = 0
  // Interleave the two streams batch by batch, as a micro-batch engine reads both sources.
  const perBatchP = Math.max(1, Math.round(batch * persons.length / (persons.length + auctions.length)))
  const perBatchA = Math.max(1, batch - perBatchP)
  let watermark = -Infinity
  for (let p = 0, a = 0; p < persons.length || a < auctions.length; p += perBatchP, a += perBatchA) {
    const out: Row[] = []
    const pEnd = Math.min(persons.length, p + perBatchP)
    const aEnd = Math.min(auctions.length, a + perBatchA)
    for (let i = p; i < pEnd; i++) {
      const r = persons[i]!
      byId.set(r[0] as number, r)
      for (const x of pending.get(r[0] as number) ?? []) if (x[5] as number >= (r[6] as number) && x[5] as number <= (r[6] as number) + 10_000) out.push([r[0]!, r[1]!, x[4]!])
    }
    for (let i = a; i < aEnd; i++) {
      const x = auctions[i]!
      const r = byId.get(x[7] as number)
      if (r && x[5] as number >= (r[6] as number) && x[5] as number <= (r[6] as number) + 10_000) out.push([r[0]!, r[1]!, x[4]!])
      else {
        let l = pending.get(x[7] as number)
        if (!l) pending.set(x[7] as number, (l = []))
        l.push(x)
      }
    }
    n += out.length
    watermark = Math.max(watermark, Math.min(maxTs(persons, p, pEnd, 6), maxTs(auctions, a, aEnd, 5)) - 1000)
    for (const [id, r] of byId) if ((r[6] as number) + 10_000 < watermark) byId.delete(id)
    for (const [s, l] of pending) if (l.every((x) => (x[5] as number) < watermark)) pending.delete(s)
  }
  return n
}

const enrichHand = (inputs: readonly Row[][], batch: number, categories: readonly Row[]): number => {
  const names = new Map<number, Row>()
  for (const c of categories) names.set(c[0] as number, c)
  let n = 0
  const rows = inputs[0]!
  batches(rows, batch, (from, to) => {
    const out: Row[] = []
    for (let i = from; i < to; i++) {
      const r = rows[i]!
      const c = names.get((r[AUCTION] as number) % CATEGORY_COUNT)
      if (c !== undefined) out.push([r[AUCTION]!, r[PRICE]!, c[1]!])
    }
    n += out.length
  })
  return n
}

const WINDOW_NOTE = 'Weir does not support an aggregation over an aggregation (Spark: multiple streaming aggregations)'

export const WORKLOADS: readonly Workload[] = [
  { name: 'q0', title: 'q0 pass-through', streams: ['bid'], categories: false, deviation: null, hand: q0Hand,
    sql: 'INSERT INTO out SELECT auction, bidder, price, channel, url, date_time, extra FROM bid' },
  { name: 'q1', title: 'q1 projection (price × 0.908)', streams: ['bid'], categories: false, deviation: null, hand: q1Hand,
    sql: 'INSERT INTO out SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid' },
  { name: 'q2', title: 'q2 filter (auction % 123 = 0)', streams: ['bid'], categories: false, deviation: null, hand: q2Hand,
    sql: 'INSERT INTO out SELECT auction, price FROM bid WHERE auction % 123 = 0' },
  { name: 'q5', title: 'q5 HOP 10 s/2 s bids per auction', streams: ['bid'], categories: false, hand: q5Hand,
    deviation: `the per-window count of bids per auction, without Nexmark's "then the maximum per window": ${WINDOW_NOTE}`,
    sql: `INSERT INTO out SELECT window_start, window_end, auction, COUNT(*) AS num
      FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY window_start, window_end, auction EMIT APPEND` },
  { name: 'q7', title: 'q7 TUMBLE 10 s highest bid', streams: ['bid'], categories: false, hand: q7Hand,
    deviation: `MAX(price) per 10 s window, without Nexmark's join back to the bids holding it: ${WINDOW_NOTE} or joins`,
    sql: `INSERT INTO out SELECT window_start, window_end, MAX(price) AS maxprice
      FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY window_start, window_end EMIT APPEND` },
  { name: 'q8', title: 'q8 new persons ⋈ auctions (10 s)', streams: ['person', 'auction'], categories: false, hand: q8Hand,
    deviation: "an event-time range join (auction within 10 s after the person registered), Spark's form, instead of Nexmark's same-tumbling-window join",
    sql: `INSERT INTO out SELECT p.id, p.name, a.reserve FROM person p JOIN auction a
      ON p.id = a.seller AND a.date_time BETWEEN p.date_time AND p.date_time + INTERVAL '10' SECOND` },
  { name: 'enrich', title: 'stream-static join, 10k categories', streams: ['bid'], categories: true, hand: enrichHand,
    deviation: 'not in Nexmark: each bid joined with a static table of 10,000 categories on auction % 10000',
    sql: 'INSERT INTO out SELECT b.auction, b.price, c.name FROM bid b JOIN category c ON c.id = b.auction % 10000' },
]

export function workload(name: string): Workload {
  const w = WORKLOADS.find((x) => x.name === name)
  if (!w) throw new Error(`unknown workload ${name}; known: ${WORKLOADS.map((x) => x.name).join(', ')}`)
  return w
}
