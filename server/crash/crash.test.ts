/**
 * Crash tests: a child process (crash-child.ts) runs an Engine with a data directory, two
 * persistent queries into file sinks and its own deterministic ingestion; the test SIGKILLs it
 * at random moments (seeded: WEIR_CRASH_SEED, printed), sometimes in the middle of a LevelDB
 * write, restarts it each time, and finally compares the sinks with an uninterrupted run.
 * Nothing sleeps: the test waits for the child's `started`/`done` lines or its exit, each with a
 * deadline; the random kill moment is the only timer.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { readFileSink } from '../../connectors/file/file-sink.ts'
import { LevelDurableState } from '../level-durable-state.ts'
import { prng, startChild as startTestChild, type Child } from '../test-child.ts'

const CHILD = join(import.meta.dirname, 'crash-child.ts')
const ROWS = 6000
const KILLS = 30
const seed = Number(process.env.WEIR_CRASH_SEED ?? Date.now() % 1_000_000)
console.log(`crash test seed: ${seed} (rerun with WEIR_CRASH_SEED=${seed})`)

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

function startChild(dir: string, env: Record<string, string> = {}): Child {
  return startTestChild(CHILD, { WEIR_CRASH_DIR: dir, WEIR_CRASH_ROWS: String(ROWS), ...env })
}

async function runToCompletion(dir: string): Promise<void> {
  const child = startChild(dir)
  const line = await child.waitFor((l) => l === 'done' || l.startsWith('error'), 60_000)
  assert.equal(line, 'done')
  await child.exited
}

async function sinkContents(dir: string): Promise<{ copy: unknown[]; agg: string[] }> {
  const copy = (await readFileSink(join(dir, 'copy'))).flatMap((b) => b.rows)
  const agg = (await readFileSink(join(dir, 'agg'))).flatMap((b) => b.rows as string[]).sort()
  return { copy, agg }
}

async function tempDir(name: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `weir-crash-${name}-`))
  dirs.push(d)
  return d
}

let reference: Promise<{ copy: unknown[]; agg: string[] }> | null = null
function uninterrupted(): Promise<{ copy: unknown[]; agg: string[] }> {
  reference ??= tempDir('reference').then(async (dir) => {
    await runToCompletion(dir)
    return sinkContents(dir)
  })
  return reference
}

/** Commits weigh most: a crash between the sink's write and the commit record is what re-runs a batch. */
const WRITE_KINDS = ['commit', 'commit', 'commit', 'offsets', 'append']

test(`survives ${KILLS} SIGKILLs, some in the middle of a LevelDB write, with exactly the uninterrupted output`, { timeout: 150_000 }, async () => {
  const expected = await uninterrupted()
  assert.equal(expected.copy.length, Array.from({ length: ROWS }, (_, i) => (i * 37) % 101).filter((v) => v % 3 !== 0).length)
  assert.ok(expected.agg.length > 100)

  const rand = prng(seed)
  const dir = await tempDir('kills')
  let kills = 0
  let midWrite = 0
  while (kills < KILLS) {
    // Every other life crashes itself inside a LevelDB write; the others are killed from outside.
    const inWrite = kills % 2 === 1
    const env: Record<string, string> = inWrite
      ? { WEIR_CRASH_DURING: `${WRITE_KINDS[Math.floor(rand() * WRITE_KINDS.length)]}:${1 + Math.floor(rand() * 6)}` }
      : {}
    const child = startChild(dir, env)
    if (!inWrite) {
      await child.waitFor((l) => l === 'started' || l === 'done', 30_000)
      const delay = Math.floor(rand() * 400)
      const timer = setTimeout(() => child.kill(), delay)
      await child.exited
      clearTimeout(timer)
    } else {
      // The child kills itself at the chosen write (possibly before `started`: batches run as soon
      // as the queries resume); kill it from outside if that write never comes.
      const timer = setTimeout(() => child.kill(), 4000)
      await child.exited
      clearTimeout(timer)
      midWrite++
    }
    kills++
  }
  await runToCompletion(dir)
  const actual = await sinkContents(dir)
  console.log(`seed ${seed}: ${kills} kills (${midWrite} inside a write); ${actual.copy.length} copied rows, ${actual.agg.length} window rows`)
  assert.deepEqual(actual.copy, expected.copy, 'the stateless query lost or duplicated rows')
  assert.deepEqual(actual.agg, expected.agg, 'the windowed aggregation lost or duplicated rows')
})

test('a truncated LevelDB log tail either recovers exactly or stops with an error code, never silently wrong', { timeout: 60_000 }, async () => {
  const expected = await uninterrupted()
  const dir = await tempDir('truncate')
  const child = startChild(dir)
  await child.waitFor((l) => l === 'started', 30_000)
  const timer = setTimeout(() => child.kill(), 700)
  await child.exited
  clearTimeout(timer)
  // Cut the end of LevelDB's write-ahead log: the last records are torn.
  const db = join(dir, 'db')
  const logs = (await readdir(db)).filter((f) => f.endsWith('.log'))
  const newest = logs.sort().at(-1)!
  const size = (await stat(join(db, newest))).size
  await truncate(join(db, newest), Math.max(0, size - 300))

  const again = startChild(dir)
  const line = await again.waitFor((l) => l === 'done' || l.startsWith('error'), 60_000)
  await again.exited
  if (line === 'done') {
    assert.deepEqual(await sinkContents(dir), expected)
  } else {
    const durable = await LevelDurableState.open(dir)
    const failed = [...durable.queries.values()].filter((q) => q.status === 'failed')
    await durable.close()
    assert.ok(failed.length > 0 && failed.every((q) => q.error !== null && /^[A-Z_]+$/.test(q.error.code)), line)
    console.log(`truncated log: stopped with ${failed.map((q) => q.error!.code).join(', ')}`)
  }
})
