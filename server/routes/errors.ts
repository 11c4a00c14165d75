/**
 * One mapping from errors to HTTP answers, shared by the routes and the websocket upgrade:
 * WeirError domains (user → 4xx, external → 502/503, internal → 500) and fastify's own errors
 * (bad JSON, too large, validation, unknown route) in the same `{"error": {…}}` shape.
 */
import { WeirError } from '../../runtime/errors.ts'

export interface ErrorBody {
  readonly code: string
  readonly message: string
  readonly line?: number
  readonly column?: number
  readonly [extra: string]: unknown
}

export interface HttpError {
  readonly status: number
  readonly body: { readonly error: ErrorBody }
}

/** fastify's error codes → ours. */
const FASTIFY_CODES: Readonly<Record<string, { code: string; status: number }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'INVALID_REQUEST', status: 415 },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_REQUEST', status: 400 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_REQUEST', status: 400 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'INVALID_REQUEST', status: 400 },
  FST_ERR_VALIDATION: { code: 'INVALID_REQUEST', status: 400 },
  FST_ERR_NOT_FOUND: { code: 'NOT_FOUND', status: 404 },
}

interface FastifyLikeError {
  readonly code?: unknown
  readonly statusCode?: unknown
  readonly message?: unknown
}

/**
 * Statuses of user errors raised without one (SQL errors carry a position, not a status), as
 * docs/errors.md lists them.
 */
const USER_STATUS: Readonly<Record<string, number>> = {
  UNKNOWN_QUERY: 404, ALREADY_EXISTS: 409, IN_USE: 409, INCOMPATIBLE_RESTART: 409,
  UNAUTHORIZED: 401, PAYLOAD_TOO_LARGE: 413, LIMIT_EXCEEDED: 429,
}

export function statusOf(err: WeirError): number {
  if (err.status !== undefined) return err.status
  switch (err.domain) {
    case 'user':
      return USER_STATUS[err.code] ?? 400
    case 'external':
      return err.retryable ? 503 : 502
    case 'internal':
      return 500
  }
}

/** The answer for any thrown value; `internal` is true when it is the server's own fault (log it). */
export function toHttpError(err: unknown): HttpError & { internal: boolean } {
  if (err instanceof WeirError) {
    const status = statusOf(err)
    return { status, body: { error: err.toJSON() }, internal: status >= 500 }
  }
  if (typeof err === 'object' && err !== null) {
    const e = err as FastifyLikeError
    const mapped = typeof e.code === 'string' ? FASTIFY_CODES[e.code] : undefined
    const message = typeof e.message === 'string' ? e.message.replace(/^body\//, 'body.') : 'invalid request'
    if (mapped) return { status: mapped.status, body: { error: { code: mapped.code, message } }, internal: false }
    if (err instanceof SyntaxError) return { status: 400, body: { error: { code: 'INVALID_REQUEST', message } }, internal: false }
    const sc = typeof e.statusCode === 'number' ? e.statusCode : 500
    if (sc >= 400 && sc < 500) return { status: sc, body: { error: { code: 'INVALID_REQUEST', message } }, internal: false }
  }
  return { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'internal server error' } }, internal: true }
}

export function limitExceeded(message: string): WeirError {
  return new WeirError('LIMIT_EXCEEDED', message, { status: 429 })
}

export function unauthorized(): WeirError {
  return new WeirError('UNAUTHORIZED', 'missing or wrong bearer token (Authorization: Bearer <token>)', { status: 401 })
}
