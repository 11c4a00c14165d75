/**
 * A Nexmark-style event generator: persons, auctions and bids with event times, deterministic
 * from a seed, as rows for the embedded stream and as JSON-lines files for every engine's file
 * source (Weir, Spark, Flink read the same files).
 *
 * Proportions follow Nexmark (per 50 events: 1 person, 3 auctions, 46 bids); event time advances
 * `1000 / eventsPerSecond` ms per event, and each event is up to `maxDelayMs` older than its
 * position (bounded disorder, always less than the benchmarks' 1 s watermark delay, so no engine
 * drops a row as late). Half the bids go to one of a few "hot" auctions, as in Nexmark, the
 * others to a recent auction. Timestamps are epoch milliseconds in rows, ISO-8601 with `Z` in
 * files. Row layouts are the column orders of the `CREATE STREAM` statements in `queries.ts`.
 *
 *   npx tsx bench/nexmark/generator.ts <dir> [bids=1000000] [rowsPerFile=100000] [seed=42]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Row } from '../../runtime/types.ts'
import { seededRandom } from '../../runtime/random.ts'

export interface NexmarkConfig {
  readonly seed: number
  readonly bids: number
  readonly eventsPerSecond: number
  readonly maxDelayMs: number
  /** Event time of the first event (ms). */
  readonly start: number
}

export const DEFAULT_CONFIG: NexmarkConfig = {
  seed: 42, bids: 1_000_000, eventsPerSecond: 10_000, maxDelayMs: 500, start: Date.parse('2026-01-01T00:00:00Z'),
}

export const CATEGORY_COUNT = 10_000
const FIRST_ID = 1000
const HOT_AUCTIONS = 100
const RECENT_AUCTIONS = 10_000
const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'] as const
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'] as const
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'] as const
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'] as const
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'] as const

export interface NexmarkData {
  /** id, name, email_address, credit_card, city, state, date_time, extra */
  readonly persons: Row[]
  /** id, item_name, description, initial_bid, reserve, date_time, expires, seller, category, extra */
  readonly auctions: Row[]
  /** auction, bidder, price, channel, url, date_time, extra */
  readonly bids: Row[]
  /** id, name: the static table of the enrichment workload. */
  readonly categories: Row[]
  /** The largest event time of any event (ms). */
  readonly maxEventTime: number
}

export function generate(config: NexmarkConfig = DEFAULT_CONFIG): NexmarkData {
  const rand = seededRandom(config.seed)
  const int = (n: number): number => Math.floor(rand() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  const msPerEvent = 1000 / config.eventsPerSecond
  const persons: Row[] = []
  const auctions: Row[] = []
  const bids: Row[] = new Array<Row>(config.bids)
  let nBids = 0
  let maxEventTime = config.start
  for (let event = 0; nBids < config.bids; event++) {
    const slot = event % 50
    const ts = config.start + Math.floor(event * msPerEvent) - int(config.maxDelayMs + 1)
    if (ts > maxEventTime) maxEventTime = ts
    if (slot === 0) {
      const id = FIRST_ID + persons.length
      const name = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`
      persons.push([id, name, `${name.replace(' ', '.').toLowerCase()}@example.com`, String(1000_0000_0000_0000 + int(9000_0000_0000_0000)).replace(/(\d{4})(?=\d)/g, '$1 '),
        pick(CITIES), pick(STATES), ts, ''])
    } else if (slot <= 3) {
      const id = FIRST_ID + auctions.length
      const initial = 100 + int(10_000)
      const seller = FIRST_ID + Math.max(0, persons.length - 1 - int(Math.min(persons.length, 100)))
      auctions.push([id, `item-${id}`, `description of item ${id}`, initial, initial + int(10_000), ts, ts + 10_000 + int(20_000), seller, int(CATEGORY_COUNT), ''])
    } else {
      const latest = FIRST_ID + auctions.length - 1
      const auction = rand() < 0.5
        ? latest - (latest % HOT_AUCTIONS) - HOT_AUCTIONS * int(3) // a hot auction: a round id near the newest
        : latest - int(Math.min(auctions.length, RECENT_AUCTIONS))
      const bidder = FIRST_ID + Math.max(0, persons.length - 1 - int(Math.min(persons.length, 1000)))
      const price = 100 + int(1_000_000)
      const channel = pick(CHANNELS)
      bids[nBids++] = [Math.max(FIRST_ID, auction), bidder, price, channel, `https://www.nexmark.com/${channel.toLowerCase()}/item.htm?query=${int(100)}`, ts, '']
    }
  }
  const categories: Row[] = Array.from({ length: CATEGORY_COUNT }, (_, i) => [i, `category-${i}`])
  return { persons, auctions, bids, categories, maxEventTime }
}

export const FIELDS = {
  bid: ['auction', 'bidder', 'price', 'channel', 'url', 'date_time', 'extra'],
  person: ['id', 'name', 'email_address', 'credit_card', 'city', 'state', 'date_time', 'extra'],
  auction: ['id', 'item_name', 'description', 'initial_bid', 'reserve', 'date_time', 'expires', 'seller', 'category', 'extra'],
  category: ['id', 'name'],
} as const

const TIMESTAMP_FIELDS = new Set(['date_time', 'expires'])

/** One JSON object per row, keyed by column name, timestamps as ISO-8601 with `Z`. */
export function toJsonLine(fields: readonly string[], row: Row): string {
  const obj: Record<string, unknown> = {}
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!
    const v = row[i]
    obj[f] = TIMESTAMP_FIELDS.has(f) && typeof v === 'number' ? new Date(v).toISOString() : v
  }
  return JSON.stringify(obj)
}

export interface Manifest {
  readonly config: NexmarkConfig
  readonly rowsPerFile: number
  readonly counts: Readonly<Record<keyof typeof FIELDS, number>>
  readonly maxEventTime: string
  /** Bytes of all bid files. */
  readonly bidBytes: number
}

/**
 * Writes `<dir>/{bid,person,auction,category}/part-00000.json …` (one directory per stream, as
 * file sources want) and `<dir>/manifest.json`. Replaces the directory.
 */
export function writeJsonFiles(dir: string, data: NexmarkData, config: NexmarkConfig, rowsPerFile = 100_000): Manifest {
  rmSync(dir, { recursive: true, force: true })
  let bidBytes = 0
  const write = (name: keyof typeof FIELDS, rows: readonly Row[]): void => {
    const sub = join(dir, name)
    mkdirSync(sub, { recursive: true })
    for (let part = 0; part * rowsPerFile < rows.length || part === 0; part++) {
      const lines: string[] = []
      for (let i = part * rowsPerFile; i < Math.min(rows.length, (part + 1) * rowsPerFile); i++) lines.push(toJsonLine(FIELDS[name], rows[i]!))
      const text = lines.join('\n') + '\n'
      if (name === 'bid') bidBytes += Buffer.byteLength(text)
      writeFileSync(join(sub, `part-${String(part).padStart(5, '0')}.json`), text)
    }
  }
  write('bid', data.bids)
  write('person', data.persons)
  write('auction', data.auctions)
  write('category', data.categories)
  const manifest: Manifest = {
    config, rowsPerFile,
    counts: { bid: data.bids.length, person: data.persons.length, auction: data.auctions.length, category: data.categories.length },
    maxEventTime: new Date(data.maxEventTime).toISOString(), bidBytes,
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n')
  return manifest
}

if (process.argv[1]?.endsWith('generator.ts')) {
  const [dir, bids, rowsPerFile, seed] = process.argv.slice(2)
  if (dir === undefined) {
    process.stderr.write('usage: generator.ts <dir> [bids] [rowsPerFile] [seed]\n')
    process.exit(2)
  }
  const config = { ...DEFAULT_CONFIG, bids: Number(bids ?? DEFAULT_CONFIG.bids), seed: Number(seed ?? DEFAULT_CONFIG.seed) }
  const m = writeJsonFiles(dir, generate(config), config, Number(rowsPerFile ?? 100_000))
  process.stdout.write(`${JSON.stringify(m.counts)} → ${dir} (${(m.bidBytes / m.counts.bid).toFixed(0)} bytes per bid)\n`)
}
