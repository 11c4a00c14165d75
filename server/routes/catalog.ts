/** `GET /v1/catalog`: streams, tables and sinks with their schemas and options, secrets redacted. */
import type { FastifyInstance } from 'fastify'
import { formatDuration } from '../../runtime/duration.ts'
import type { RelationDefinition } from '../../planner/ddl.ts'
import { redactOptions } from '../redact.ts'
import type { RouteDeps } from './deps.ts'

export function catalogRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { engine } = deps
  const relation = (r: RelationDefinition): Record<string, unknown> => ({
    name: r.name,
    connector: r.options.connector ?? 'embedded',
    columns: r.fields.map((f) => ({ name: f.name, type: f.type })),
    watermark: r.watermark && { column: r.watermark.column, delay: formatDuration(r.watermark.delayMs), delayMs: r.watermark.delayMs },
    primaryKey: r.primaryKey,
    options: redactOptions(r.options),
    ...(r.options.connector === undefined
      ? r.kind === 'stream' ? { latestOffset: engine.durable.log(r.name).length } : { rows: engine.durable.tableRows(r.name).length }
      : {}),
  })
  app.get('/v1/catalog', async () => {
    const relations = [...engine.durable.relations.values()]
    return {
      streams: relations.filter((r) => r.kind === 'stream').map(relation),
      tables: relations.filter((r) => r.kind === 'table').map(relation),
      sinks: [...engine.durable.sinks.values()].map((s) => ({
        name: s.name,
        connector: s.connector,
        options: redactOptions(s.options),
        columns: engine.sinkColumns(s.name)?.map((f) => ({ name: f.name, type: f.type })) ?? null,
        writtenBy: [...engine.running.values()].filter((q) => q.status === 'running' && q.opts.sinkName === s.name).map((q) => q.id),
      })),
    }
  })
}
