/** `GET /healthz`, `GET /metrics` and the placeholder web page `GET /`. */
import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from './deps.ts'

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weir</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>Weir</h1>
<p>The query server is running. The web console is not here yet; meanwhile:</p>
<ul>
<li><a href="/v1/queries">/v1/queries</a>: queries and their progress</li>
<li><a href="/v1/catalog">/v1/catalog</a>: streams, tables and sinks</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
</ul>
<p>Submit SQL with <code>POST /v1/sql</code> and watch results on the websocket <code>/v1/queries/:id/results</code>.</p>
</body></html>
`

export function opsRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const started = Date.now()
  app.get('/healthz', async () => ({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) }))
  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8')
    return deps.metrics.render()
  })
  app.get('/', async (_req, reply) => {
    reply.type('text/html; charset=utf-8')
    return PAGE
  })
}
