/**
 * Runs a push query to its end: subscribes to its websocket, shows the frames in a view, and
 * stops the query on the server (`DELETE /v1/queries/:id`) on Ctrl-C, `--max-rows` or
 * `--timeout`. Returns false when the query failed or the results could not be read.
 */
import type { Op } from '../runtime/types.ts'
import { LiveView, type PushView } from './live-view.ts'
import { PlainPushWriter } from './plain-push-writer.ts'
import type { Column, Row } from './render.ts'
import type { Interrupts, Session, Terminal } from './terminal.ts'
import { ApiError, type WeirClient } from './weir-client.ts'

export interface PushContext {
  readonly client: WeirClient
  readonly term: Terminal
  readonly session: Session
  readonly interrupts: Interrupts
  /** Prints an error (code, message) the way the program prints errors. */
  readonly printError: (err: unknown) => void
}

export interface PushQuery {
  readonly queryId: string
  readonly outputMode: string
  readonly columns: readonly Column[]
  readonly resultsUrl?: string | undefined
}

type StopReason = 'interrupt' | 'max-rows' | 'timeout'

export async function runPush(ctx: PushContext, q: PushQuery): Promise<boolean> {
  const { session, term } = ctx
  const view: PushView = session.interactive && term.tty ? new LiveView(term) : new PlainPushWriter(term, session.format)
  const stream = ctx.client.subscribe(q.queryId, q.resultsUrl)
  let stopReason: StopReason | null = null
  const stop = (reason: StopReason): void => {
    if (stopReason) return
    stopReason = reason
    stream.close()
  }
  const offInterrupt = ctx.interrupts.on(() => {
    stop('interrupt')
    return true
  })
  const timer = session.timeoutMs === null ? null : setTimeout(() => stop('timeout'), session.timeoutMs)
  let remaining = session.maxRows ?? Infinity
  const take = <T>(items: readonly T[]): readonly T[] => {
    const out = items.length > remaining ? items.slice(0, remaining) : items
    remaining -= out.length
    return out
  }

  let started = false
  const start = (columns: readonly Column[], outputMode: string): void => {
    if (started) return
    started = true
    view.start(q.queryId, outputMode, columns)
  }
  let ended: string | null = null
  let failure: { code: string; message: string } | null = null
  let ok = true
  try {
    if (remaining <= 0) stop('max-rows')
    else start(q.columns, q.outputMode)
    for await (const f of stream) {
      switch (f.type) {
        case 'schema':
          start(f.columns.length > 0 ? f.columns : q.columns, f.outputMode)
          break
        case 'batch':
          start(q.columns, q.outputMode)
          view.batch(f.batchId, f.watermark, take<readonly [Op, Row]>(f.changes))
          break
        case 'snapshot':
          start(q.columns, q.outputMode)
          view.snapshot(f.batchId, f.watermark, take<Row>(f.rows))
          break
        case 'error':
          failure = f.error
          break
        case 'end':
          ended = f.reason
          break
        case 'progress':
          break
      }
      if (remaining <= 0) stop('max-rows')
    }
  } catch (err) {
    if (!stopReason) {
      start(q.columns, q.outputMode)
      view.finish(`query ${q.queryId}: results interrupted`)
      ctx.printError(err)
      ok = false
    }
  } finally {
    offInterrupt()
    if (timer) clearTimeout(timer)
  }
  if (!ok) return false
  start(q.columns, q.outputMode)
  if (stopReason) {
    const why = stopReason === 'interrupt' ? 'cancelled' : stopReason === 'timeout' ? 'timed out (--timeout)' : 'row limit reached (--max-rows)'
    const stopped = await stopQuery(ctx, q.queryId)
    view.finish(stopped ? `${why}: query ${q.queryId} stopped` : `${why}: query ${q.queryId} may still be running`)
    return true
  }
  if (failure) {
    view.finish(`query ${q.queryId} failed`)
    ctx.printError(new ApiError(0, failure.code, failure.message))
    return false
  }
  view.finish(`query ${q.queryId} ended (${ended ?? 'connection closed'})`)
  return ended === 'stopped'
}

async function stopQuery(ctx: PushContext, id: string): Promise<boolean> {
  try {
    await ctx.client.stopQuery(id)
    return true
  } catch (err) {
    // Already gone (stopped by someone else, or the idle timeout): nothing left to stop.
    if (err instanceof ApiError && err.code === 'UNKNOWN_QUERY') return true
    ctx.printError(err)
    return false
  }
}
