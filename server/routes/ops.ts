/** `GET /healthz` and `GET /metrics` (the web console is in console.ts). */
import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from './deps.ts'

export function opsRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const started = Date.now()
  app.get('/healthz', async () => ({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) }))
  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8')
    return deps.metrics.render()
  })
}
