/**
 * Where the program writes, and what it knows about the terminal. Tests give a fake; the
 * program uses `processTerminal()`.
 */
import type { Format } from './render.ts'

export interface Terminal {
  /** Writes to stdout as is (no newline added). */
  write(text: string): void
  /** Writes a line to stderr. */
  error(line: string): void
  /** True when people watch stdout: the live, redrawn view and colours are used. */
  readonly tty: boolean
  readonly color: boolean
  /** Cells per line; null when stdout is not a terminal (no truncation). */
  width(): number | null
  /** Lines on screen; null when stdout is not a terminal. */
  height(): number | null
  /** Calls `f` when the terminal is resized; returns the unsubscribe function. */
  onResize(f: () => void): () => void
}

export function processTerminal(): Terminal {
  const out = process.stdout
  const tty = out.isTTY === true
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ''
  return {
    write: (text) => void out.write(text),
    error: (line) => void process.stderr.write(line + '\n'),
    tty,
    color: tty && !noColor && process.env.TERM !== 'dumb',
    width: () => (tty ? out.columns || 80 : null),
    height: () => (tty ? out.rows || 24 : null),
    onResize: (f) => {
      out.on('resize', f)
      return () => void out.off('resize', f)
    },
  }
}

/** Settings of one client session: `\set`, `SET`, `\timing`, `\x` and the command-line flags. */
export interface Session {
  /** Session options sent with every `POST /v1/sql` (SET 'output_mode' = 'update', …). */
  readonly options: Record<string, string>
  timing: boolean
  expanded: boolean
  format: Format
  /** Push queries stop after this many rows (--max-rows). */
  maxRows: number | null
  /** Push queries stop after this many milliseconds (--timeout). */
  timeoutMs: number | null
  /** Statement outcomes (CREATE …, INSERT …) are not printed (-q). */
  quiet: boolean
  /** True at the interactive prompt (the live view is used when stdout is a terminal). */
  interactive: boolean
}

export function newSession(init: Partial<Session> = {}): Session {
  return {
    options: {}, timing: false, expanded: false, format: 'table', maxRows: null, timeoutMs: null, quiet: false,
    interactive: false, ...init,
  }
}

/**
 * Ctrl-C while a statement runs: the REPL feeds it from the raw keyboard, the non-interactive
 * program from SIGINT. Listeners run most recent first; the first that handles it wins.
 */
export class Interrupts {
  private readonly listeners: (() => boolean)[] = []

  /** `f` returns true when it handled the interrupt. */
  on(f: () => boolean): () => void {
    this.listeners.unshift(f)
    return () => {
      const i = this.listeners.indexOf(f)
      if (i >= 0) this.listeners.splice(i, 1)
    }
  }

  /** True when a listener handled it. */
  fire(): boolean {
    return this.listeners.some((f) => f())
  }
}
