/**
 * The one error type of Weir. Every error has a stable `code` (listed in docs/errors.md), a
 * domain that decides how the server reports it, and a retry hint.
 *
 * - `user`: the user's input is wrong (SQL, options, rows). HTTP 4xx. Retrying the same input fails again.
 * - `external`: a system outside Weir failed (broker, disk, network). HTTP 502/503. Retrying may help.
 * - `internal`: a bug in Weir. HTTP 500.
 */
export type ErrorDomain = 'user' | 'external' | 'internal'

export interface ErrorPosition {
  /** 1-based line in the user's original statement text. */
  readonly line: number
  /** 1-based column in the user's original statement text. */
  readonly column: number
}

export interface WeirErrorOptions {
  readonly domain?: ErrorDomain
  readonly position?: ErrorPosition | undefined
  readonly retryable?: boolean
  readonly cause?: unknown
  /** HTTP status override, e.g. 404 for unknown objects, 409 for conflicts, 429 for limits. */
  readonly status?: number
}

export class WeirError extends Error {
  readonly code: string
  readonly domain: ErrorDomain
  readonly position: ErrorPosition | undefined
  readonly retryable: boolean
  readonly status: number | undefined

  constructor(code: string, message: string, options: WeirErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'WeirError'
    this.code = code
    this.domain = options.domain ?? 'user'
    this.position = options.position
    this.retryable = options.retryable ?? this.domain === 'external'
    this.status = options.status
  }

  toJSON(): { code: string; message: string; line?: number; column?: number } {
    const out: { code: string; message: string; line?: number; column?: number } = {
      code: this.code,
      message: this.message,
    }
    if (this.position) {
      out.line = this.position.line
      out.column = this.position.column
    }
    return out
  }
}

/** A user error at a position in the SQL text. */
export function sqlError(code: string, message: string, position?: ErrorPosition): WeirError {
  return new WeirError(code, message, { domain: 'user', position })
}

export function internalError(message: string, cause?: unknown): WeirError {
  return new WeirError('INTERNAL_ERROR', message, { domain: 'internal', cause })
}

export function assertNever(value: never, what = 'value'): never {
  throw internalError(`unhandled ${what}: ${JSON.stringify(value)}`)
}
