/**
 * `weir`: the terminal client (SPEC §5). Interactive when stdin is a terminal and no -c/-f is
 * given; otherwise it runs the input, prints plain results and exits non-zero on the first error.
 */
import { readFileSync } from 'node:fs'
import { HELP, parseArgs, UsageError, type CliArgs } from './args.ts'
import type { CommandContext } from './commands.ts'
import { Completer } from './completion.ts'
import { History, historyPath } from './history.ts'
import { repl } from './repl.ts'
import { runFile, runScript } from './script.ts'
import { errorPrinter } from './statement-runner.ts'
import { Interrupts, newSession, processTerminal, type Terminal } from './terminal.ts'
import { ApiError, ConnectionError, WeirClient } from './weir-client.ts'

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** Exits once stdout has been flushed (a pipe is written asynchronously). */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code))
}

async function main(): Promise<number> {
  let args: CliArgs
  try {
    args = parseArgs(process.argv.slice(2), process.env)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`weir: ${err.message}\nTry "weir --help".\n`)
    return 2
  }
  if (args.help) {
    process.stdout.write(HELP)
    return 0
  }
  if (args.version) {
    process.stdout.write(`weir ${version()}\n`)
    return 0
  }

  const base = processTerminal()
  const term: Terminal = args.color === false ? { ...base, color: false } : base
  const interactive = args.inputs.length === 0 && process.stdin.isTTY === true
  const session = newSession({
    options: { ...args.options }, format: args.format, maxRows: args.maxRows, timeoutMs: args.timeoutMs,
    quiet: args.quiet, expanded: args.expanded, timing: args.timing, interactive,
  })
  const client = new WeirClient(args.url, args.token)
  const interrupts = new Interrupts()
  const flags = { unreachable: false }
  const completer = new Completer({
    names: async () => {
      const c = await client.catalog()
      const all = [...c.streams, ...c.tables, ...c.sinks]
      return { objects: all.map((r) => r.name), columns: [...new Set(all.flatMap((r) => (r.columns ?? []).map((x) => x.name)))] }
    },
    queries: async () => (await client.queries()).filter((q) => q.status === 'running').flatMap((q) => (q.name ? [q.id, q.name] : [q.id])),
  })
  const ctx: CommandContext = {
    client, term, session, interrupts, flags,
    printError: errorPrinter({ term, flags }),
    onCatalogChange: () => completer.invalidate(),
    runFile: (path) => runFile(ctx, path),
  }

  if (!interactive) {
    // Ctrl-C stops a running push query (the run goes on); anything else ends the program.
    process.on('SIGINT', () => {
      if (!interrupts.fire()) exit(130)
    })
    let outcome: boolean | 'quit' = true
    if (args.inputs.length === 0) outcome = await runFile(ctx, '-')
    for (const input of args.inputs) {
      outcome = input.kind === 'command' ? await runScript(ctx, input.sql) : await runFile(ctx, input.path)
      if (outcome !== true) break
    }
    if (outcome === false) return flags.unreachable ? 2 : 1
    return 0
  }

  try {
    await client.catalog()
  } catch (err) {
    if (err instanceof ConnectionError) {
      term.error(`weir: ${err.message}`)
      return 2
    }
    if (err instanceof ApiError && err.status === 401) {
      term.error(`weir: ${client.url}: ${err.message} (use --token or WEIR_AUTH_TOKEN)`)
      return 2
    }
    ctx.printError(err)
  }
  term.write(`weir ${version()}, connected to ${client.url}. Type \\? for help, \\q to quit.\n`)
  const history = new History(historyPath(process.env), (line) => term.error(line))
  return repl(ctx, history, completer)
}

main().then(exit, (err: unknown) => {
  process.stderr.write(`weir: ${err instanceof Error ? err.message : String(err)}\n`)
  exit(1)
})
