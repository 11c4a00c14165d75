/**
 * Typed reads of connector options (`WITH (…)` values are text). `validateOptions` has already
 * checked each value's shape against its declaration; these helpers convert, apply defaults,
 * and throw INVALID_OPTION for what a shape check cannot see (an unknown duration unit).
 */
import { invalidOption, type ConnectorOptions } from './connector.ts'
import { parseDuration } from '../runtime/duration.ts'

/** Milliseconds of `'10s'`, `'5 minutes'`, `'1 hour 30 minutes'`; null when not a duration. */
export const parseDurationMs = parseDuration

export function durationOption(options: ConnectorOptions, name: string, fallback: number): number
export function durationOption(options: ConnectorOptions, name: string, fallback: null): number | null
export function durationOption(options: ConnectorOptions, name: string, fallback: number | null): number | null {
  const text = options[name]
  if (text === undefined) return fallback
  const ms = parseDurationMs(text)
  if (ms === null || ms <= 0) throw invalidOption(`option ${name} must be a positive duration such as '10s' or '5 minutes', not '${text}'`)
  return ms
}

export function intOption(options: ConnectorOptions, name: string, fallback: number): number
export function intOption(options: ConnectorOptions, name: string, fallback: null): number | null
export function intOption(options: ConnectorOptions, name: string, fallback: number | null): number | null {
  const text = options[name]
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n <= 0) throw invalidOption(`option ${name} must be a positive whole number, not '${text}'`)
  return n
}

export function boolOption(options: ConnectorOptions, name: string, fallback: boolean): boolean {
  const text = options[name]
  if (text === undefined) return fallback
  const t = text.toLowerCase()
  if (t !== 'true' && t !== 'false') throw invalidOption(`option ${name} must be 'true' or 'false', not '${text}'`)
  return t === 'true'
}

export function enumOption<T extends string>(options: ConnectorOptions, name: string, values: readonly T[], fallback: T): T {
  const text = options[name]
  if (text === undefined) return fallback
  const v = values.find((x) => x === text.toLowerCase())
  if (v === undefined) throw invalidOption(`option ${name} must be one of ${values.map((x) => `'${x}'`).join(', ')}, not '${text}'`)
  return v
}
