/**
 * date_trunc and EXTRACT over TIMESTAMP values (UTC epoch milliseconds). Fixed-size units use
 * floor arithmetic, so times before 1970 truncate downwards too; calendar units go through
 * Date's UTC fields. Results outside Date's range are NULL.
 */
export type TimeFn = (t: number) => number | null

const SECOND = 1000
const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000

const mod = (a: number, n: number): number => ((a % n) + n) % n
const floorTo = (unit: number): TimeFn => (t) => t - mod(t, unit)
const valid = (t: number): number | null => (Number.isNaN(t) ? null : t)

// Calendar truncation: set the smaller fields to their start on the date itself (Date.UTC maps
// years 0–99 to 1900–1999, setters do not).
function calendar(monthOf: (month: number) => number | null): TimeFn {
  return (t) => {
    const d = new Date(t - mod(t, DAY))
    if (Number.isNaN(d.getTime())) return null
    const month = monthOf(d.getUTCMonth())
    if (month !== null) d.setUTCMonth(month, 1)
    else d.setUTCDate(1)
    return valid(d.getTime())
  }
}

/** date_trunc by unit (the binder validates units; an unknown one here is a bug). */
export const DATE_TRUNC: Readonly<Record<string, TimeFn>> = {
  millisecond: (t) => Math.floor(t),
  second: floorTo(SECOND),
  minute: floorTo(MINUTE),
  hour: floorTo(HOUR),
  day: floorTo(DAY),
  // ISO weeks start on Monday; 1970-01-01 was a Thursday (Monday-based index 3).
  week: (t) => {
    const day = Math.floor(t / DAY)
    return (day - mod(day + 3, 7)) * DAY
  },
  month: calendar(() => null),
  quarter: calendar((m) => m - (m % 3)),
  year: calendar(() => 0),
}

function field(get: (d: Date) => number): TimeFn {
  return (t) => {
    const d = new Date(t)
    return valid(get(d))
  }
}

/** EXTRACT by field: second and epoch carry milliseconds as a fraction; dow is 0 for Sunday. */
export const EXTRACT: Readonly<Record<string, TimeFn>> = {
  year: field((d) => d.getUTCFullYear()),
  quarter: field((d) => Math.floor(d.getUTCMonth() / 3) + 1),
  month: field((d) => d.getUTCMonth() + 1),
  day: field((d) => d.getUTCDate()),
  hour: (t) => Math.floor(mod(t, DAY) / HOUR),
  minute: (t) => Math.floor(mod(t, HOUR) / MINUTE),
  second: (t) => mod(t, MINUTE) / SECOND,
  millisecond: (t) => mod(t, MINUTE),
  dow: field((d) => d.getUTCDay()),
  doy: field((d) => {
    const start = new Date(d.getTime())
    start.setUTCMonth(0, 1)
    start.setUTCHours(0, 0, 0, 0)
    return Math.floor((d.getTime() - start.getTime()) / DAY) + 1
  }),
  epoch: (t) => t / SECOND,
}

/** For a unit or field that is not a literal: look it up per row; unknown names give NULL. */
export function dateTruncDynamic(unit: string, t: number): number | null {
  const f = timeFunction(DATE_TRUNC, unit.toLowerCase().replace(/s$/, ''))
  return f === undefined ? null : f(t)
}

export function extractDynamic(name: string, t: number): number | null {
  const f = timeFunction(EXTRACT, name.toLowerCase().replace(/s$/, ''))
  return f === undefined ? null : f(t)
}

/** Own entries only: a unit named `constructor` must not find Object's. */
export function timeFunction(table: Readonly<Record<string, TimeFn>>, name: string): TimeFn | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined
}
