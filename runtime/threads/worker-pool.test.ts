import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { WeirError } from '../errors.ts'
import { WorkerPool } from './worker-pool.ts'

const pool = new WorkerPool<number | 'throw' | 'exit' | 'crash', number>(new URL('./test-echo-worker.ts', import.meta.url), 2)
after(() => pool.close())

test('requests run on worker threads, spread over the pool, each answered once', async () => {
  const replies = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.run(n)))
  assert.deepEqual(replies, [2, 4, 6, 8, 10])
  assert.equal(pool.busy, 0)
})

test('a handler error comes back with its code, message and domain; other errors as INTERNAL_ERROR', async () => {
  await assert.rejects(pool.run('throw'), (e: unknown) =>
    e instanceof WeirError && e.code === 'SOURCE_FILE_CHANGED' && e.message === 'as asked' && e.domain === 'external' && e.retryable)
  await assert.rejects(pool.run('crash'), (e: unknown) => e instanceof WeirError && e.code === 'INTERNAL_ERROR' && /not a WeirError/.test(e.message))
  assert.equal(await pool.run(7), 14)
})

test('a worker that dies fails its requests, and the pool starts another', async () => {
  await assert.rejects(pool.run('exit'), (e: unknown) => e instanceof WeirError && e.code === 'INTERNAL_ERROR' && /exited with code 3/.test(e.message))
  assert.deepEqual(await Promise.all([pool.run(1), pool.run(2)]), [2, 4])
})

test('a closed pool refuses work', async () => {
  const p = new WorkerPool<number, number>(new URL('./test-echo-worker.ts', import.meta.url), 1)
  assert.equal(await p.run(1), 2)
  await p.close()
  await assert.rejects(p.run(1), /closed/)
})
