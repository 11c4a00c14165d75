/**
 * Server configuration: embedded defaults, then an optional JSON config file (`--config`), then
 * the environment (`WEIR_*`), then command-line flags — each later source wins.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { WeirError } from '../runtime/errors.ts'

/** Caps that protect the server from its clients. */
export interface ServerLimits {
  /** Body limit of `POST /v1/sql` (bytes). */
  readonly sqlBodyBytes: number
  /** Body limit of `POST /v1/streams/:name/rows` (bytes). */
  readonly ingestBodyBytes: number
  /** Running queries (persistent and push) at most; more → 429 LIMIT_EXCEEDED. */
  readonly maxQueries: number
  /** Websocket subscribers at most, over all queries. */
  readonly maxSubscribers: number
  /** Bytes a subscriber may have unsent before it is coalesced (update/complete) or disconnected (append). */
  readonly subscriberBufferBytes: number
  /** Rows a slow update-mode subscriber may have pending in its coalesced frame before it is disconnected. */
  readonly subscriberCoalesceRows: number
  /** A push query without subscribers for this long is stopped (ms). */
  readonly pushIdleTimeoutMs: number
  /** Progress frames are sent at least this often while a query is idle (ms). */
  readonly progressIntervalMs: number
}

export interface ServerConfig {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  readonly authToken: string | null
  readonly fileRoots: readonly string[]
  readonly logLevel: string
  /** Worker threads decoding source files; null: one per core, up to 4 (0 on one core). */
  readonly decodeThreads: number | null
  readonly limits: ServerLimits
}

export const DEFAULT_LIMITS: ServerLimits = {
  sqlBodyBytes: 1024 * 1024,
  ingestBodyBytes: 16 * 1024 * 1024,
  maxQueries: 100,
  maxSubscribers: 1000,
  subscriberBufferBytes: 4 * 1024 * 1024,
  subscriberCoalesceRows: 100_000,
  pushIdleTimeoutMs: 30_000,
  progressIntervalMs: 2_000,
}

export const HELP = `Usage: weir-server [options]

Options (flags win over WEIR_* environment variables, which win over the config file):
  --host HOST              bind address (WEIR_HOST; default 127.0.0.1)
  --port PORT              port, 0 for a free one (WEIR_PORT; default 8080)
  --data-dir DIR           data directory (WEIR_DATA_DIR; default ./data)
  --auth-token TOKEN       require "Authorization: Bearer TOKEN" (WEIR_AUTH_TOKEN)
  --file-roots A:B         directories file connectors may use (WEIR_FILE_ROOTS; default the data dir)
  --log-level LEVEL        trace, debug, info, warn, error (WEIR_LOG_LEVEL; default info)
  --decode-threads N       worker threads decoding source files, 0 for none (WEIR_DECODE_THREADS;
                           default one per core, up to 4)
  --config FILE            JSON config file with any of the keys below
  --help                   print this help

Config file keys: host, port, dataDir, authToken, fileRoots (array), logLevel, decodeThreads, limits: {
  sqlBodyBytes, ingestBodyBytes, maxQueries, maxSubscribers, subscriberBufferBytes,
  subscriberCoalesceRows, pushIdleTimeoutMs, progressIntervalMs }
`

type Raw = Partial<Record<'host' | 'port' | 'dataDir' | 'authToken' | 'fileRoots' | 'logLevel' | 'decodeThreads', string>>

const FLAGS: Readonly<Record<string, keyof Raw | 'config'>> = {
  '--host': 'host', '--port': 'port', '--data-dir': 'dataDir', '--auth-token': 'authToken',
  '--file-roots': 'fileRoots', '--log-level': 'logLevel', '--decode-threads': 'decodeThreads', '--config': 'config',
}

const ENV: Readonly<Record<string, keyof Raw>> = {
  WEIR_HOST: 'host', WEIR_PORT: 'port', WEIR_DATA_DIR: 'dataDir', WEIR_AUTH_TOKEN: 'authToken',
  WEIR_FILE_ROOTS: 'fileRoots', WEIR_LOG_LEVEL: 'logLevel', WEIR_DECODE_THREADS: 'decodeThreads',
}

export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly config: ServerConfig }

/** Reads the configuration; throws CONFIG_ERROR with a message fit for the terminal. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): ParsedArgs {
  const flags: Raw = {}
  let configFile: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') return { help: true }
    const eq = arg.indexOf('=')
    const name = eq > 0 ? arg.slice(0, eq) : arg
    const key = FLAGS[name]
    if (!key) throw configError(`unknown option ${arg} (see --help)`)
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined) throw configError(`${name} needs a value`)
    if (key === 'config') configFile = value
    else flags[key] = value
  }
  const file = configFile === undefined ? {} : readConfigFile(resolve(cwd, configFile))
  const fromEnv: Raw = {}
  for (const [k, key] of Object.entries(ENV)) if (env[k] !== undefined && env[k] !== '') fromEnv[key] = env[k]
  const pick = (k: keyof Raw): string | undefined => flags[k] ?? fromEnv[k] ?? fileString(file, k)

  const port = Number(pick('port') ?? 8080)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw configError(`port must be 0–65535, not "${pick('port')}"`)
  const dataDir = resolve(cwd, pick('dataDir') ?? './data')
  const threadsText = pick('decodeThreads')
  const decodeThreads = threadsText === undefined ? null : Number(threadsText)
  if (decodeThreads !== null && (!Number.isInteger(decodeThreads) || decodeThreads < 0 || decodeThreads > 64)) {
    throw configError(`decode threads must be 0–64, not "${threadsText}"`)
  }
  const rootsText = flags.fileRoots ?? fromEnv.fileRoots
  const fileRoots = rootsText !== undefined
    ? rootsText.split(':').filter((r) => r !== '').map((r) => resolve(cwd, r))
    : Array.isArray(file.fileRoots) ? file.fileRoots.map((r) => resolve(cwd, String(r))) : [dataDir]
  return {
    help: false,
    config: {
      host: pick('host') ?? '127.0.0.1',
      port,
      dataDir,
      authToken: pick('authToken') ?? null,
      fileRoots: fileRoots.length > 0 ? fileRoots : [dataDir],
      logLevel: pick('logLevel') ?? 'info',
      decodeThreads,
      limits: readLimits(file.limits),
    },
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw configError(`cannot read config file ${path}: ${err instanceof Error ? err.message : String(err)}`, err)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw configError(`config file ${path} must hold a JSON object`)
  return parsed as Record<string, unknown>
}

function fileString(file: Record<string, unknown>, key: keyof Raw): string | undefined {
  const v = file[key]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string' || typeof v === 'number') return String(v)
  throw configError(`config key "${key}" must be a string or number`)
}

function readLimits(value: unknown): ServerLimits {
  if (value === undefined) return DEFAULT_LIMITS
  if (typeof value !== 'object' || value === null) throw configError('config key "limits" must be an object')
  const out: Record<string, number> = { ...DEFAULT_LIMITS }
  for (const [k, v] of Object.entries(value)) {
    if (!(k in DEFAULT_LIMITS)) throw configError(`unknown limit "${k}"; known: ${Object.keys(DEFAULT_LIMITS).join(', ')}`)
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw configError(`limit "${k}" must be a positive whole number`)
    out[k] = v
  }
  return out as unknown as ServerLimits
}

function configError(message: string, cause?: unknown): WeirError {
  return new WeirError('CONFIG_ERROR', message, { cause })
}
