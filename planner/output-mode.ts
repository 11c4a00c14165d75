/**
 * Spark's output-mode matrix, checked at plan time.
 *
 * | query                              | append | update | complete |
 * | aggregation with watermark         |  yes   |  yes   |   yes    |
 * | aggregation without watermark      |  no    |  yes   |   yes    |
 * | no aggregation (incl. DISTINCT)    |  yes   |  yes   |   no     |
 *
 * The default is append where allowed, else update.
 */
import type { AstSelect } from './ast.ts'
import type { OutputMode } from '../runtime/graph.ts'
import { sqlError } from '../runtime/errors.ts'
import type { PlanContext, Planned } from './plan-query.ts'

const MODES: readonly OutputMode[] = ['append', 'update', 'complete']

export function chooseOutputMode(select: AstSelect, planned: Planned, ctx: PlanContext): OutputMode {
  const aggregations = ctx.statefulNodes.filter((s) => s.aggregation)
  const aggregated = planned.updating
  if (ctx.batch) return aggregated ? 'complete' : 'append'
  const requested = ctx.options.emit ?? parseMode(ctx.options.sessionOutputMode, select)
  const unbounded = aggregations.some((a) => !a.watermarkBound)
  const session = aggregations.some((a) => a.session === true)
  let allowed: OutputMode[] = aggregated ? (unbounded ? ['update', 'complete'] : [...MODES]) : ['append', 'update']
  // Spark: "Update output mode not supported for session window" (a merged session would need retractions).
  if (session) allowed = allowed.filter((m) => m !== 'update')
  if (requested === null) return allowed[0]!
  if (allowed.includes(requested)) return requested
  const reason = !aggregated
    ? 'complete output mode is not supported when there are no streaming aggregations'
    : session && requested === 'update'
    ? 'update output mode is not supported for session windows'
    : 'append output mode is not supported for a streaming aggregation without a watermark on its grouping (declare a WATERMARK on the event-time column and group by a window over it)'
  throw sqlError(
    'UNSUPPORTED_OUTPUT_MODE',
    `${reason}; use ${allowed.map((m) => `EMIT ${m.toUpperCase()}`).join(' or ')}`,
    select.pos,
  )
}

function parseMode(value: string | undefined, select: AstSelect): OutputMode | null {
  if (value === undefined || value === '') return null
  const v = value.toLowerCase()
  if (v === 'changes') return 'update'
  if (v === 'final') return 'append'
  if ((MODES as readonly string[]).includes(v)) return v as OutputMode
  throw sqlError('INVALID_OPTION', `output_mode must be append, update or complete, not "${value}"`, select.pos)
}
