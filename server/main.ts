/**
 * `npm start`: reads the configuration, opens the engine, listens, and shuts down gracefully on
 * SIGTERM/SIGINT (subscribers get `end` with reason `shutdown`, running batches finish, the
 * durable state is closed consistent). The one pino root logger of the server is created here.
 */
import { mkdirSync } from 'node:fs'
import pino, { type DestinationStream, type Logger } from 'pino'
import { buildApp } from './app.ts'
import { HELP, loadConfig, type ServerConfig } from './config.ts'
import { MemoryDurableState } from './durable-state.ts'
import { Engine } from './engine.ts'

async function main(): Promise<void> {
  let config: ServerConfig
  try {
    const parsed = loadConfig(process.argv.slice(2), process.env)
    if (parsed.help) {
      process.stdout.write(HELP)
      return
    }
    config = parsed.config
  } catch (err) {
    process.stderr.write(`weir: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 2
    return
  }
  const logger = pino({ level: config.logLevel, base: undefined }, process.stdout.isTTY ? prettyDestination() : undefined)

  mkdirSync(config.dataDir, { recursive: true })
  // `dataDir` and `fileRoots` are picked up by engines that support them (LevelDB durability);
  // passing them through a variable keeps this compiling before and after that lands.
  const engineOptions = {
    autoRun: true, dataDir: config.dataDir, fileRoots: config.fileRoots, ...(config.decodeThreads === null ? {} : { decodeThreads: config.decodeThreads }),
  }
  const engine = await Engine.open(engineOptions)
  if (engine.durable instanceof MemoryDurableState) {
    logger.warn({ dataDir: config.dataDir }, 'durable state is in memory: the catalog and queries do not survive a restart')
  }

  const app = buildApp({ engine, logger, authToken: config.authToken, limits: config.limits })
  logger.info({ dataDir: config.dataDir, fileRoots: config.fileRoots, auth: config.authToken !== null }, 'starting')
  try {
    // fastify logs the address it took (the free port for port 0): `listening on http://HOST:PORT`.
    await app.listen({ host: config.host, port: config.port, listenTextResolver: (address) => `listening on ${address}` })
  } catch (err) {
    logger.fatal({ err }, 'cannot listen')
    await engine.close()
    process.exitCode = 1
    return
  }

  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once')
      process.exit(1)
    }
    stopping = true
    logger.info({ signal }, 'shutting down')
    void close(app.close.bind(app), engine, logger).then(() => process.exit(process.exitCode ?? 0))
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

async function close(closeApp: () => PromiseLike<undefined>, engine: Engine, logger: Logger): Promise<void> {
  try {
    await closeApp()
    // Stops the queries after their running batch and closes the data directory it opened.
    await engine.close()
    logger.info('stopped')
  } catch (err) {
    logger.error({ err }, 'shutdown failed')
    process.exitCode = 1
  }
}

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
const COLORS: Readonly<Record<number, string>> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' }

/** A small human-readable formatter for terminals: `12:00:01 INFO message key=value …`. */
function prettyDestination(): DestinationStream {
  return {
    write(line: string): void {
      let rec: Record<string, unknown>
      try {
        rec = JSON.parse(line) as Record<string, unknown>
      } catch {
        process.stdout.write(line)
        return
      }
      const { level, time, msg, pid: _pid, hostname: _host, err, ...rest } = rec
      const lv = typeof level === 'number' ? level : 30
      const t = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 23)
      const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
      const stack = typeof err === 'object' && err !== null && 'stack' in err ? `\n${String(err.stack)}` : ''
      process.stdout.write(`\x1b[90m${t}\x1b[0m \x1b[${COLORS[lv] ?? '0'}m${(LEVELS[lv] ?? String(lv)).padEnd(5)}\x1b[0m ${String(msg ?? '')}` +
        `${extra ? ` \x1b[90m${extra}\x1b[0m` : ''}${stack}\n`)
    },
  }
}

await main()
