/**
 * Durations written as text: `'10 minutes'`, `'5 s'`, `'1h'`, `'250ms'` (Spark's window
 * arguments, trigger intervals, session options).
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
}

/** Milliseconds, or null when the text is not a duration. Several parts add up: `'1 hour 30 minutes'`. */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase().replace(/^interval\s+/, '')
  if (s === '') return null
  const part = /(-?\d+(?:\.\d+)?)\s*([a-z]+)\s*/y
  let total = 0
  let pos = 0
  while (pos < s.length) {
    part.lastIndex = pos
    const m = part.exec(s)
    if (!m) return null
    const unit = UNIT_MS[m[2]!]
    if (unit === undefined) return null
    total += Number(m[1]) * unit
    pos = part.lastIndex
  }
  return Math.round(total)
}

/** Shortest exact text for a duration: `5s`, `1m`, `90s`, `250ms`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}
