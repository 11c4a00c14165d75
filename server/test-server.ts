/**
 * Test helpers for the server: an app over a fresh in-memory engine, a real listening server,
 * and a websocket client that waits for frames with deadlines (no sleeps).
 */
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { WebSocket } from 'ws'
import { buildApp } from './app.ts'
import type { ServerLimits } from './config.ts'
import type { DurableState } from './durable-state.ts'
import { Engine } from './engine.ts'

export interface TestServer {
  readonly app: FastifyInstance
  readonly engine: Engine
  /** `http://127.0.0.1:port` once listening (empty for inject-only). */
  readonly url: string
  readonly wsUrl: string
  close(): Promise<void>
}

export interface TestServerOptions {
  readonly listen?: boolean
  readonly authToken?: string
  readonly limits?: Partial<ServerLimits>
  readonly durable?: DurableState
  /** A LevelDB data directory (instead of `durable`). */
  readonly dataDir?: string
}

export async function startServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const engine = await Engine.open(opts.durable ? { durable: opts.durable } : opts.dataDir ? { dataDir: opts.dataDir } : {})
  const app = buildApp({ engine, logger: pino({ level: 'silent' }), authToken: opts.authToken ?? null, limits: opts.limits ?? {} })
  let url = ''
  if (opts.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  } else {
    await app.ready()
  }
  return {
    app, engine, url, wsUrl: url.replace(/^http/, 'ws'),
    close: async () => {
      await app.close()
      await engine.close()
    },
  }
}

/** Polls `cond` on every turn of the event loop until it holds or the deadline passes. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

export interface Frame {
  readonly type: string
  readonly [key: string]: unknown
}

/** A websocket client that records every frame and lets a test wait for one. */
export class FrameClient {
  readonly frames: Frame[] = []
  closeCode: number | null = null
  closeReason = ''
  private waiters: (() => void)[] = []

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame)
      this.notify()
    })
    ws.on('close', (code, reason) => {
      this.closeCode = code
      this.closeReason = String(reason)
      this.notify()
    })
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<FrameClient> {
    const ws = new WebSocket(url, { headers })
    const client = new FrameClient(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
    return client
  }

  /** The first frame (from `from` on) that matches; waits for it. */
  async next(match: (f: Frame) => boolean, what: string, timeoutMs = 5000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const f = this.frames.slice(from).find(match)
      if (f) return f
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) before ${what}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  async closed(timeoutMs = 5000): Promise<number> {
    await waitFor(() => this.closeCode !== null, 'the socket to close', timeoutMs)
    return this.closeCode!
  }

  close(): void {
    this.ws.close()
  }

  private notify(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }
}

/** Every row of every batch/snapshot frame so far, as `op row-json` lines. */
export function changeLines(frames: readonly Frame[]): string[] {
  const out: string[] = []
  for (const f of frames) {
    if (f.type === 'batch') for (const [op, row] of f.changes as [string, unknown[]][]) out.push(`${op} ${JSON.stringify(row)}`)
  }
  return out
}
