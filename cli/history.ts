/**
 * Persistent history of interactive sessions: one entry per line in `~/.weir_history` (or
 * `$WEIR_HISTORY`; empty: none), oldest first, as shells write theirs. A statement typed over
 * several lines is kept as one entry, its lines joined by spaces, unless a `--` comment would
 * swallow the rest: then its lines stay separate entries.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const HISTORY_SIZE = 1000

export function historyPath(env: Readonly<Record<string, string | undefined>>): string | null {
  const p = env.WEIR_HISTORY
  if (p !== undefined) return p === '' ? null : p
  return join(homedir(), '.weir_history')
}

export class History {
  /** Newest first, as node's readline keeps it (and mutates it). */
  readonly entries: string[]
  private failed = false

  constructor(private readonly path: string | null, private readonly warn: (line: string) => void) {
    let lines: string[] = []
    if (path) {
      try {
        lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '')
      } catch {
        // No history yet.
      }
    }
    this.entries = lines.slice(-HISTORY_SIZE).reverse()
  }

  /** Records a finished input (one line, or the lines of one statement). */
  add(lines: readonly string[]): void {
    const kept = lines.map((l) => l.trim()).filter((l) => l !== '')
    if (kept.length === 0) return
    const entry = kept.length > 1 && !kept.some((l) => l.includes('--')) ? [kept.join(' ')] : kept
    // readline already added each line as it was typed: replace those with the entry.
    for (const l of [...kept].reverse()) {
      if (this.entries[0] === l) this.entries.shift()
    }
    for (const e of entry) {
      if (this.entries[0] !== e) this.entries.unshift(e)
    }
    this.entries.length = Math.min(this.entries.length, HISTORY_SIZE)
    this.append(entry)
  }

  private append(entry: readonly string[]): void {
    if (!this.path || this.failed) return
    try {
      appendFileSync(this.path, entry.map((e) => e.replace(/\n/g, ' ') + '\n').join(''), { mode: 0o600 })
    } catch (err) {
      this.failed = true
      this.warn(`weir: cannot write history to ${this.path}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  /** Rewrites the file with the newest entries only (called on exit), so it does not grow forever. */
  save(): void {
    if (!this.path || this.failed) return
    try {
      writeFileSync(this.path, [...this.entries].reverse().map((e) => e + '\n').join(''), { mode: 0o600 })
    } catch {
      // Appending already reported the problem.
    }
  }
}
