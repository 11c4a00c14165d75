/**
 * Live results over websockets: `GET /v1/queries/:id/results` upgrades to a websocket that
 * receives the query's frames (SPEC §3). One `Channel` per watched query serialises each frame
 * once and hands the same Buffer to every subscriber; subscribers with a full send buffer are
 * coalesced or disconnected (websocket-subscriber.ts), so the query never waits for them.
 *
 * The hub also stops push queries that nobody has watched for `pushIdleTimeoutMs`.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocketServer, type WebSocket } from 'ws'
import { WeirError } from '../runtime/errors.ts'
import type { QueryProgress } from '../runtime/progress.ts'
import type { SinkBatchInfo } from '../runtime/sink.ts'
import type { ChangeBatch } from '../runtime/types.ts'
import type { ServerLimits } from './config.ts'
import type { Engine } from './engine.ts'
import type { RunningQuery } from './running-query.ts'
import { limitExceeded, toHttpError } from './routes/errors.ts'
import { rowEncoder, type RowEncoder } from './routes/wire.ts'
import { endFrame, errorFrame, outputFrame, progressFrame, schemaFrame, type EndReason } from './websocket-frames.ts'
import { Subscriber } from './websocket-subscriber.ts'

const RESULTS_PATH = /^\/v1\/queries\/([^/]+)\/results\/?$/

export interface HubOptions {
  readonly engine: Engine
  readonly logger: Logger
  /** Checks the request's credentials (header or `?token=`); throws a WeirError when wrong. */
  readonly authorize: (req: IncomingMessage, url: URL) => void
  readonly limits: ServerLimits
}

/** The frames of one query, shared by its subscribers. */
class Channel {
  readonly subscribers = new Set<Subscriber>()
  readonly schema: Buffer
  private readonly encode: RowEncoder
  private readonly unobserve: () => void
  private lastFrameAt: number

  constructor(readonly query: RunningQuery, private readonly hub: SubscriptionHub) {
    const o = query.opts
    this.schema = schemaFrame(o.id, o.outputMode, o.columns)
    this.encode = rowEncoder(o.columns)
    this.lastFrameAt = Date.now()
    this.unobserve = query.observe({
      output: (batchId, changes, info) => this.output(batchId, changes, info),
      progress: (p) => this.progress(p),
      status: (q, persist) => this.status(q, persist),
    })
  }

  private output(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): void {
    const frame = outputFrame(batchId, info.watermark, changes, this.encode)
    const out = { batchId, watermark: info.watermark, changes, outputMode: info.outputMode, encode: this.encode }
    for (const s of this.subscribers) s.deliver(frame, out)
    this.lastFrameAt = Date.now()
  }

  progress(p: QueryProgress | null): void {
    if (this.subscribers.size === 0) return
    const frame = progressFrame(p)
    for (const s of this.subscribers) s.progress(frame)
    this.lastFrameAt = Date.now()
  }

  /** Progress at least every interval while idle. */
  tick(now: number, intervalMs: number): void {
    if (now - this.lastFrameAt >= intervalMs) this.progress(this.query.executor.recentProgress.at(-1) ?? null)
  }

  private status(q: RunningQuery, persist: boolean): void {
    if (q.status === 'running') return
    if (q.status === 'failed' && q.error) {
      this.end(persist ? 'failed' : 'shutdown', errorFrame(q.error))
    } else {
      this.end(persist ? 'stopped' : 'shutdown')
    }
  }

  end(reason: EndReason, error?: Buffer): void {
    const frame = endFrame(reason)
    for (const s of [...this.subscribers]) {
      if (error) s.send(error)
      s.end(frame, reason === 'shutdown' ? 1001 : 1000, `query ${reason}`)
    }
    this.dispose()
  }

  remove(s: Subscriber): void {
    this.subscribers.delete(s)
    if (this.subscribers.size === 0) this.dispose()
  }

  private dispose(): void {
    this.unobserve()
    this.hub.forget(this)
  }
}

export class SubscriptionHub {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 })
  private readonly channels = new Map<string, Channel>()
  private readonly idleSince = new Map<string, number>()
  private readonly timer: NodeJS.Timeout
  private total = 0
  private closing = false

  constructor(private readonly opts: HubOptions) {
    const { progressIntervalMs, pushIdleTimeoutMs } = opts.limits
    const every = Math.max(10, Math.min(1000, progressIntervalMs / 4, pushIdleTimeoutMs / 4))
    this.timer = setInterval(() => this.sweep(Date.now()), every)
    this.timer.unref()
  }

  /** Subscribers of a query (0 when none). */
  subscribers(queryId: string): number {
    return this.channels.get(queryId)?.subscribers.size ?? 0
  }

  get totalSubscribers(): number {
    return this.total
  }

  /** Each subscriber's unsent bytes, largest seen and query (tests, debugging). */
  stats(): { queryId: string; bufferedAmount: number; maxBuffered: number }[] {
    return [...this.channels.values()].flatMap((c) =>
      [...c.subscribers].map((s) => ({ queryId: c.query.id, bufferedAmount: s.bufferedAmount, maxBuffered: s.maxBuffered })))
  }

  /** The `upgrade` handler of the HTTP server. Never throws. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy())
    try {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const m = RESULTS_PATH.exec(url.pathname)
      if (!m) throw new WeirError('NOT_FOUND', `no websocket at ${url.pathname}; subscribe to /v1/queries/:id/results`, { status: 404 })
      this.opts.authorize(req, url)
      if (this.closing) throw new WeirError('SHUTTING_DOWN', 'the server is shutting down', { domain: 'external', status: 503 })
      const id = decodeURIComponent(m[1]!)
      const q = this.opts.engine.query(id)
      if (!q) throw new WeirError('UNKNOWN_QUERY', `query "${id}" does not exist or is not running`, { status: 404 })
      if (this.total >= this.opts.limits.maxSubscribers) {
        throw limitExceeded(`at most ${this.opts.limits.maxSubscribers} websocket subscribers (limits.maxSubscribers)`)
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(q, ws, socket))
    } catch (err) {
      const { status, body, internal } = toHttpError(err)
      if (internal) this.opts.logger.error({ err }, 'websocket upgrade failed')
      const text = JSON.stringify(body)
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`)
    }
  }

  private attach(q: RunningQuery, ws: WebSocket, socket: Duplex): void {
    let channel = this.channels.get(q.id)
    if (!channel && q.status === 'running') this.channels.set(q.id, (channel = new Channel(q, this)))
    this.total++
    const limits = { bufferBytes: this.opts.limits.subscriberBufferBytes, coalesceRows: this.opts.limits.subscriberCoalesceRows }
    const sub = new Subscriber(ws, socket, limits, (s) => {
      this.total--
      channel?.remove(s)
    })
    sub.send(channel?.schema ?? schemaFrame(q.id, q.opts.outputMode, q.opts.columns))
    if (!channel) {
      if (q.error) sub.send(errorFrame(q.error))
      sub.end(endFrame(q.status === 'failed' ? 'failed' : 'stopped'), 1000, `query ${q.status}`)
      return
    }
    channel.subscribers.add(sub)
    this.idleSince.delete(q.id)
    this.opts.logger.debug({ queryId: q.id, subscribers: channel.subscribers.size }, 'subscriber joined')
  }

  forget(c: Channel): void {
    if (this.channels.get(c.query.id) === c) this.channels.delete(c.query.id)
  }

  /** Idle progress frames; stops push queries nobody watched for `pushIdleTimeoutMs`. */
  sweep(now: number): void {
    const { progressIntervalMs, pushIdleTimeoutMs } = this.opts.limits
    for (const c of this.channels.values()) c.tick(now, progressIntervalMs)
    for (const q of this.opts.engine.running.values()) {
      if (q.status !== 'running' || q.opts.pushSink === null || this.subscribers(q.id) > 0) {
        this.idleSince.delete(q.id)
        continue
      }
      const since = this.idleSince.get(q.id)
      if (since === undefined) {
        this.idleSince.set(q.id, now)
      } else if (now - since >= pushIdleTimeoutMs) {
        this.idleSince.delete(q.id)
        this.opts.logger.info({ queryId: q.id, idleMs: now - since }, 'stopping push query without subscribers')
        q.stop('stopped').catch((err: unknown) => this.opts.logger.error({ err, queryId: q.id }, 'stopping idle push query failed'))
      }
    }
  }

  /** Sends every subscriber `end` with reason `shutdown` and closes the connections. */
  async shutdown(): Promise<void> {
    this.closing = true
    clearInterval(this.timer)
    const sockets = [...this.wss.clients]
    for (const c of [...this.channels.values()]) c.end('shutdown')
    await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
      if (ws.readyState === ws.CLOSED) return resolve()
      ws.once('close', () => resolve())
      setTimeout(() => {
        ws.terminate()
        resolve()
      }, 1000).unref()
    })))
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}
