/**
 * Differential test: random queries over random event streams, run by Weir as micro-batches and
 * by DuckDB as one batch, must agree (Spark Structured Streaming semantics):
 * - complete mode: the last snapshot equals the batch result over all rows;
 * - append mode (windows with a watermark): the emitted rows equal the batch result over the
 *   (row, window) pairs that were not late, restricted to windows closed by the final watermark;
 * - update mode: the table its changes build equals the batch result over the on-time pairs;
 * - stateless queries: the emitted rows equal the batch result.
 * Each case also checks the batch boundaries, the watermark per batch, numRowsDroppedByWatermark
 * and (append) that a window is emitted in the batch whose watermark first reaches its end.
 *
 * Seeded and reproducible: `DIFF_SEED=<n>` fixes the run, `DIFF_CASES=<n>` sets how many cases
 * (default 720), `DIFF_ONLY=<case number>` runs one case. A failure prints the seed, the SQL on
 * both sides, the rows and the batch boundaries.
 */
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { aggregateQuery, caseSeed, generateEvents, Rng, statelessQuery } from './generator.ts'
import { checkCase, newStats, type Case } from './harness.ts'
import { Oracle } from './oracle.ts'
import type { Query } from './query-ast.ts'

const SEED = process.env.DIFF_SEED !== undefined ? Number(process.env.DIFF_SEED) >>> 0 : (Date.now() ^ 0x5eed) >>> 0
const CASES = process.env.DIFF_CASES !== undefined ? Number(process.env.DIFF_CASES) : 720
const ONLY = process.env.DIFF_ONLY !== undefined ? Number(process.env.DIFF_ONLY) : null
/** At most this many failures are printed in full per group. */
const SHOWN = 3

const GROUPS = ['stateless', 'complete-grouped', 'complete-windowed', 'append-windowed', 'update-grouped', 'update-windowed'] as const
type Group = (typeof GROUPS)[number]

function groupQuery(group: Group, rng: Rng, vType: 'INT' | 'DOUBLE'): Query {
  switch (group) {
    case 'stateless':
      return statelessQuery(rng, vType)
    case 'complete-grouped':
      return aggregateQuery(rng, vType, { windowed: false, mode: 'complete' })
    case 'complete-windowed':
      return aggregateQuery(rng, vType, { windowed: true, mode: 'complete' })
    case 'append-windowed':
      return aggregateQuery(rng, vType, { windowed: true, mode: 'append' })
    case 'update-grouped':
      return aggregateQuery(rng, vType, { windowed: false, mode: 'update' })
    case 'update-windowed':
      return aggregateQuery(rng, vType, { windowed: true, mode: 'update' })
  }
}

/** Case i belongs to group i mod 6, so DIFF_ONLY alone says which kind of case it is. */
function makeCase(index: number): Case {
  const group = GROUPS[index % GROUPS.length]!
  const rng = new Rng(caseSeed(SEED, index))
  const stream = generateEvents(rng)
  const query = groupQuery(group, rng, stream.vType)
  // Sometimes restart the engine on its durable state between batches: results must not change.
  const restartsAfter = rng.chance(0.3) ? [rng.int(0, stream.batches.length - 1)] : []
  return { label: `#${index} (${group}; reproduce: DIFF_SEED=${SEED} DIFF_ONLY=${index})`, stream, query, restartsAfter }
}

describe(`differential: Weir vs DuckDB (DIFF_SEED=${SEED}, ${ONLY === null ? `${CASES} cases` : `case ${ONLY}`})`, () => {
  let oracle: Oracle
  before(async () => {
    console.log(`differential seed: DIFF_SEED=${SEED}`)
    oracle = await Oracle.open()
  })

  for (const group of GROUPS) {
    test(group, async (t) => {
      const indexes = ONLY !== null
        ? [ONLY].filter((i) => GROUPS[i % GROUPS.length] === group)
        : Array.from({ length: CASES }, (_, i) => i).filter((i) => GROUPS[i % GROUPS.length] === group)
      const failures: string[] = []
      const stats = newStats()
      for (const i of indexes) {
        const report = await checkCase(makeCase(i), oracle, stats)
        if (report !== null) failures.push(report)
      }
      t.diagnostic(`${stats.cases} cases, ${stats.rowsCompared} expected rows, ${stats.emptyResults} empty results, ` +
        `${stats.droppedRows} rows late, ${stats.engineErrors} engine errors`)
      if (failures.length > 0) {
        const shown = failures.slice(0, SHOWN).join('\n\n')
        assert.fail(`${failures.length} of ${indexes.length} ${group} cases failed (DIFF_SEED=${SEED}); first ${Math.min(SHOWN, failures.length)}:\n\n${shown}`)
      }
    })
  }
})
