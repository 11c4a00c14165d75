/**
 * A started query: its executor, its sink and its scheduling. With `autoRun` a loop runs
 * batches as the trigger allows (waking on new data, or at the next processing-time tick);
 * without it, batches run only when `runDue` is called (tests own the clock).
 */
import type { Clock } from '../runtime/clock.ts'
import type { MicroBatchExecutor, Trigger } from '../runtime/micro-batch-executor.ts'
import type { OutputMode } from '../runtime/graph.ts'
import type { Source } from '../runtime/source.ts'
import type { Sink } from '../runtime/sink.ts'
import type { Field } from '../runtime/types.ts'
import { WeirError } from '../runtime/errors.ts'
import type { PushSink } from '../connectors/memory/push-sink.ts'
import type { QueryInfo, QueryStatus } from './engine-api.ts'

export interface RunningQueryOptions {
  readonly id: string
  readonly name: string | null
  readonly sql: string
  readonly outputMode: OutputMode
  readonly trigger: Trigger
  readonly triggerText: string
  readonly columns: readonly Field[]
  readonly sinkName: string | null
  readonly sink: Sink
  readonly pushSink: PushSink | null
  readonly sources: readonly Source[]
  readonly executor: MicroBatchExecutor
  readonly clock: Clock
  readonly explain: string
  /** Called when the status changes; `persist` false for a shutdown (the query resumes on restart). */
  readonly onStatus: (q: RunningQuery, persist: boolean) => void
}

/** How long an idle default-trigger query waits before polling its sources again. */
const IDLE_POLL_MS = 500

export class RunningQuery {
  status: QueryStatus = 'running'
  error: { code: string; message: string } | null = null
  private wake: (() => void) | null = null
  private unsubscribe: (() => void)[] = []
  private loop: Promise<void> | null = null
  private busy: Promise<unknown> = Promise.resolve()

  constructor(readonly opts: RunningQueryOptions) {}

  get id(): string {
    return this.opts.id
  }

  get executor(): MicroBatchExecutor {
    return this.opts.executor
  }

  /** Starts the scheduling loop (servers). */
  startLoop(): void {
    for (const s of this.opts.sources) {
      if (s.onData) this.unsubscribe.push(s.onData(() => this.wake?.()))
    }
    this.loop = this.runLoop()
  }

  /** Runs every batch due now; returns how many ran. Serialised with the loop. */
  async runDue(): Promise<number> {
    let ran = 0
    const work = this.busy.then(async () => {
      while (this.status === 'running' && (await this.step())) ran++
    })
    this.busy = work.catch(() => undefined)
    await work
    return ran
  }

  async stop(status: QueryStatus = 'stopped', opts: { persist?: boolean } = {}): Promise<void> {
    if (this.status === 'running') this.status = status
    for (const u of this.unsubscribe) u()
    this.unsubscribe = []
    this.wake?.()
    await this.loop
    await this.busy
    await this.opts.executor.close()
    await this.opts.sink.close()
    this.opts.onStatus(this, opts.persist ?? true)
  }

  info(): QueryInfo {
    const progress = this.opts.executor.recentProgress
    return {
      id: this.opts.id, name: this.opts.name, sql: this.opts.sql, status: this.status, error: this.error,
      outputMode: this.opts.outputMode, trigger: this.opts.triggerText, sink: this.opts.sinkName,
      push: this.opts.pushSink !== null, columns: this.opts.columns,
      lastProgress: progress.at(-1) ?? null, recentProgress: [...progress],
    }
  }

  /** One batch if due; false when nothing ran. Failures stop the query with the error. */
  private async step(): Promise<boolean> {
    try {
      const ran = await this.opts.executor.runBatch()
      if (this.opts.executor.finished && this.status === 'running') {
        this.status = 'stopped'
        this.opts.onStatus(this, true)
      }
      return ran
    } catch (err) {
      this.status = 'failed'
      this.error = err instanceof WeirError
        ? { code: err.code, message: err.message }
        : { code: 'INTERNAL_ERROR', message: err instanceof Error ? err.message : String(err) }
      this.opts.onStatus(this, true)
      return false
    }
  }

  private async runLoop(): Promise<void> {
    while (this.status === 'running') {
      const work = this.busy.then(() => this.step())
      this.busy = work.catch(() => undefined)
      const ran = await work
      if (ran || this.status !== 'running') continue
      const t = this.opts.trigger
      const delay = t.kind === 'processing_time'
        ? Math.max(0, this.opts.executor.nextTriggerTime - this.opts.clock.now())
        : IDLE_POLL_MS
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay)
        function done(): void {
          clearTimeout(timer)
          resolve()
        }
        this.wake = t.kind === 'processing_time' ? null : done
      })
      this.wake = null
    }
  }
}
