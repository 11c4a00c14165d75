/**
 * Test helper: a headless Chromium (Debian's `chromium` package) driven by playwright-core. No
 * browser is ever downloaded: the system binary is used with a fresh, temporary profile.
 * Without the binary the browser tests are skipped, except under CI, where they fail.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = process.env.WEIR_CHROMIUM ?? '/usr/bin/chromium'

/** Why the browser tests cannot run here, or null (a `skip` reason for node:test). */
export function browserMissing(): string | false {
  if (existsSync(CHROMIUM)) return false
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`)
  return `no ${CHROMIUM} (apt-get install -y chromium)`
}

export interface TestBrowser {
  readonly context: BrowserContext
  readonly page: Page
  /** The browser's console errors and uncaught page errors, for assertions. */
  readonly errors: string[]
  close(): Promise<void>
}

export async function openBrowser(opts: { width?: number; height?: number } = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'weir-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
    viewport: { width: opts.width ?? 1200, height: opts.height ?? 900 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    reducedMotion: 'reduce',
  })
  // Functions passed to page.evaluate are compiled by tsx, which may wrap them in `__name(…)`.
  await context.addInitScript('globalThis.__name = (f) => f')
  const page = context.pages()[0] ?? await context.newPage()
  const errors: string[] = []
  page.on('console', (m) => {
    // An error answer of the API is logged by the browser as a failed resource; those are expected.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(String(e)))
  return {
    context, page, errors,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
