/** A worker module for worker-pool.test.ts: doubles numbers, fails on request, or dies. */
import { WeirError } from '../errors.ts'
import { serveRequests } from './worker-pool.ts'

serveRequests(async (req: number | 'throw' | 'exit' | 'crash') => {
  if (req === 'throw') throw new WeirError('SOURCE_FILE_CHANGED', 'as asked', { domain: 'external' })
  if (req === 'crash') throw new TypeError('not a WeirError')
  if (req === 'exit') process.exit(3)
  return req * 2
})
