/**
 * `POST /v1/sql`: runs a script statement by statement, in order. `options` seed the session of
 * the request; `SET` changes it for the statements after it. The first failing statement stops
 * the script: the answer is its error (with `statementIndex`, 0-based) and the results of the
 * statements before it, which have taken effect.
 */
import type { FastifyInstance } from 'fastify'
import type { ParsedStatement, Statement } from '../../planner/ast.ts'
import { parseScript } from '../../planner/parse/parse.ts'
import type { Engine, Session } from '../engine.ts'
import { limitExceeded, toHttpError } from './errors.ts'
import { wireResult } from './wire.ts'
import type { RouteDeps } from './deps.ts'

interface SqlBody {
  readonly sql: string
  readonly options?: Readonly<Record<string, string | number | boolean>>
}

const bodySchema = {
  type: 'object',
  required: ['sql'],
  additionalProperties: false,
  properties: {
    sql: { type: 'string', minLength: 1 },
    options: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
  },
} as const

export function sqlRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<{ Body: SqlBody }>('/v1/sql', { bodyLimit: deps.limits.sqlBodyBytes, schema: { body: bodySchema } }, async (req, reply) => {
    const session: Session = {}
    for (const [k, v] of Object.entries(req.body.options ?? {})) session[k.toLowerCase()] = String(v)
    let statements: ParsedStatement[]
    try {
      statements = parseScript(req.body.sql)
    } catch (err) {
      // Nothing ran: the whole script is parsed before its first statement runs.
      const { status, body } = toHttpError(err)
      return reply.code(status).send({ error: body.error, results: [] })
    }
    const results: Record<string, unknown>[] = []
    for (let i = 0; i < statements.length; i++) {
      const p = statements[i]!
      try {
        if (startsQuery(deps.engine, p.statement)) checkQueryLimit(deps.engine, deps.limits.maxQueries)
        results.push(wireResult(await deps.engine.executeStatement(p, session)))
      } catch (err) {
        const { status, body, internal } = toHttpError(err)
        if (internal) req.log.error({ err, statementIndex: i }, 'statement failed')
        return reply.code(status).send({ error: { ...body.error, statementIndex: i }, results })
      } finally {
        deps.metrics.trackAll()
      }
    }
    return { results }
  })
}

/** Whether the statement starts a continuous query (a pull query over a table or memory sink does not). */
function startsQuery(engine: Engine, s: Statement): boolean {
  if (s.kind === 'insert_query') return true
  if (s.kind !== 'query') return false
  const from = s.select.from
  if (s.emit !== null || !from || from.kind !== 'table') return true
  const rel = engine.relation(from.name)
  if (rel) return rel.kind !== 'table'
  return engine.sink(from.name)?.connector !== 'memory'
}

function checkQueryLimit(engine: Engine, max: number): void {
  let running = 0
  for (const q of engine.running.values()) if (q.status === 'running') running++
  if (running >= max) {
    throw limitExceeded(`at most ${max} queries may run at once (limits.maxQueries); stop one first (DELETE /v1/queries/:id)`)
  }
}
