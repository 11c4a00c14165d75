import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConsoleSink } from './console-sink.ts'

test('prints each batch as a table, with ops for updates, truncating and limiting rows', async () => {
  let out = ''
  const sink = new ConsoleSink('c', { maxRows: 2, truncate: true }, (t) => (out += t))
  const info = { queryId: 'q1', schema: { fields: [{ name: 'id', type: 'BIGINT' as const }, { name: 'url', type: 'VARCHAR' as const }, { name: 'ts', type: 'TIMESTAMP' as const }] }, outputMode: 'update' as const, watermark: null }
  await sink.write(3, { rows: [[1, 'https://example.com/a/long/path', 0], [2, null, null], [3, 'c', 0]], ops: ['U-', 'U+', '+'] }, info)
  assert.equal(out, [
    '-------------------------------------------',
    'Batch: 3 (query q1, update)',
    '-------------------------------------------',
    '+--+--+--------------------+--------------------+',
    '|op|id|url                 |ts                  |',
    '+--+--+--------------------+--------------------+',
    '|U-|1 |https://example.c...|1970-01-01T00:00:...|',
    '|U+|2 |NULL                |NULL                |',
    '+--+--+--------------------+--------------------+',
    'only showing top 2 of 3 rows',
  ].join('\n') + '\n\n')
  assert.equal(sink.guarantee, 'at-most-once')
})
