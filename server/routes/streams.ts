/**
 * `POST /v1/streams/:name/rows`: a JSON array of row objects (`application/json`) or one object
 * per line (`application/x-ndjson`, read as a stream). Atomic unless `?on_error=skip`.
 */
import type { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { WeirError } from '../../runtime/errors.ts'
import { ingestArray, ingestNdjson, ingestTarget } from '../ingest.ts'
import type { RouteDeps } from './deps.ts'

const NDJSON = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json-seq']

interface IngestRoute {
  Params: { name: string }
  Querystring: { on_error?: 'fail' | 'skip' }
  Body: unknown
}

export function streamRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { engine, limits, metrics } = deps
  // Scoped to this plugin: an NDJSON body reaches the handler as the request stream.
  void app.register(async (scope) => {
    scope.addContentTypeParser(NDJSON, (_req, payload, done) => done(null, payload))
    scope.post<IngestRoute>('/v1/streams/:name/rows', {
      bodyLimit: limits.ingestBodyBytes,
      schema: {
        params: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { on_error: { type: 'string', enum: ['fail', 'skip'] } } },
        body: {
          content: {
            'application/json': { schema: { type: 'array', items: { type: 'object' } } },
          },
        },
      },
    }, async (req) => {
      const def = ingestTarget(engine, req.params.name)
      const opts = { skip: req.query.on_error === 'skip', maxBytes: limits.ingestBodyBytes }
      const body = req.body
      let result
      if (Array.isArray(body)) {
        result = await ingestArray(engine, def, body, opts)
      } else if (isReadable(body)) {
        result = await ingestNdjson(engine, def, body, opts)
      } else {
        throw new WeirError('INVALID_REQUEST', 'the body must be a JSON array of row objects (application/json) or one JSON object per line (application/x-ndjson)')
      }
      metrics.ingestedRows += result.count
      metrics.ingestRequests++
      return result
    })
  })
}

function isReadable(v: unknown): v is Readable {
  return typeof v === 'object' && v !== null && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function' &&
    typeof (v as { pipe?: unknown }).pipe === 'function'
}
