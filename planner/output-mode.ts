/**
 * Spark's output-mode matrix, checked at plan time.
 *
 * | query                              | append | update | complete |
 * | aggregation with watermark         |  yes   |  yes   |   yes    |
 * | aggregation without watermark      |  no    |  yes   |   yes    |
 * | no aggregation (incl. DISTINCT)    |  yes   |  yes   |   no     |
 * | stream-stream join (anywhere)      |  yes   |  no    |   no     |
 *
 * (A stream-static join is stateless and follows the rest of the matrix.) As in Spark before
 * per-operator watermarks, a stream-stream outer join may not feed another stateful operator:
 * the rows it emits with NULLs are already behind the watermark and would be dropped as late.
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
  if (ctx.statefulNodes.some((s) => s.join !== undefined)) return streamStreamJoinMode(select, ctx, requested, allowed)
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

function streamStreamJoinMode(select: AstSelect, ctx: PlanContext, requested: OutputMode | null, allowed: readonly OutputMode[]): OutputMode {
  const nodes = ctx.statefulNodes
  const outer = nodes.findIndex((s) => s.join === 'outer')
  if (outer >= 0 && outer < nodes.length - 1) {
    throw sqlError('UNSUPPORTED_OPERATION',
      'a stream-stream outer join followed by another stateful operation (aggregation, DISTINCT, join) is not supported: ' +
      'its NULL-padded rows are emitted once the watermark has passed them, so the next operator would drop them as late', select.pos)
  }
  if (!allowed.includes('append')) {
    throw sqlError('UNSUPPORTED_OUTPUT_MODE',
      'a stream-stream join supports append output mode only, and an aggregation after it needs a watermark on its grouping for append ' +
      '(group by a window over an event-time column); use EMIT APPEND', select.pos)
  }
  if (requested !== null && requested !== 'append') {
    throw sqlError('UNSUPPORTED_OUTPUT_MODE', `${requested} output mode is not supported for stream-stream joins; use EMIT APPEND`, select.pos)
  }
  return 'append'
}
