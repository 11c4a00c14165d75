/**
 * The client side of SPEC §3: `POST /v1/sql`, the catalog, queries, and the websocket of a
 * query's live results. Everything the `weir` program knows about the server goes through here.
 */
import WebSocket from 'ws'
import type { QueryInfo, StatementResult } from '../server/engine-api.ts'
import type { Op } from '../runtime/types.ts'
import type { Column, Row } from './render.ts'

/** An answer of the server with an `{"error": …}` body (or an unexpected status). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
    /** For `POST /v1/sql`: the failing statement (0-based) and the results of those before it. */
    readonly statementIndex?: number,
    readonly results: readonly WireResult[] = [],
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** The server could not be reached at all. */
export class ConnectionError extends Error {
  constructor(readonly url: string, readonly reason: string) {
    super(`cannot reach ${url}: ${reason}`)
    this.name = 'ConnectionError'
  }
}

/** A statement result as `POST /v1/sql` answers it (a started query also has its `resultsUrl`). */
export type WireResult = StatementResult & { readonly resultsUrl?: string }

/** A query as `GET /v1/queries` lists it. */
export type WireQuery = Omit<QueryInfo, 'recentProgress'> & { readonly subscribers?: number; readonly resultsUrl?: string }

export interface CatalogRelation {
  readonly name: string
  readonly connector: string
  readonly columns: readonly Column[] | null
  readonly watermark?: { readonly column: string; readonly delay: string } | null
  readonly primaryKey?: readonly string[]
  readonly options?: Readonly<Record<string, string>>
  readonly latestOffset?: number
  readonly rows?: number
  readonly writtenBy?: readonly string[]
}

export interface Catalog {
  readonly streams: readonly CatalogRelation[]
  readonly tables: readonly CatalogRelation[]
  readonly sinks: readonly CatalogRelation[]
}

export type ResultFrame =
  | { readonly type: 'schema'; readonly queryId: string; readonly outputMode: string; readonly columns: readonly Column[] }
  | { readonly type: 'batch'; readonly batchId: number; readonly watermark: string | null; readonly changes: readonly (readonly [Op, Row])[] }
  | { readonly type: 'snapshot'; readonly batchId: number; readonly watermark: string | null; readonly rows: readonly Row[] }
  | { readonly type: 'progress'; readonly progress: unknown }
  | { readonly type: 'error'; readonly error: { readonly code: string; readonly message: string } }
  | { readonly type: 'end'; readonly reason: string }

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection closed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
}

function reasonOf(err: unknown): string {
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : ''
  if (REASONS[code]) return REASONS[code]
  if (cause instanceof AggregateError && cause.errors.length > 0) return reasonOf(cause.errors[0])
  return cause instanceof Error ? cause.message : String(cause)
}

/** `localhost:8080` → `http://localhost:8080`; no trailing slash. */
export function normalizeUrl(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`
  return withScheme.replace(/\/+$/, '')
}

export class WeirClient {
  readonly url: string

  constructor(url: string, private readonly token: string | null) {
    this.url = normalizeUrl(url)
  }

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = {}
    if (json) h['content-type'] = 'application/json'
    if (this.token) h.authorization = `Bearer ${this.token}`
    return h
  }

  private async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    let res: Response
    try {
      res = await fetch(this.url + path, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
      })
    } catch (err) {
      if (signal?.aborted) throw err
      throw new ConnectionError(this.url, reasonOf(err))
    }
    const text = await res.text()
    let parsed: unknown
    try {
      parsed = text === '' ? {} : JSON.parse(text)
    } catch {
      throw new ApiError(res.status, `HTTP_${res.status}`, `unexpected answer from ${this.url}${path} (HTTP ${res.status}, not JSON)`)
    }
    const error = errorOf(parsed)
    if (error || !res.ok) {
      const results = isObject(parsed) && Array.isArray(parsed.results) ? (parsed.results as WireResult[]) : []
      throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? `HTTP ${res.status}`,
        error?.line, error?.column, error?.statementIndex, results)
    }
    return parsed
  }

  /** Runs statements; options are the session's (`SET`, `\set`). */
  async sql(sql: string, options: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<WireResult[]> {
    const body = Object.keys(options).length > 0 ? { sql, options } : { sql }
    const res = await this.request('POST', '/v1/sql', body, signal)
    return isObject(res) && Array.isArray(res.results) ? (res.results as WireResult[]) : []
  }

  async catalog(signal?: AbortSignal): Promise<Catalog> {
    const c = await this.request('GET', '/v1/catalog', undefined, signal)
    const list = (k: string): CatalogRelation[] => (isObject(c) && Array.isArray(c[k]) ? (c[k] as CatalogRelation[]) : [])
    return { streams: list('streams'), tables: list('tables'), sinks: list('sinks') }
  }

  async queries(signal?: AbortSignal): Promise<WireQuery[]> {
    const res = await this.request('GET', '/v1/queries', undefined, signal)
    return isObject(res) && Array.isArray(res.queries) ? (res.queries as WireQuery[]) : []
  }

  async stopQuery(id: string): Promise<{ id: string; status: string }> {
    const res = await this.request('DELETE', `/v1/queries/${encodeURIComponent(id)}`)
    return isObject(res) ? { id: String(res.id ?? id), status: String(res.status ?? 'stopped') } : { id, status: 'stopped' }
  }

  /** Opens the websocket of a query's live results. */
  subscribe(queryId: string, resultsUrl?: string): ResultStream {
    const path = resultsUrl ?? `/v1/queries/${encodeURIComponent(queryId)}/results`
    const wsUrl = this.url.replace(/^http/i, 'ws') + path
    return new ResultStream(new WebSocket(wsUrl, { headers: this.headers(false), perMessageDeflate: false }), this.url)
  }
}

/**
 * The frames of one query's websocket as an async iterable. Iteration ends after `end`, when
 * the socket closes or after `close()`; a failed upgrade (401, 404) or a lost connection throws.
 */
export class ResultStream implements AsyncIterable<ResultFrame> {
  private readonly queue: ResultFrame[] = []
  private failure: Error | null = null
  private done = false
  private wake: (() => void) | null = null
  /** Resolves once the websocket is open (subscribed). */
  readonly opened: Promise<void>

  constructor(private readonly ws: WebSocket, serverUrl: string) {
    this.opened = new Promise((resolve) => ws.once('open', () => resolve()))
    ws.on('message', (data) => {
      try {
        this.queue.push(JSON.parse(String(data)) as ResultFrame)
      } catch {
        return
      }
      this.notify()
    })
    ws.on('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => {
        let e: { code?: string; message?: string } | undefined
        try {
          e = errorOf(JSON.parse(body))
        } catch {
          e = undefined
        }
        const status = res.statusCode ?? 0
        this.finish(new ApiError(status, e?.code ?? `HTTP_${status}`, e?.message ?? `websocket refused (HTTP ${status})`))
      })
    })
    ws.on('error', (err) => this.finish(new ConnectionError(serverUrl, reasonOf(err))))
    ws.on('close', (code, reason) => {
      // 1000 normal, 1001 going away (shutdown; an `end` frame said so), 1005 no code.
      if (code === 1000 || code === 1001 || code === 1005) this.finish(null)
      else this.finish(new Error(`the server closed the results connection (${code}${reason.length > 0 ? `: ${reason.toString()}` : ''})`))
    })
  }

  /** Stops reading: frames not yet consumed are dropped. */
  close(): void {
    this.queue.length = 0
    this.finish(null)
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate()
  }

  private finish(err: Error | null): void {
    if (this.done) return
    this.done = true
    this.failure = err
    this.notify()
  }

  private notify(): void {
    const w = this.wake
    this.wake = null
    w?.()
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ResultFrame> {
    for (;;) {
      const f = this.queue.shift()
      if (f) {
        yield f
        if (f.type === 'end') return
        continue
      }
      if (this.done) {
        if (this.failure) throw this.failure
        return
      }
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

interface ErrorFields {
  code: string
  message: string
  line?: number
  column?: number
  statementIndex?: number
}

function errorOf(body: unknown): ErrorFields | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined
  const e = body.error
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)
  return {
    code: typeof e.code === 'string' ? e.code : 'ERROR',
    message: typeof e.message === 'string' ? e.message : JSON.stringify(e),
    line: num(e.line), column: num(e.column), statementIndex: num(e.statementIndex),
  }
}
