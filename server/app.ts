/**
 * The HTTP and websocket API (SPEC §3). `buildApp` returns the fastify app without listening
 * (tests use `app.inject()`; `main.ts` listens). Every error, ours or fastify's, is answered as
 * `{"error": {"code", "message", "line"?, "column"?}}`.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { DEFAULT_LIMITS, type ServerLimits } from './config.ts'
import type { Engine } from './engine.ts'
import { ServerMetrics } from './metrics.ts'
import { SubscriptionHub } from './websocket.ts'
import { toHttpError, unauthorized } from './routes/errors.ts'
import type { RouteDeps } from './routes/deps.ts'
import { sqlRoutes } from './routes/sql.ts'
import { queryRoutes } from './routes/queries.ts'
import { streamRoutes } from './routes/streams.ts'
import { catalogRoutes } from './routes/catalog.ts'
import { opsRoutes } from './routes/ops.ts'
import { consoleRoutes } from './routes/console.ts'

export interface AppDeps {
  readonly engine: Engine
  readonly logger: Logger
  /** When set, every route but `GET /healthz` needs `Authorization: Bearer <token>`. */
  readonly authToken?: string | null
  readonly limits?: Partial<ServerLimits>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The websocket subscriptions (tests read their buffer stats). */
    weirHub: SubscriptionHub
    weirMetrics: ServerMetrics
  }
}

/** Routes reachable without a token (besides routes with `config.public`: the console's static files). */
const PUBLIC = new Set(['/healthz'])

export function buildApp(deps: AppDeps): FastifyInstance {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...deps.limits }
  const app = fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per request would flood the log at ingest rates; requests are logged at debug below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.sqlBodyBytes,
    // Never coerce or drop what the client sent: a wrong type or an unknown field is an error.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, allowUnionTypes: true } },
    forceCloseConnections: 'idle',
  })

  const authorized = bearerCheck(deps.authToken ?? null)
  const hub = new SubscriptionHub({
    engine: deps.engine,
    logger: deps.logger.child({ component: 'websocket' }),
    limits,
    authorize: (req, url) => {
      if (!authorized(req.headers.authorization, url.searchParams.get('token'))) throw unauthorized()
    },
  })
  const metrics = new ServerMetrics(deps.engine, (id) => hub.subscribers(id))
  metrics.trackAll()
  app.decorate('weirHub', hub)
  app.decorate('weirMetrics', metrics)

  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?', 1)[0]!
    // The console's static files are public by route (not by URL text, which a crafted path could fake).
    if (!PUBLIC.has(path) && req.routeOptions.config?.public !== true && !authorized(req.headers.authorization, null)) throw unauthorized()
  })
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
  })
  app.setErrorHandler(async (err, req, reply) => {
    const { status, body, internal } = toHttpError(err)
    if (internal) req.log.error({ err }, 'request failed')
    return reply.code(status).send(body)
  })
  app.setNotFoundHandler(async (req, reply) => {
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?', 1)[0]}` } })
  })

  const routeDeps: RouteDeps = { engine: deps.engine, limits, hub, metrics }
  sqlRoutes(app, routeDeps)
  queryRoutes(app, routeDeps)
  streamRoutes(app, routeDeps)
  catalogRoutes(app, routeDeps)
  opsRoutes(app, routeDeps)
  consoleRoutes(app, routeDeps)

  app.server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => hub.handleUpgrade(req, socket, head))
  // Subscribers learn of the shutdown before the server stops accepting; the engine is the caller's.
  app.addHook('preClose', async () => {
    await hub.shutdown()
  })
  app.addHook('onClose', async () => {
    metrics.close()
  })
  return app
}

/** A constant-time comparison of the presented token with the configured one. */
function bearerCheck(token: string | null): (header: string | undefined, queryToken: string | null) => boolean {
  if (token === null || token === '') return () => true
  const expected = createHash('sha256').update(token).digest()
  return (header, queryToken) => {
    const m = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim())
    const presented = m?.[1] ?? queryToken
    if (presented === null || presented === undefined) return false
    return timingSafeEqual(createHash('sha256').update(presented).digest(), expected)
  }
}
