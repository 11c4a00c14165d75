import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Catalog, CatalogRelation } from '../planner/catalog.ts'
import { parseScript } from '../planner/parse/parse.ts'
import { planQuery } from '../planner/plan-query.ts'
import { columnsRead } from './columns-read.ts'

// bid: auction 0, bidder 1, price 2, channel 3, url 4, ts 5, extra 6
const bid: CatalogRelation = {
  name: 'bid', kind: 'stream', primaryKey: [], watermark: { column: 'ts', delayMs: 1000 },
  fields: ['auction', 'bidder', 'price', 'channel', 'url', 'ts', 'extra'].map((name) => ({ name, type: name === 'ts' ? 'TIMESTAMP' as const : name === 'channel' || name === 'url' || name === 'extra' ? 'VARCHAR' as const : 'BIGINT' as const })),
}
const person: CatalogRelation = { name: 'person', kind: 'stream', primaryKey: [], watermark: null, fields: [{ name: 'id', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }, { name: 'ts', type: 'TIMESTAMP' }] }
const cat: CatalogRelation = { name: 'cat', kind: 'table', primaryKey: [], watermark: null, fields: [{ name: 'id', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }] }
const catalog: Catalog = { relation: (n) => [bid, person, cat].find((r) => r.name === n), sink: () => undefined }

function read(sql: string): Record<string, number[]> {
  const s = parseScript(sql)[0]!.statement
  if (s.kind !== 'query') throw new Error('expected a query')
  return Object.fromEntries(columnsRead(planQuery(s.select, catalog, { emit: s.emit, sessionOutputMode: undefined }).graph.root))
}

test('a query reads the columns its expressions, keys, windows and watermark use, and no others', () => {
  assert.deepEqual(read('SELECT * FROM bid'), { bid: [0, 1, 2, 3, 4, 5, 6] })
  assert.deepEqual(read('SELECT auction, price FROM bid WHERE auction % 123 = 0'), { bid: [0, 2, 5] }, 'ts: the watermark column')
  assert.deepEqual(read('SELECT upper(channel) AS c FROM bid WHERE price > 10 AND url LIKE \'%x%\''), { bid: [2, 3, 4, 5] })
  assert.deepEqual(read(`SELECT window_start, auction, COUNT(*) AS n FROM HOP(bid, ts, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
    GROUP BY window_start, window_end, auction`), { bid: [0, 5] })
  assert.deepEqual(read(`SELECT window_start, MAX(price) FROM TUMBLE(bid, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end`), { bid: [2, 5] })
  assert.deepEqual(read(`SELECT window_start, COUNT(*) FROM SESSION(bid, ts, INTERVAL '5' SECOND) GROUP BY window_start, window_end, bidder`), { bid: [1, 5] })
  assert.deepEqual(read('SELECT CASE WHEN price > 1 THEN extra ELSE CAST(bidder AS VARCHAR) END AS x FROM bid'), { bid: [1, 2, 5, 6] })
})

test('joins: a stream-static join reads its keys and output; a stream-stream join reads every column (its buffers are state)', () => {
  assert.deepEqual(read('SELECT b.price, c.name FROM bid b JOIN cat c ON c.id = b.auction % 10'), { bid: [0, 2, 5] })
  assert.deepEqual(read(`SELECT p.id, b.price FROM person p JOIN bid b ON p.id = b.bidder AND b.ts BETWEEN p.ts AND p.ts + INTERVAL '1' SECOND`),
    { person: [0, 1, 2], bid: [0, 1, 2, 3, 4, 5, 6] })
  assert.deepEqual(read('SELECT DISTINCT auction FROM bid'), { bid: [0, 5] }, 'DISTINCT over a projection reads the projection')
})
