/** The command line of `weir` and its `--help`. */
import type { Format } from './render.ts'

export interface CliArgs {
  readonly url: string
  readonly token: string | null
  /** `-c` and `-f` in the order given; run in turn, non-interactively. */
  readonly inputs: readonly ({ readonly kind: 'command'; readonly sql: string } | { readonly kind: 'file'; readonly path: string })[]
  readonly format: Format
  readonly maxRows: number | null
  readonly timeoutMs: number | null
  readonly quiet: boolean
  readonly expanded: boolean
  readonly timing: boolean
  readonly color: boolean | null
  readonly options: Readonly<Record<string, string>>
  readonly help: boolean
  readonly version: boolean
}

export const DEFAULT_URL = 'http://127.0.0.1:8080'

export const HELP = `weir: the terminal client of the Weir streaming SQL server

Usage:
  weir [OPTION]...                 interactive session (or runs SQL piped to stdin)
  weir -c "SQL" [OPTION]...        run statements and exit
  weir -f FILE [OPTION]...         run a file of statements and exit

Connection:
      --url URL         server URL (default: $WEIR_URL, else ${DEFAULT_URL})
      --token TOKEN     bearer token (default: $WEIR_AUTH_TOKEN)

Input:
  -c, --command SQL     run SQL (one or more statements separated by ";"); repeatable
  -f, --file FILE       run the statements and backslash commands in FILE ("-": stdin); repeatable
      --set NAME=VALUE  session option sent with every statement, as SET 'NAME' = 'VALUE'; repeatable

Output:
      --format FORMAT   table (default), json (one JSON object per line) or csv
  -x, --expanded        expanded table display: one line per column
  -q, --quiet           do not print statement outcomes (CREATE …, INSERT …)
      --timing          print how long each statement took
      --no-color        no ANSI colours (also: NO_COLOR=1)

Push queries (results that stream until stopped):
      --max-rows N      stop the query after N rows (or changes) have been printed
      --timeout S       stop the query after S seconds
                        Ctrl-C stops the running push query; the stopped query is not an error.

Other:
  -h, --help            show this help and exit
      --version         show the version and exit

Environment:
  WEIR_URL, WEIR_AUTH_TOKEN   defaults of --url and --token
  WEIR_HISTORY                history file of interactive sessions (default ~/.weir_history;
                              empty: no history file)
  NO_COLOR                    no ANSI colours

Exit status: 0 on success; 1 when a statement or command failed (the first error stops a
non-interactive run); 2 for a usage error or when the server cannot be reached; 130 when
interrupted by Ctrl-C outside a push query.

Interactive sessions: type \\? for the backslash commands.
`

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

const FORMATS: readonly Format[] = ['table', 'json', 'csv']

export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliArgs {
  let url = env.WEIR_URL || DEFAULT_URL
  let token: string | null = env.WEIR_AUTH_TOKEN || null
  const inputs: CliArgs['inputs'][number][] = []
  let format: Format = 'table'
  let maxRows: number | null = null
  let timeoutMs: number | null = null
  let quiet = false
  let expanded = false
  let timing = false
  let color: boolean | null = null
  let help = false
  let version = false
  const options: Record<string, string> = {}

  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!
    let inline: string | undefined
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    if (eq > 0) {
      inline = arg.slice(eq + 1)
      arg = arg.slice(0, eq)
    }
    let used = false
    const value = (): string => {
      used = true
      if (inline !== undefined) return inline
      const v = argv[++i]
      if (v === undefined) throw new UsageError(`${arg} needs a value`)
      return v
    }
    switch (arg) {
      case '--url':
        url = value()
        break
      case '--token':
        token = value()
        break
      case '-c':
      case '--command':
        inputs.push({ kind: 'command', sql: value() })
        break
      case '-f':
      case '--file':
        inputs.push({ kind: 'file', path: value() })
        break
      case '--set': {
        const kv = value()
        const at = kv.indexOf('=')
        if (at <= 0) throw new UsageError(`--set needs NAME=VALUE, got "${kv}"`)
        options[kv.slice(0, at).trim().toLowerCase()] = kv.slice(at + 1)
        break
      }
      case '--format': {
        const f = value()
        if (!FORMATS.includes(f as Format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${f}"`)
        format = f as Format
        break
      }
      case '--max-rows': {
        const v = value()
        if (!/^\d+$/.test(v)) throw new UsageError(`--max-rows needs a whole number, got "${v}"`)
        maxRows = Number(v)
        break
      }
      case '--timeout': {
        const v = value()
        if (!/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`--timeout needs seconds, got "${v}"`)
        timeoutMs = Math.round(Number(v) * 1000)
        break
      }
      case '-q':
      case '--quiet':
        quiet = true
        break
      case '-x':
      case '--expanded':
        expanded = true
        break
      case '--timing':
        timing = true
        break
      case '--no-color':
        color = false
        break
      case '-h':
      case '--help':
        help = true
        break
      case '--version':
        version = true
        break
      case '--':
        // npx and shells pass it through; weir takes no positional arguments.
        break
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown option ${arg}` : `unexpected argument "${arg}" (SQL goes after -c)`)
    }
    if (inline !== undefined && !used) throw new UsageError(`${arg} takes no value`)
  }
  return { url, token, inputs, format, maxRows, timeoutMs, quiet, expanded, timing, color, options, help, version }
}
