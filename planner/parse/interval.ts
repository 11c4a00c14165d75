/**
 * Interval literals to milliseconds. Accepts `'5' SECOND` (unit outside the string) and
 * `'10 minutes'` / `'1 hour 30 minutes'` (units inside), singular or plural. Months and years
 * have no fixed length, so they are rejected rather than guessed.
 */
const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['millisecond', 1], ['milliseconds', 1], ['ms', 1],
  ['second', 1000], ['seconds', 1000], ['sec', 1000], ['secs', 1000], ['s', 1000],
  ['minute', 60_000], ['minutes', 60_000], ['min', 60_000], ['mins', 60_000],
  ['hour', 3_600_000], ['hours', 3_600_000], ['h', 3_600_000],
  ['day', 86_400_000], ['days', 86_400_000], ['d', 86_400_000],
  ['week', 604_800_000], ['weeks', 604_800_000],
])

/** Units that a SQL interval may name but we cannot convert to a fixed duration. */
const VARIABLE_UNITS = new Set(['month', 'months', 'year', 'years', 'mon', 'mons', 'quarter', 'decade', 'century'])

// Only full unit names may follow the literal: `INTERVAL '5' s` would otherwise swallow an alias.
const FIELD_UNITS = new Set([
  'millisecond', 'milliseconds', 'second', 'seconds', 'minute', 'minutes', 'hour', 'hours', 'day', 'days', 'week', 'weeks',
])

/** Whether `word` names an interval unit we know, fixed or not (for the pre-processor). */
export function isIntervalUnit(word: string): boolean {
  const w = word.toLowerCase()
  return FIELD_UNITS.has(w) || VARIABLE_UNITS.has(w)
}

export type IntervalResult = { ok: true; ms: number } | { ok: false; message: string; unsupported: boolean }

/**
 * `value` is the literal's content (string or number as written); `unit` the word after it, or
 * null when the unit is inside the string.
 */
export function intervalMs(value: string, unit: string | null): IntervalResult {
  const bad = (message: string, unsupported = false): IntervalResult => ({ ok: false, message, unsupported })
  if (unit !== null) {
    const u = unit.toLowerCase()
    if (VARIABLE_UNITS.has(u)) return bad(`interval unit ${unit.toUpperCase()} is not supported (months and years have no fixed length)`, true)
    const per = UNIT_MS.get(u)
    if (per === undefined) return bad(`unknown interval unit "${unit}"`)
    const n = Number(value.trim())
    if (value.trim() === '' || !Number.isFinite(n)) return bad(`invalid interval value "${value}"`)
    return { ok: true, ms: n * per }
  }
  const parts = value.trim().toLowerCase().match(/[-+]?(?:\d+\.?\d*|\.\d+)\s*[a-z]+/g)
  const rest = value.trim().toLowerCase().replace(/[-+]?(?:\d+\.?\d*|\.\d+)\s*[a-z]+/g, '').trim()
  if (parts === null || rest !== '') return bad(`invalid interval "${value}": write e.g. INTERVAL '10 minutes' or INTERVAL '5' SECOND`)
  let ms = 0
  for (const part of parts) {
    const m = /^([-+]?(?:\d+\.?\d*|\.\d+))\s*([a-z]+)$/.exec(part)
    if (m === null) return bad(`invalid interval "${value}"`)
    const one = intervalMs(m[1] as string, m[2] as string)
    if (!one.ok) return one
    ms += one.ms
  }
  return { ok: true, ms }
}
