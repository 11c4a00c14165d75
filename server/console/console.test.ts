/**
 * The web console in a real headless Chromium against a real server: the editor starts a
 * windowed push query, rows fed through the ingest endpoint show up in the results table and
 * the charts, errors show their position, the stop button stops the query, the token form,
 * a narrow window, and a contrast audit. Waits are on observable conditions with deadlines.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { startServer, waitFor, type TestServer } from '../test-server.ts'
import { browserMissing, openBrowser, type TestBrowser } from './test-browser.ts'

const skip = browserMissing()
const DOCS_SCREENSHOT = join(import.meta.dirname, '..', '..', 'docs', 'console.png')
const STREAM = `CREATE STREAM clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)`
const WAIT = { timeout: 10_000 }

let dir = ''
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'weir-console-test-'))
})
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function post(s: TestServer, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const res = await fetch(s.url + path, { method: 'POST', headers, body: JSON.stringify(body) })
  const json = (await res.json()) as Record<string, unknown>
  assert.ok(res.ok, JSON.stringify(json))
  return json
}

async function withConsole(fn: (s: TestServer, b: TestBrowser) => Promise<void>, opts: { authToken?: string; width?: number } = {}): Promise<void> {
  const s = await startServer({ listen: true, dataDir: mkdtempSync(join(dir, 'data-')), ...(opts.authToken ? { authToken: opts.authToken } : {}) })
  const b = await openBrowser(opts.width ? { width: opts.width } : {})
  try {
    await fn(s, b)
    assert.deepEqual(b.errors, [], 'no errors in the browser console')
  } finally {
    await b.close()
    await s.close()
  }
}

/** Text of the results table's rows, one string per row (cells joined by a space). */
function tableRows(page: Page): Promise<string[]> {
  return page.$$eval('.query-page table.results tbody tr', (trs) => (trs as HTMLTableRowElement[]).map((tr) => [...tr.cells].map((c) => c.textContent).join(' ')))
}

function chartPoints(page: Page, chart: string): Promise<number> {
  return page.$eval(`[data-chart="${chart}"]`, (el) => Number((el as HTMLElement).dataset.points))
}

test('the editor starts a windowed query whose results, charts and plan update live; errors show their position; stop stops it', { skip }, async () => {
  await withConsole(async (s, b) => {
    const { page } = b
    await post(s, '/v1/sql', { sql: STREAM })
    await page.goto(s.url + '/')
    const editor = page.getByLabel('SQL', { exact: true })
    await editor.fill(`SELECT window_start, user_id, COUNT(*) AS n
FROM TUMBLE(clicks, ts, INTERVAL '1' MINUTE)
GROUP BY window_start, window_end, user_id EMIT UPDATE`)
    await editor.press('Control+Enter')
    // A started push query opens its page (its websocket is what lets batch 0 run).
    await page.waitForURL(/#\/queries\/q1$/, WAIT)
    await page.getByRole('heading', { name: /q1/ }).waitFor(WAIT)
    await waitFor(() => s.app.weirHub.subscribers('q1') === 1, 'the page to subscribe', WAIT.timeout)
    const pointsBefore = await chartPoints(page, 'throughput')

    await post(s, '/v1/streams/clicks/rows', [
      { user_id: 1, url: 'a', ts: '2026-01-01T00:00:01Z' }, { user_id: 1, url: 'b', ts: '2026-01-01T00:00:02Z' },
      { user_id: 2, url: 'c', ts: '2026-01-01T00:00:03Z' },
    ])
    await page.waitForFunction(() => document.querySelector<HTMLElement>('table.results')?.dataset.rows === '2', null, WAIT)
    assert.deepEqual((await tableRows(page)).sort(), ['2026-01-01T00:00:00.000Z 1 2', '2026-01-01T00:00:00.000Z 2 1'])
    // Update mode redraws a changed row in place: mark user 1's line, then update it.
    await page.$$eval('.query-page table.results tbody tr', (trs) => {
      for (const tr of trs as HTMLTableRowElement[]) if (tr.cells[1]?.textContent === '1') tr.dataset.marked = 'yes'
    })
    await post(s, '/v1/streams/clicks/rows', [{ user_id: 1, url: 'd', ts: '2026-01-01T00:00:04Z' }])
    await page.waitForFunction(() => document.querySelector('tr[data-marked="yes"]')?.textContent?.endsWith('3'), null, WAIT)
    assert.equal((await tableRows(page)).length, 2, 'U-/U+ replaced the row instead of adding one')
    assert.equal(await page.$eval('tr[data-marked="yes"]', (tr) => tr.classList.contains('fresh')), true, 'the changed row is marked')

    // The charts got the batches; the plan shows the window operator's state.
    await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-chart="throughput"]')?.dataset.points) >= n + 2, pointsBefore, WAIT)
    const last = JSON.parse(await page.$eval('[data-chart="state"]', (el) => (el as HTMLElement).dataset.last ?? '[]')) as number[]
    assert.deepEqual(last, [2], 'state rows: two groups')
    assert.ok(await page.$eval('[data-chart="throughput"] path.series-0', (p) => (p.getAttribute('d') ?? '').length > 10), 'a line is drawn')
    assert.deepEqual(await page.$$eval('.plan-grid .op', (ops) => ops.map((o) => (o as HTMLElement).dataset.operator)),
      ['Source', 'TumblingWindowAggregate', 'Project', 'Query'], 'operators in data-flow order')
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-operator="TumblingWindowAggregate"] .op-state')?.dataset.rows === '2', null, WAIT)
    assert.match(await page.textContent('[data-stat="watermark"] dd') ?? '', /^2025-12-31 23:59:59Z$/)

    // The screenshot for review, in the test's temp dir; WEIR_UPDATE_SCREENSHOT=1 also refreshes
    // docs/console.png (so an ordinary test run leaves the work tree clean).
    const shot = join(dir, 'console.png')
    await page.screenshot({ path: shot, fullPage: true })
    console.log(`console screenshot: ${shot}`)
    if (process.env.WEIR_UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(DOCS_SCREENSHOT, '..'), { recursive: true })
      copyFileSync(shot, DOCS_SCREENSHOT)
    }
    assert.ok(statSync(shot).size < 400_000, `the screenshot stays small (${statSync(shot).size} bytes)`)

    // An error shows its code, message and position.
    await page.getByRole('link', { name: 'Queries', exact: true }).first().click()
    await page.waitForURL(/#\/$/, WAIT)
    await editor.fill('SELECT user_id,\n  nope\nFROM clicks EMIT APPEND')
    await page.getByRole('button', { name: 'Run' }).click()
    const error = page.locator('.sql-error')
    await error.waitFor(WAIT)
    assert.match(await error.textContent() ?? '', /UNKNOWN_COLUMN.*nope.*at line 2, column 3/s)
    assert.equal(await page.textContent('.error-mark'), 'nope')
    assert.deepEqual(await editor.evaluate((t: HTMLTextAreaElement) => [t.selectionStart, t.selectionEnd, t.getAttribute('aria-invalid')]), [18, 22, 'true'])
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'sql', 'focus is on the text at the error')

    // EXPLAIN is drawn as a graph too.
    await editor.fill("EXPLAIN SELECT user_id, COUNT(*) AS n FROM clicks WHERE url <> 'x' GROUP BY user_id EMIT UPDATE")
    await editor.press('Control+Enter')
    await page.locator('.sql-output .op').first().waitFor(WAIT)
    assert.deepEqual(await page.$$eval('.sql-output .op', (ops) => ops.map((o) => (o as HTMLElement).dataset.operator)),
      ['Source', 'Filter', 'Aggregate', 'Project', 'Query'])
    assert.match(await page.textContent('.sql-output .plan-warning') ?? '', /grows without bound/)

    // The query list shows q1; its page's stop button stops it on the server.
    const row = page.locator('tr[data-query-id="q1"]')
    await row.waitFor(WAIT)
    assert.equal(await row.locator('.col-status').textContent(), 'running')
    await row.getByRole('link', { name: 'q1' }).click()
    await page.getByRole('button', { name: 'Stop query' }).click()
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.query-page .badge')?.dataset.status === 'stopped', null, WAIT)
    const q = (await (await fetch(`${s.url}/v1/queries/q1`)).json()) as { status: string }
    assert.equal(q.status, 'stopped')
    assert.equal(await page.getByRole('button', { name: 'Stop query' }).count(), 0, 'no stop button once stopped')
  })
})

test('complete mode redraws each snapshot in place; append mode keeps the newest rows up to the cap', { skip }, async () => {
  await withConsole(async (s, b) => {
    const { page } = b
    await post(s, '/v1/sql', { sql: STREAM })
    await page.goto(s.url + '/')
    const editor = page.getByLabel('SQL', { exact: true })
    await editor.fill('SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id EMIT COMPLETE')
    await editor.press('Control+Enter')
    await page.waitForURL(/#\/queries\/q1$/, WAIT)
    await waitFor(() => s.app.weirHub.subscribers('q1') === 1, 'the page to subscribe', WAIT.timeout)
    await post(s, '/v1/streams/clicks/rows', [{ user_id: 1, ts: 0 }, { user_id: 2, ts: 0 }])
    await page.waitForFunction(() => document.querySelector<HTMLElement>('table.results')?.dataset.rows === '2', null, WAIT)
    await post(s, '/v1/streams/clicks/rows', [{ user_id: 2, ts: 0 }, { user_id: 3, ts: 0 }])
    await page.waitForFunction(() => document.querySelector<HTMLElement>('table.results')?.dataset.rows === '3', null, WAIT)
    assert.deepEqual((await tableRows(page)).sort(), ['1 1', '2 2', '3 1'])
    assert.deepEqual((await page.$$eval('tr.fresh', (trs) => trs.map((tr) => tr.textContent))).sort(), ['22', '31'], 'changed rows marked')

    await page.goto(s.url + '/')
    await editor.fill('SELECT user_id, url FROM clicks EMIT APPEND')
    await editor.press('Control+Enter')
    await page.waitForURL(/#\/queries\/q2$/, WAIT)
    await waitFor(() => s.app.weirHub.subscribers('q2') === 1, 'the page to subscribe', WAIT.timeout)
    await post(s, '/v1/streams/clicks/rows', Array.from({ length: 600 }, (_, i) => ({ user_id: 100 + i, url: `u${i}`, ts: 0 })))
    await page.waitForFunction(() => document.querySelector('.results-status')?.textContent?.includes('604 rows received'), null, WAIT)
    const rows = await tableRows(page)
    assert.equal(rows.length, 500, 'the cap')
    assert.equal(rows.at(-1), '699 u599', 'the newest row is last')
    assert.match(await page.textContent('.results-status') ?? '', /604 rows received, the last 500 shown/)
  })
})

test('with an auth token the page asks for it once, then uses it for fetch and the websocket', { skip }, async () => {
  await withConsole(async (s, b) => {
    const { page } = b
    await post(s, '/v1/sql', { sql: STREAM }, 'tok')
    await page.goto(s.url + '/')
    const dialog = page.getByRole('dialog', { name: 'Access token' })
    await dialog.waitFor(WAIT)
    await dialog.getByLabel('Token').fill('wrong')
    await dialog.getByLabel('Token').press('Enter')
    await page.waitForFunction(() => document.querySelector('.token-reason')?.textContent?.includes('refused'), null, WAIT)
    await dialog.getByLabel('Token').fill('tok')
    await dialog.getByRole('button', { name: 'Continue' }).click()
    await page.getByText('No queries yet').waitFor(WAIT)
    assert.equal(await page.evaluate(() => sessionStorage.getItem('weir.token')), 'tok')

    const editor = page.getByLabel('SQL', { exact: true })
    await editor.fill('SELECT user_id, url FROM clicks EMIT APPEND')
    await editor.press('Control+Enter')
    await page.waitForURL(/#\/queries\/q1$/, WAIT)
    await waitFor(() => s.app.weirHub.subscribers('q1') === 1, 'the page to subscribe with ?token=', WAIT.timeout)
    await post(s, '/v1/streams/clicks/rows', [{ user_id: 7, url: 'x', ts: 0 }, { user_id: 8, url: 'y', ts: 0 }], 'tok')
    await page.waitForFunction(() => document.querySelector<HTMLElement>('table.results')?.dataset.rows === '2', null, WAIT)
    assert.deepEqual(await tableRows(page), ['7 x', '8 y'])
    assert.equal(await dialog.isVisible(), false, 'asked once')
  }, { authToken: 'tok' })
})

test('a narrow window has no horizontal scrolling; controls are labelled; text contrast is at least 4.5:1 in both themes', { skip }, async () => {
  await withConsole(async (s, b) => {
    const { page } = b
    await post(s, '/v1/sql', { sql: `${STREAM}; CREATE SINK m WITH (connector = 'memory');
INSERT INTO m SELECT window_start, COUNT(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '1' MINUTE) GROUP BY window_start, window_end` })
    await post(s, '/v1/streams/clicks/rows', [{ user_id: 1, url: 'a', ts: '2026-01-01T00:00:01Z' }])
    for (const hash of ['#/', '#/queries/q1']) {
      await page.goto(`${s.url}/${hash}`)
      await page.waitForFunction(() => document.querySelector('tr[data-query-id], .query-page h1'), null, WAIT)
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, WAIT)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 0, `${hash}: ${overflow}px of horizontal scrolling at 400px`)
      assert.deepEqual(await page.evaluate(unlabelled), [], `${hash}: every control has a name`)
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme })
        assert.deepEqual(await page.evaluate(lowContrast), [], `${hash} ${colorScheme}: contrast`)
      }
      await page.emulateMedia({ colorScheme: 'light' })
    }
    assert.ok(await page.locator('header.top').count() === 1 && await page.locator('main#main').count() === 1 && await page.locator('nav').count() === 1, 'landmarks')
  }, { width: 400 })
})

/** Form controls and buttons without an accessible name. */
function unlabelled(): string[] {
  const out: string[] = []
  for (const el of document.querySelectorAll<HTMLElement>('input, textarea, select, button, a[href]')) {
    if (el.closest('[hidden], dialog:not([open])')) continue
    const labels = (el as HTMLInputElement).labels
    const name = el.getAttribute('aria-label') ?? ((labels && labels.length > 0) ? 'label' : el.textContent?.trim())
    if (!name) out.push(el.outerHTML.slice(0, 80))
  }
  return out
}

/** Visible text whose contrast with its background is under 4.5:1 (3:1 for large text). */
function lowContrast(): string[] {
  const rgba = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number)
  const lum = (c: number[]): number => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
    }) as [number, number, number]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
  }
  const background = (el: Element | null): number[] => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor)
      if (c.length === 3 || (c[3] ?? 0) >= 0.99) return c
    }
    return [255, 255, 255]
  }
  const out: string[] = []
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement
    if (!el || !n.textContent?.trim() || el.closest('[hidden], dialog:not([open]), noscript, .visually-hidden, svg')) continue
    if ((el as HTMLButtonElement).disabled) continue
    const st = getComputedStyle(el)
    if (st.visibility === 'hidden' || st.display === 'none') continue
    const [l1, l2] = [lum(rgba(st.color)), lum(background(el))]
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)
    const size = parseFloat(st.fontSize)
    const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700)
    if (ratio < (large ? 3 : 4.5)) out.push(`${ratio.toFixed(2)} ${el.tagName}.${el.className}: ${n.textContent.trim().slice(0, 30)}`)
  }
  return out
}
