/**
 * The Kafka source against a real broker (connectors/kafka/test-broker.ts): exact offset
 * ranges and their re-reads, fair rate limits, startup modes, formats and metadata columns,
 * malformed records under each on_error policy, read_committed, new partitions.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Field, Row } from '../../runtime/types.ts'
import { WeirError } from '../../runtime/errors.ts'
import { sourceSettings } from './kafka-options.ts'
import { fairShares, KafkaSource, type KafkaOffsets } from './kafka-source.ts'
import { consumeAll, createTopic, kafkaBrokers, produce, testKafka, uniqueTopic, withAdmin } from './test-broker.ts'

const F = (name: string, type: Field['type']): Field => ({ name, type })

async function source(brokers: string[], fields: Field[], options: Record<string, string>): Promise<KafkaSource> {
  return new KafkaSource('s', fields, sourceSettings({ bootstrap_servers: brokers.join(','), retry_timeout: '20s', ...options }))
}

test('fairShares splits a limit between partitions, giving what small ones leave to the others', () => {
  assert.deepEqual(fairShares([10, 10, 10], null), [10, 10, 10])
  assert.deepEqual(fairShares([10, 10, 10], 30), [10, 10, 10])
  assert.deepEqual(fairShares([10, 10, 10], 9), [3, 3, 3])
  assert.deepEqual(fairShares([1, 100, 100], 21), [1, 10, 10])
  assert.deepEqual(fairShares([0, 100, 100], 7), [0, 3, 4])
  assert.equal(fairShares([5, 7, 100, 3], 50).reduce((a, b) => a + b), 50)
})

test('ranges are exact: a logged range re-reads the same rows; limits split fairly; distance is lag', { timeout: 60_000 }, async (t) => {
  const brokers = await kafkaBrokers(t)
  if (!brokers) return
  const topic = uniqueTopic('src-ranges')
  await createTopic(topic, 3)
  await produce(topic, Array.from({ length: 90 }, (_, i) => ({ value: JSON.stringify({ id: i, name: `n${i}` }), partition: i % 3 })))
  const src = await source(brokers, [F('id', 'BIGINT'), F('name', 'VARCHAR'), F('p', 'INT'), F('o', 'BIGINT')], { topic, partition_column: 'p', offset_column: 'o' })
  try {
    const start = await src.initialOffset()
    assert.deepEqual(start, { [topic]: { 0: 0, 1: 0, 2: 0 } })
    assert.deepEqual(await src.latestOffset(), { [topic]: { 0: 30, 1: 30, 2: 30 } })
    const end = await src.endOffset(start, { maxRows: 12 })
    assert.deepEqual(end, { [topic]: { 0: 4, 1: 4, 2: 4 } })
    const rows = await src.read(start, end)
    assert.equal(rows.length, 12)
    assert.deepEqual(await src.read(start, end), rows, 'a re-read of a logged range gives the same rows in the same order')
    assert.deepEqual(rows.slice(0, 4), [[0, 'n0', 0, 0], [3, 'n3', 0, 1], [6, 'n6', 0, 2], [9, 'n9', 0, 3]])
    assert.equal(src.distance(end, await src.latestOffset()), 78)
    const rest = await src.endOffset(end, { maxRows: null })
    const all: Row[] = [...rows, ...(await src.read(end, rest))]
    assert.deepEqual(all.map((r) => r[0]).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 90 }, (_, i) => i))
    assert.deepEqual(await src.endOffset(rest, { maxRows: null }), rest, 'nothing new: the end is the start')
  } finally {
    await src.close()
  }
})

test('startup modes: latest, specific_offsets, timestamp; new partitions are picked up from their start', { timeout: 60_000 }, async (t) => {
  const brokers = await kafkaBrokers(t)
  if (!brokers) return
  const topic = uniqueTopic('src-startup')
  await createTopic(topic, 2)
  const base = Date.parse('2026-01-01T00:00:00Z')
  await produce(topic, Array.from({ length: 20 }, (_, i) => ({ value: `v${i}`, partition: i % 2, timestamp: base + i * 1000 })))
  const fields = [F('v', 'VARCHAR')]
  const latest = await source(brokers, fields, { topic, format: 'text', startup_mode: 'latest' })
  const specific = await source(brokers, fields, { topic, format: 'text', startup_mode: 'specific_offsets', startup_offsets: JSON.stringify({ [topic]: { 0: 7, 1: -1 } }) })
  const byTime = await source(brokers, fields, { topic, format: 'text', startup_mode: 'timestamp', startup_timestamp: new Date(base + 15_000).toISOString() })
  try {
    assert.deepEqual(await latest.initialOffset(), { [topic]: { 0: 10, 1: 10 } })
    assert.deepEqual(await specific.initialOffset(), { [topic]: { 0: 7, 1: 10 } })
    const fromTime = await byTime.initialOffset()
    assert.deepEqual(fromTime, { [topic]: { 0: 8, 1: 7 } })
    assert.deepEqual((await byTime.read(fromTime, await byTime.latestOffset())).map((r) => r[0]), ['v16', 'v18', 'v15', 'v17', 'v19'])

    await withAdmin((admin) => admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }))
    await produce(topic, [{ value: 'new', partition: 2 }])
    const start = await latest.initialOffset()
    const old = { [topic]: { 0: 10, 1: 10 } } satisfies KafkaOffsets
    const end = await latest.endOffset(old, { maxRows: null })
    assert.deepEqual(end, { [topic]: { 0: 10, 1: 10, 2: 1 } })
    assert.deepEqual(await latest.read(old, end), [['new']])
    assert.deepEqual(start, { [topic]: { 0: 10, 1: 10, 2: 1 } })
  } finally {
    await Promise.all([latest.close(), specific.close(), byTime.close()])
  }
})

test('formats json, csv, text and raw, with key, topic, timestamp and headers columns', { timeout: 60_000 }, async (t) => {
  const brokers = await kafkaBrokers(t)
  if (!brokers) return
  const topic = uniqueTopic('src-formats')
  await createTopic(topic, 1)
  const ts = Date.parse('2026-03-01T10:00:00Z')
  await produce(topic, [
    { key: 'k1', value: '{"id": 1, "at": "2026-01-01T00:00:01Z", "ok": true, "extra": 5}', timestamp: ts, headers: { h: 'x' } },
    { key: null, value: null, timestamp: ts + 1 },
  ])
  const meta = { key_column: 'k', topic_column: 'tp', timestamp_column: 'kts', headers_column: 'h' }
  const json = await source(brokers, [F('id', 'BIGINT'), F('at', 'TIMESTAMP'), F('ok', 'BOOLEAN'), F('k', 'VARCHAR'), F('tp', 'VARCHAR'), F('kts', 'TIMESTAMP'), F('h', 'JSON')], { topic, ...meta })
  const text = await source(brokers, [F('line', 'VARCHAR')], { topic, format: 'text' })
  const raw = await source(brokers, [F('bytes', 'VARCHAR')], { topic, format: 'raw' })
  try {
    const end = await json.latestOffset()
    const start = await json.initialOffset()
    assert.deepEqual(await json.read(start, end), [
      [1, Date.parse('2026-01-01T00:00:01Z'), true, 'k1', topic, ts, { h: 'x' }],
      [null, null, null, null, topic, ts + 1, {}],
    ])
    const value = '{"id": 1, "at": "2026-01-01T00:00:01Z", "ok": true, "extra": 5}'
    assert.deepEqual(await text.read(start, end), [[value], [null]])
    assert.deepEqual(await raw.read(start, end), [[Buffer.from(value).toString('base64')], [null]])
  } finally {
    await Promise.all([json.close(), text.close(), raw.close()])
  }
  const csvTopic = uniqueTopic('src-csv')
  await createTopic(csvTopic, 1)
  await produce(csvTopic, [{ value: '7,"a, ""quoted"" name",2026-01-01T00:00:00Z,1.5' }, { value: '8,,1767225600000,' }])
  const csv = await source(brokers, [F('id', 'INT'), F('name', 'VARCHAR'), F('ts', 'TIMESTAMP'), F('x', 'DOUBLE')], { topic: csvTopic, format: 'csv' })
  try {
    assert.deepEqual(await csv.read(await csv.initialOffset(), await csv.latestOffset()), [
      [7, 'a, "quoted" name', Date.parse('2026-01-01T00:00:00Z'), 1.5],
      [8, null, 1767225600000, null],
    ])
  } finally {
    await csv.close()
  }
})

test('malformed records: fail stops with KAFKA_RECORD_INVALID, skip counts, dead_letter copies them with the error', { timeout: 60_000 }, async (t) => {
  const brokers = await kafkaBrokers(t)
  if (!brokers) return
  const topic = uniqueTopic('src-bad')
  const dlq = uniqueTopic('src-dlq')
  await createTopic(topic, 2)
  await createTopic(dlq, 1)
  await produce(topic, [
    { value: '{"id": 1}', partition: 0 }, { value: 'not json', partition: 0, key: 'bad1' }, { value: '{"id": "two"}', partition: 1 },
    { value: '{"id": 3}', partition: 1 },
  ])
  const fields = [F('id', 'BIGINT')]
  const fail = await source(brokers, fields, { topic })
  const skip = await source(brokers, fields, { topic, on_error: 'skip' })
  const dead = await source(brokers, fields, { topic, on_error: 'dead_letter', dead_letter_topic: dlq })
  try {
    const start = await fail.initialOffset()
    const end = await fail.latestOffset()
    await assert.rejects(fail.read(start, end), (err: unknown) => err instanceof WeirError && err.code === 'KAFKA_RECORD_INVALID' && /src-bad-\w+\/[01]@[01]/.test(err.message))
    assert.deepEqual(await skip.read(start, end), [[1], [3]])
    assert.deepEqual(skip.metrics(), { malformedRecords: 2, recordsSkipped: 2, recordsDeadLettered: 0 })
    assert.deepEqual(await dead.read(start, end), [[1], [3]])
    assert.equal(dead.metrics().recordsDeadLettered, 2)
    const letters = await consumeAll(dlq)
    assert.deepEqual(letters.map((l) => [l.key, l.value, l.headers['weir.topic'], l.headers['weir.partition'], l.headers['weir.offset']]), [
      ['bad1', 'not json', topic, '0', '1'], [null, '{"id": "two"}', topic, '1', '0'],
    ])
    assert.match(letters[0]!.headers['weir.error']!, /not JSON/)
    assert.match(letters[1]!.headers['weir.error']!, /BIGINT/)
  } finally {
    await Promise.all([fail.close(), skip.close(), dead.close()])
  }
})

test('read_committed: aborted transactions are never read; the latest offset stops before an open transaction', { timeout: 60_000 }, async (t) => {
  const brokers = await kafkaBrokers(t)
  if (!brokers) return
  const topic = uniqueTopic('src-tx')
  await createTopic(topic, 1)
  const producer = testKafka().producer({ transactionalId: `tx-${topic}`, maxInFlightRequests: 1, idempotent: true })
  await producer.connect()
  const src = await source(brokers, [F('v', 'VARCHAR')], { topic, format: 'text' })
  try {
    const committed = await producer.transaction()
    await committed.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] })
    await committed.commit()
    const aborted = await producer.transaction()
    await aborted.send({ topic, messages: [{ value: 'aborted' }] })
    await aborted.abort()
    const open = await producer.transaction()
    await open.send({ topic, messages: [{ value: 'open' }] })
    const latest = await src.latestOffset() as KafkaOffsets
    const rows = await src.read(await src.initialOffset(), latest)
    assert.deepEqual(rows, [['a'], ['b']])
    await open.commit()
    // EndTxn returns before the coordinator has written the commit marker to the partition, so
    // the last stable offset moves a moment later: wait for it, with a deadline.
    let after = await src.latestOffset() as KafkaOffsets
    for (const deadline = Date.now() + 10_000; after[topic]![0]! <= latest[topic]![0]! && Date.now() < deadline;) {
      await new Promise((resolve) => setImmediate(resolve))
      after = await src.latestOffset() as KafkaOffsets
    }
    assert.ok(after[topic]![0]! > latest[topic]![0]!, 'the committed transaction becomes readable')
    assert.deepEqual(await src.read(latest, after), [['open']])
  } finally {
    await producer.disconnect()
    await src.close()
  }
})
