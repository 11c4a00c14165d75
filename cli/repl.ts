/**
 * The interactive session: readline editing with history and tab completion, statements over
 * several lines until `;` (the prompt shows `weir=>`, then `weir->`, or `weir'>` inside a
 * string, `weir">` inside a quoted name, `weir*>` inside a comment), backslash commands.
 *
 * Each prompt gets a fresh readline interface, closed while a statement runs: the keyboard is
 * then read raw, and Ctrl-C interrupts the statement (a push query is stopped on the server)
 * instead of editing a line. At the prompt, Ctrl-C drops the pending input; a second Ctrl-C on
 * an empty line, Ctrl-D or `\q` ends the session.
 */
import { createInterface } from 'node:readline'
import { runCommand, type CommandContext } from './commands.ts'
import type { Completer } from './completion.ts'
import { HISTORY_SIZE, type History } from './history.ts'
import { runStatement } from './statement-runner.ts'
import { StatementSplitter, type LexState } from './statement-splitter.ts'

type ReadResult = { kind: 'line'; text: string } | { kind: 'interrupt'; line: string } | { kind: 'eof' }

const MARKERS: Readonly<Record<LexState, string>> = { 'none': '-', 'single-quote': "'", 'double-quote': '"', 'block-comment': '*' }

export function promptFor(splitter: StatementSplitter): string {
  return splitter.hasPending ? `weir${MARKERS[splitter.lexState]}> ` : 'weir=> '
}

function readLine(prompt: string, history: History, completer: Completer): Promise<ReadResult> {
  return new Promise((resolve) => {
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      history: history.entries,
      historySize: HISTORY_SIZE,
      tabSize: 4,
      completer: (line: string, cb: (err: null, result: [string[], string]) => void) => {
        completer.complete(line).then((r) => cb(null, r), () => cb(null, [[], line]))
      },
    })
    let done = false
    const finish = (r: ReadResult): void => {
      if (done) return
      done = true
      rl.close()
      resolve(r)
    }
    rl.on('line', (text) => finish({ kind: 'line', text }))
    rl.on('SIGINT', () => {
      const line = rl.line
      process.stdout.write('^C\n')
      finish({ kind: 'interrupt', line })
    })
    rl.on('close', () => finish({ kind: 'eof' }))
    rl.setPrompt(prompt)
    rl.prompt()
  })
}

/** While a statement runs: the raw keyboard's Ctrl-C goes to `ctx.interrupts`; other keys are dropped. */
async function whileRunning<T>(ctx: CommandContext, f: () => Promise<T>): Promise<T> {
  const stdin = process.stdin
  const onData = (data: Buffer): void => {
    if (data.includes(0x03)) ctx.interrupts.fire()
  }
  if (stdin.isTTY) stdin.setRawMode(true)
  stdin.on('data', onData)
  stdin.resume()
  try {
    return await f()
  } finally {
    stdin.off('data', onData)
    stdin.pause()
    if (stdin.isTTY) stdin.setRawMode(false)
  }
}

/** Runs the session; resolves with the exit status. */
export async function repl(ctx: CommandContext, history: History, completer: Completer): Promise<number> {
  const splitter = new StatementSplitter()
  let pending: string[] = []
  let interruptedOnce = false
  // Between statements the terminal is briefly not raw: a Ctrl-C there must not kill the client.
  const onSignal = (): void => void ctx.interrupts.fire()
  process.on('SIGINT', onSignal)
  try {
    for (;;) {
      const r = await readLine(promptFor(splitter), history, completer)
      if (r.kind === 'eof') {
        process.stdout.write('\n')
        return 0
      }
      if (r.kind === 'interrupt') {
        if (r.line !== '' || splitter.hasPending) {
          splitter.reset()
          pending = []
          interruptedOnce = false
        } else if (interruptedOnce) {
          return 0
        } else {
          interruptedOnce = true
          ctx.term.error('(press Ctrl-C again to quit, or type \\q)')
        }
        continue
      }
      interruptedOnce = false
      pending.push(r.text)
      const items = splitter.pushLine(r.text)
      if (items.length === 0) {
        if (!splitter.hasPending) pending = []
        continue
      }
      history.add(pending)
      pending = splitter.hasPending ? [r.text] : []
      for (const item of items) {
        const outcome = await whileRunning(ctx, () =>
          item.kind === 'command' ? runCommand(ctx, item.text) : runStatement(ctx, { text: item.text, line: item.line }))
        if (outcome === 'quit') return 0
      }
    }
  } finally {
    process.off('SIGINT', onSignal)
    history.save()
  }
}
