/**
 * Test helpers for the client: the real server as a child process (`server/main.ts` on a free
 * port with a fresh data directory), `weir` runs through its bin launcher, and waits on
 * observable conditions with deadlines (no fixed sleeps).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '..')
export const WEIR_BIN = join(ROOT, 'bin', 'weir.js')

export interface ServerProcess {
  readonly url: string
  readonly dataDir: string
  /** POST /v1/sql; throws on an error answer. */
  sql(sql: string): Promise<unknown>
  queries(): Promise<{ id: string; status: string; subscribers?: number; sql: string }[]>
  stop(): Promise<void>
}

export async function startServerProcess(env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-cli-test-'))
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, WEIR_PORT: '0', WEIR_HOST: '127.0.0.1', WEIR_DATA_DIR: dataDir, WEIR_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s:\n${log}`)), 30_000)
    const onData = (chunk: Buffer): void => {
      log += chunk.toString()
      const m = /listening on (http:\/\/[^\s"]+)/.exec(log)
      if (m) {
        clearTimeout(timer)
        resolveUrl(m[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited with ${code}:\n${log}`))
    })
  })
  const token = env.WEIR_AUTH_TOKEN
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }
  return {
    url, dataDir,
    async sql(sql) {
      const res = await fetch(`${url}/v1/sql`, { method: 'POST', headers, body: JSON.stringify({ sql }) })
      const body = (await res.json()) as { error?: unknown }
      if (!res.ok) throw new Error(`${sql}: ${JSON.stringify(body.error)}`)
      return body
    },
    async queries() {
      const res = await fetch(`${url}/v1/queries`, { headers })
      return ((await res.json()) as { queries: { id: string; status: string; subscribers?: number; sql: string }[] }).queries
    },
    stop: () => stopChild(child).finally(() => rmSync(dataDir, { recursive: true, force: true })),
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

export interface WeirRun {
  readonly child: ChildProcess
  stdout: string
  stderr: string
  /** Resolves with the exit code when the program ends. */
  readonly exited: Promise<number | null>
}

/** Starts `weir` (through bin/weir.js) with stdin from `input` (closed when undefined). */
export function startWeir(args: readonly string[], opts: { input?: string; env?: Record<string, string> } = {}): WeirRun {
  const child = spawn(process.execPath, [WEIR_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, WEIR_URL: '', WEIR_AUTH_TOKEN: '', WEIR_HISTORY: '', NO_COLOR: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const run: WeirRun = {
    child, stdout: '', stderr: '',
    exited: new Promise((r) => child.once('exit', (code) => r(code))),
  }
  child.stdout!.on('data', (c: Buffer) => (run.stdout += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (run.stderr += c.toString()))
  child.stdin!.end(opts.input ?? '')
  return run
}

/** Runs `weir` to its end (killed after `timeoutMs`). */
export async function runWeir(args: readonly string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}):
  Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startWeir(args, opts)
  const timer = setTimeout(() => run.child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
  const code = await run.exited
  clearTimeout(timer)
  return { code, stdout: run.stdout, stderr: run.stderr }
}

/** Polls `cond` until it holds or the deadline passes. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
