/** Backslash commands (`\?` lists them). */
import { describeAll, describeOne, listQueries } from './describe.ts'
import { errorPrinter, type RunContext } from './statement-runner.ts'

export interface CommandContext extends RunContext {
  /** Runs a file of statements and commands (`\i`, `-f`); stops at the first error. */
  readonly runFile: (path: string) => Promise<CommandOutcome>
}

/** `quit` ends the session; otherwise whether the command succeeded. */
export type CommandOutcome = 'quit' | boolean

export const COMMANDS: readonly { readonly name: string; readonly args: string; readonly help: string }[] = [
  { name: '\\?', args: '', help: 'show this help' },
  { name: '\\q', args: '', help: 'quit (also Ctrl-D, or Ctrl-C twice on an empty line)' },
  { name: '\\d', args: '[NAME]', help: 'list streams, tables and sinks, or describe one (schema, options, watermark, queries)' },
  { name: '\\queries', args: '', help: 'list queries with their status and latest progress' },
  { name: '\\stop', args: 'ID', help: 'stop a query (DELETE /v1/queries/ID)' },
  { name: '\\timing', args: '[on|off]', help: 'show how long each statement takes' },
  { name: '\\x', args: '[on|off]', help: 'expanded display: one line per column' },
  { name: '\\i', args: 'FILE', help: 'run the statements and commands in FILE' },
  { name: '\\set', args: '[NAME [VALUE]]', help: "list session options, or set one (as SET 'NAME' = 'VALUE')" },
  { name: '\\unset', args: 'NAME', help: 'remove a session option' },
  { name: '\\format', args: 'table|json|csv', help: 'output format of results' },
  { name: '\\conninfo', args: '', help: 'show the server URL' },
]

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.args}`.length))
  return [
    'Backslash commands:',
    ...COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.padEnd(width)}  ${c.help}`),
    '',
    'SQL statements end with ";" and may span lines. A push query (SELECT … EMIT …, or a SELECT',
    'over a stream) shows its results live until Ctrl-C, which stops it on the server.',
    "Session options: SET 'output_mode' = 'update'; SET 'trigger' = '5 seconds'; … (see \\set)",
  ].join('\n')
}

/** Splits `\cmd arg1 'arg 2'` into words (single or double quotes group). */
export function commandWords(text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/'((?:[^']|'')*)'|"((?:[^"]|"")*)"|(\S+)/g)) {
    out.push(m[1]?.replace(/''/g, "'") ?? m[2] ?? m[3]!)
  }
  return out
}

function toggle(current: boolean, arg: string | undefined): boolean | null {
  if (arg === undefined) return !current
  if (/^(on|true|1|yes)$/i.test(arg)) return true
  if (/^(off|false|0|no)$/i.test(arg)) return false
  return null
}

export async function runCommand(ctx: CommandContext, text: string): Promise<CommandOutcome> {
  const [name = '', ...args] = commandWords(text)
  const { term, session, client } = ctx
  const say = (lines: string | readonly string[]): void => {
    const all = typeof lines === 'string' ? [lines] : lines
    if (all.length > 0) term.write(all.join('\n') + '\n')
  }
  const printError = errorPrinter(ctx)
  try {
    switch (name) {
      case '\\?':
      case '\\h':
      case '\\help':
        say(helpText())
        return true
      case '\\q':
      case '\\quit':
        return 'quit'
      case '\\d': {
        if (args.length === 0) {
          say(describeAll(await client.catalog(), session, term))
          return true
        }
        const [catalog, queries] = await Promise.all([client.catalog(), client.queries()])
        const lines = describeOne(args[0]!, catalog, queries, term)
        if (!lines) {
          term.error(`\\d: no stream, table or sink named "${args[0]}"`)
          return false
        }
        say(lines)
        return true
      }
      case '\\queries':
        say(listQueries(await client.queries(), session, term))
        return true
      case '\\stop': {
        if (args.length === 0) return usage(ctx, '\\stop ID')
        for (const id of args) {
          const r = await client.stopQuery(id)
          say(`query ${r.id} ${r.status}`)
        }
        return true
      }
      case '\\timing':
      case '\\x': {
        const key = name === '\\timing' ? 'timing' : 'expanded'
        const next = toggle(session[key], args[0])
        if (next === null) return usage(ctx, `${name} [on|off]`)
        session[key] = next
        say(`${name === '\\timing' ? 'Timing' : 'Expanded display'} is ${next ? 'on' : 'off'}.`)
        return true
      }
      case '\\i':
      case '\\include':
        if (args.length !== 1) return usage(ctx, '\\i FILE')
        return await ctx.runFile(args[0]!)
      case '\\set': {
        if (args.length === 0) {
          const entries = Object.entries(session.options)
          say(entries.length === 0 ? 'No session options set.' : entries.map(([k, v]) => `${k} = '${v}'`))
          return true
        }
        const [key, value = ''] = args
        // The server checks the option as it would a SET statement.
        const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`
        await client.sql(`SET ${quote(key!)} = ${quote(value)}`, session.options)
        session.options[key!.toLowerCase()] = value
        return true
      }
      case '\\unset':
        if (args.length !== 1) return usage(ctx, '\\unset NAME')
        delete session.options[args[0]!.toLowerCase()]
        return true
      case '\\format':
        if (args[0] !== 'table' && args[0] !== 'json' && args[0] !== 'csv') return usage(ctx, '\\format table|json|csv')
        session.format = args[0]
        say(`Output format is ${args[0]}.`)
        return true
      case '\\conninfo':
        say(`Connected to ${client.url}.`)
        return true
      default:
        term.error(`invalid command ${name}; try \\? for help`)
        return false
    }
  } catch (err) {
    printError(err)
    return false
  }
}

function usage(ctx: CommandContext, text: string): false {
  ctx.term.error(`usage: ${text}`)
  return false
}
