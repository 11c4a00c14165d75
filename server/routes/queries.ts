/** `GET /v1/queries`, `GET /v1/queries/:id`, `DELETE /v1/queries/:id[?purge=true]`. */
import type { FastifyInstance } from 'fastify'
import { WeirError } from '../../runtime/errors.ts'
import type { QueryInfo } from '../engine-api.ts'
import type { RouteDeps } from './deps.ts'
import { resultsUrl } from './wire.ts'

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const

export function queryRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { engine, hub, metrics } = deps
  const find = (id: string): QueryInfo => {
    const all = engine.listQueries()
    const q = all.find((x) => x.id === id) ?? all.find((x) => x.name === id && x.status === 'running') ?? all.find((x) => x.name === id)
    if (!q) throw new WeirError('UNKNOWN_QUERY', `query "${id}" does not exist`, { status: 404 })
    return q
  }
  const wire = (q: QueryInfo, recent: boolean): Record<string, unknown> => {
    const { recentProgress, ...rest } = q
    return {
      ...rest, subscribers: hub.subscribers(q.id), resultsUrl: resultsUrl(q.id),
      // Counters since the query (re)started in this process (the web console shows late rows dropped).
      totals: metrics.totals(q.id),
      ...(recent ? { recentProgress } : {}),
    }
  }

  app.get('/v1/queries', async () => ({ queries: engine.listQueries().map((q) => wire(q, false)) }))

  app.get<{ Params: { id: string } }>('/v1/queries/:id', { schema: { params: idParams } }, async (req) => {
    const q = find(req.params.id)
    // The plan as EXPLAIN prints it (the web console draws it); null for a query no longer held.
    return { ...wire(q, true), explain: engine.query(q.id)?.opts.explain ?? null }
  })

  app.delete<{ Params: { id: string }; Querystring: { purge?: 'true' | 'false' } }>('/v1/queries/:id', {
    schema: {
      params: idParams,
      querystring: { type: 'object', additionalProperties: false, properties: { purge: { type: 'string', enum: ['true', 'false'] } } },
    },
  }, async (req) => {
    const q = find(req.params.id)
    if (q.status === 'running') await engine.stopQuery(q.id)
    const purge = req.query.purge === 'true'
    if (purge) await engine.durable.deleteCheckpoint(q.id)
    req.log.info({ queryId: q.id, purge }, 'query stopped by request')
    return { id: q.id, status: find(q.id).status, purged: purge }
  })
}
