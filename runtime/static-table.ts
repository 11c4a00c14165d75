/**
 * Static tables for stream-static joins: where their rows come from (`StaticTableProvider`, one
 * per connector: embedded tables now, files later) and when a query sees a new version
 * (`StaticTable`).
 *
 * A query loads each static table when it starts and keeps that version (the join hashes it
 * once) until a refresh is due: with a refresh interval, the batch planned at or after
 * `loadedAt + interval` reloads it first, and that batch and the following ones use the new
 * version. Each batch's versions are recorded in the offset log; a batch re-run after a crash
 * asks the provider for exactly the logged version.
 *
 * WARNING: a provider that keeps only its current contents (embedded tables) cannot give back an
 * older version: if the table changed between the crash and the restart, the re-run batch uses
 * the current contents (`pin` returns false, and the executor reports it).
 */
import { internalError } from './errors.ts'
import type { Row } from './types.ts'

export interface StaticTableSnapshot {
  /** Names the contents: equal versions of one table have equal rows. */
  readonly version: string
  /** The rows; never mutated by the runtime. */
  readonly rows: Row[]
}

export interface StaticTableProvider {
  /** For progress and errors, e.g. `embedded table users`. */
  readonly description: string
  /** The current contents. */
  load(): Promise<StaticTableSnapshot>
  /** An earlier version if the provider still has it, else null. */
  loadVersion(version: string): Promise<StaticTableSnapshot | null>
}

export class StaticTable {
  private snapshot: StaticTableSnapshot | null = null
  private loadedAt = 0

  /** `refreshIntervalMs` null: load once per query start. */
  constructor(
    readonly name: string,
    private readonly provider: StaticTableProvider,
    readonly refreshIntervalMs: number | null,
  ) {}

  get version(): string {
    return this.current().version
  }

  /** The rows of the version in use: the same array until the version changes. */
  get rows(): Row[] {
    return this.current().rows
  }

  async load(now: number): Promise<void> {
    this.use(await this.provider.load(), now)
  }

  /** Reloads when the refresh interval has passed; true when the version changed. */
  async refreshIfDue(now: number): Promise<boolean> {
    if (this.snapshot !== null && (this.refreshIntervalMs === null || now < this.loadedAt + this.refreshIntervalMs)) return false
    const before = this.snapshot?.version
    this.use(await this.provider.load(), now)
    return before !== this.snapshot!.version
  }

  /** Uses exactly `version` (a re-run batch); false when the provider no longer has it. */
  async pin(version: string, now: number): Promise<boolean> {
    if (this.snapshot?.version === version) return true
    const exact = await this.provider.loadVersion(version)
    if (exact !== null) {
      this.use(exact, now)
      return true
    }
    if (this.snapshot === null) await this.load(now)
    return false
  }

  private use(snapshot: StaticTableSnapshot, now: number): void {
    // Keep the old array when nothing changed, so the join does not hash it again.
    if (this.snapshot === null || this.snapshot.version !== snapshot.version) this.snapshot = snapshot
    this.loadedAt = now
  }

  private current(): StaticTableSnapshot {
    if (this.snapshot === null) throw internalError(`static table ${this.name} used before it was loaded`)
    return this.snapshot
  }
}
