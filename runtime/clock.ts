/** Processing time. Tests use a `ManualClock` so no test sleeps. */
export interface Clock {
  now(): number
}

export class ManualClock implements Clock {
  constructor(private time = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.time
  }
  advance(ms: number): void {
    this.time += ms
  }
}

export const systemClock: Clock = { now: () => Date.now() }
