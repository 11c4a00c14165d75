/**
 * The console stays responsive with 20 running queries, each with a batch every second: the
 * list and a query page are watched while rows are fed for a few rounds, and the page's main
 * thread is measured from inside (gaps between animation frames, long tasks).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { startServer, waitFor, type TestServer } from '../test-server.ts'
import { browserMissing, openBrowser } from './test-browser.ts'

const QUERIES = 20
const ROWS_PER_ROUND = 2000

interface Responsiveness {
  readonly frames: number
  readonly maxFrameGapMs: number
  readonly longTasks: number
  readonly longTaskMs: number
  readonly elapsedMs: number
}

/** Starts counting animation-frame gaps and long tasks in the page. */
async function watchMainThread(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { weirPerf: { frames: number; maxGap: number; longTasks: number; longTaskMs: number; start: number } }
    const perf = { frames: 0, maxGap: 0, longTasks: 0, longTaskMs: 0, start: performance.now() }
    w.weirPerf = perf
    let last = performance.now()
    const tick = (t: number): void => {
      perf.maxGap = Math.max(perf.maxGap, t - last)
      last = t
      perf.frames++
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        perf.longTasks++
        perf.longTaskMs += e.duration
      }
    }).observe({ type: 'longtask' })
  })
}

function readMainThread(page: Page): Promise<Responsiveness> {
  return page.evaluate(() => {
    const p = (window as unknown as { weirPerf: { frames: number; maxGap: number; longTasks: number; longTaskMs: number; start: number } }).weirPerf
    return { frames: p.frames, maxFrameGapMs: Math.round(p.maxGap), longTasks: p.longTasks, longTaskMs: Math.round(p.longTaskMs), elapsedMs: Math.round(performance.now() - p.start) }
  })
}

interface QueryState { readonly id: string; readonly lastProgress: { batchId: number; sources: { endOffset: unknown }[] } | null }

async function queries(s: TestServer): Promise<QueryState[]> {
  return ((await (await fetch(`${s.url}/v1/queries`)).json()) as { queries: QueryState[] }).queries
}

/** Feeds a round of rows and waits until every query has processed it and the list shows that batch. */
async function feedRound(s: TestServer, page: Page, round: number, checkList: boolean): Promise<void> {
  const base = Date.UTC(2026, 0, 1) + round * 10_000
  const rows = Array.from({ length: ROWS_PER_ROUND }, (_, i) => ({ user_id: i % 50, url: `u${i}`, ts: base + (i % 10_000) }))
  const res = await fetch(`${s.url}/v1/streams/clicks/rows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rows) })
  const { endOffset } = (await res.json()) as { endOffset: number }
  /** batch id per query that read up to endOffset */
  const done = new Map<string, number>()
  await waitFor(async () => {
    for (const q of await queries(s)) {
      if (q.lastProgress && q.lastProgress.sources[0]?.endOffset === endOffset && !done.has(q.id)) done.set(q.id, q.lastProgress.batchId)
    }
    return done.size === QUERIES
  }, `all queries to read round ${round}`, 15_000)
  if (!checkList) return
  await page.waitForFunction((want) => want.every(([id, batch]) => Number(document.querySelector<HTMLElement>(`tr[data-query-id="${id}"]`)?.dataset.batch) >= batch),
    [...done], { timeout: 10_000 })
}

test('with 20 queries updating every second the page keeps its main thread free', { skip: browserMissing() }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-console-load-'))
  const s = await startServer({ listen: true, dataDir: join(dir, 'data') })
  const b = await openBrowser()
  try {
    const ddl = [`CREATE STREAM clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)`]
    for (let i = 0; i < QUERIES; i++) {
      ddl.push(`CREATE SINK out${i} WITH (connector = 'memory')`)
      ddl.push(`INSERT INTO out${i} SELECT window_start, user_id, COUNT(*) AS n, MAX(url) AS u FROM TUMBLE(clicks, ts, INTERVAL '${i + 1}' SECOND) GROUP BY window_start, window_end, user_id EMIT UPDATE`)
    }
    const res = await fetch(`${s.url}/v1/sql`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: ddl.join(';\n'), options: { trigger: 'processing_time:1s' } }),
    })
    assert.equal(res.status, 200, await res.text())

    const { page } = b
    await page.goto(`${s.url}/`)
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-query-id]').length === n, QUERIES, { timeout: 10_000 })
    await watchMainThread(page)
    for (let round = 0; round < 4; round++) await feedRound(s, page, round, true)
    const list = await readMainThread(page)

    // A query page while all twenty keep running: its websocket gets every batch of q1.
    await page.goto(`${s.url}/#/queries/q1`)
    await waitFor(() => s.app.weirHub.subscribers('q1') === 1, 'the query page to subscribe')
    await watchMainThread(page)
    for (let round = 4; round < 7; round++) await feedRound(s, page, round, false)
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('table.results')?.dataset.rows) >= 50, null, { timeout: 10_000 })
    const detail = await readMainThread(page)

    // The probe itself works: a deliberate 300 ms block is seen as a gap and a long task.
    await page.evaluate(() => {
      setTimeout(() => {
        const until = performance.now() + 300
        while (performance.now() < until) { /* block the main thread */ }
      }, 0)
    })
    await page.waitForFunction(() => (window as unknown as { weirPerf: { longTasks: number } }).weirPerf.longTasks > 0, null, { timeout: 5000 })
    const blocked = await readMainThread(page)
    assert.ok(blocked.maxFrameGapMs >= 250 && blocked.longTaskMs >= 300, `the probe sees a blocked main thread (${JSON.stringify(blocked)})`)

    for (const [where, r] of [['query list', list], ['query page', detail]] as const) {
      // A frame every 16 ms is ideal; the bound leaves room for a busy CI machine (the server runs there too).
      assert.ok(r.elapsedMs >= 2000, `${where}: measured for ${r.elapsedMs} ms`)
      assert.ok(r.maxFrameGapMs < 500, `${where}: longest gap between frames ${r.maxFrameGapMs} ms (${JSON.stringify(r)})`)
      assert.ok(r.longTaskMs < r.elapsedMs * 0.1, `${where}: ${r.longTaskMs} ms of long tasks in ${r.elapsedMs} ms`)
      assert.ok(r.frames > r.elapsedMs / 100, `${where}: ${r.frames} frames in ${r.elapsedMs} ms`)
    }
    t.diagnostic(`main thread with ${QUERIES} queries: list ${JSON.stringify(list)}; query page ${JSON.stringify(detail)}`)
    assert.deepEqual(b.errors, [])
  } finally {
    await b.close()
    await s.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
