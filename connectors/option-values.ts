/**
 * Typed reads of connector options (`WITH (…)` values are text). `validateOptions` has already
 * checked each value's shape against its declaration; these helpers convert, apply defaults,
 * and throw INVALID_OPTION for what a shape check cannot see (an unknown duration unit).
 */
import { invalidOption, type ConnectorOptions } from './connector.ts'

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
}

/** Milliseconds of `'10s'`, `'5 minutes'`, `'1 hour 30 minutes'`; null when not a duration. */
export function parseDurationMs(text: string): number | null {
  const s = text.trim().toLowerCase()
  if (s === '') return null
  const part = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/y
  let total = 0
  let pos = 0
  while (pos < s.length) {
    part.lastIndex = pos
    const m = part.exec(s)
    const unit = m ? UNIT_MS[m[2]!] : undefined
    if (!m || unit === undefined) return null
    total += Number(m[1]) * unit
    pos = part.lastIndex
  }
  return Math.round(total)
}

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
