/**
 * The Kafka sink against a real broker: transactions, a batch re-offered after a restart is not
 * written twice, update-mode ops and tombstones, at-least-once delivery.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SinkBatchInfo } from '../../runtime/sink.ts'
import type { OutputMode } from '../../runtime/graph.ts'
import type { Schema } from '../../runtime/types.ts'
import { sinkSettings } from './kafka-options.ts'
import { KafkaSink } from './kafka-sink.ts'
import { consumeAll, createTopic, kafkaBrokers, uniqueTopic } from './test-broker.ts'

const schema: Schema = { fields: [{ name: 'k', type: 'VARCHAR' }, { name: 'n', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }] }
const info = (queryId: string, outputMode: OutputMode = 'append'): SinkBatchInfo => ({ queryId, schema, outputMode, watermark: null })

function sink(brokers: string[], queryId: string, options: Record<string, string>): KafkaSink {
  return new KafkaSink('out', queryId, schema, sinkSettings({ bootstrap_servers: brokers.join(','), retry_timeout: '20s', ...options }))
}

test('exactly-once: each batch in one transaction; after a restart a committed batch id is not written again', { timeout: 60_000 }, async (t) => {
  const brokers = await kafkaBrokers(t)
  if (!brokers) return
  const topic = uniqueTopic('sink-eo')
  await createTopic(topic, 3)
  const first = sink(brokers, 'q1', { topic })
  await first.write(0, { rows: [['a', 1, 0], ['b', 2, 1000]], ops: null }, info('q1'))
  await first.write(1, { rows: [['c', 3, 2000]], ops: null }, info('q1'))
  await first.close()
  // A restarted query re-runs batch 1 (the crash came before its commit record), then goes on.
  const again = sink(brokers, 'q1', { topic })
  await again.write(1, { rows: [['c', 3, 2000]], ops: null }, info('q1'))
  await again.write(2, { rows: [['d', 4, 3000]], ops: null }, info('q1'))
  await again.close()
  const records = await consumeAll(topic)
  const values = records.map((r) => JSON.parse(r.value!) as { k: string; n: number; ts: string }).sort((a, b) => a.n - b.n)
  assert.deepEqual(values, [
    { k: 'a', n: 1, ts: '1970-01-01T00:00:00.000Z' }, { k: 'b', n: 2, ts: '1970-01-01T00:00:01.000Z' },
    { k: 'c', n: 3, ts: '1970-01-01T00:00:02.000Z' }, { k: 'd', n: 4, ts: '1970-01-01T00:00:03.000Z' },
  ])
  assert.deepEqual(records.map((r) => r.headers['weir.batch.id']).sort(), ['0', '0', '1', '2'])
  assert.ok(records.every((r) => r.headers['weir.query.id'] === 'q1'))
  // Another query writing to the same topic is not confused with this one.
  const other = sink(brokers, 'q2', { topic })
  await other.write(0, { rows: [['z', 9, 0]], ops: null }, info('q2'))
  await other.close()
  assert.equal((await consumeAll(topic)).length, 5)
})

test('update mode: the op in a header and in __op; keyed deletes are tombstones, a same-key U- is not written', { timeout: 60_000 }, async (t) => {
  const brokers = await kafkaBrokers(t)
  if (!brokers) return
  const topic = uniqueTopic('sink-upd')
  await createTopic(topic, 1)
  const s = sink(brokers, 'q1', { topic, key_columns: 'k' })
  await s.write(0, { rows: [['a', 1, 0], ['a', 1, 0], ['a', 2, 0], ['b', 5, 0]], ops: ['+', 'U-', 'U+', '-'] }, info('q1', 'update'))
  await s.close()
  const records = await consumeAll(topic)
  assert.deepEqual(records.map((r) => [r.key, r.value === null ? null : (JSON.parse(r.value) as { __op: string; n: number }).n, r.headers['weir.op']]), [
    ['a', 1, '+'], ['a', 2, 'U+'], ['b', null, '-'],
  ])
  assert.equal((JSON.parse(records[1]!.value!) as { __op: string }).__op, 'U+')
})

test('at_least_once and csv: no transactions; a re-offered batch is written again', { timeout: 60_000 }, async (t) => {
  const brokers = await kafkaBrokers(t)
  if (!brokers) return
  const topic = uniqueTopic('sink-alo')
  await createTopic(topic, 1)
  const s = sink(brokers, 'q1', { topic, delivery: 'at_least_once', format: 'csv', key_columns: 'k,n' })
  assert.equal(s.guarantee, 'at-least-once')
  await s.write(0, { rows: [['a, b', 1, 0]], ops: null }, info('q1'))
  await s.write(0, { rows: [['a, b', 1, 0]], ops: null }, info('q1'))
  await s.close()
  const records = await consumeAll(topic)
  assert.deepEqual(records.map((r) => [r.key, r.value]), [
    ['{"k":"a, b","n":1}', '"a, b",1,1970-01-01T00:00:00.000Z'], ['{"k":"a, b","n":1}', '"a, b",1,1970-01-01T00:00:00.000Z'],
  ])
})
