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
import type { QueryProgress } from '../runtime/progress.ts'
import type { SinkBatchInfo } from '../runtime/sink.ts'
import type { ChangeBatch } from '../runtime/types.ts'
import type { QueryInfo, QueryStatus } from './engine-api.ts'

/**
 * Watches a running query from outside (websocket subscribers, metrics). Callbacks run on the
 * query's own path: they must be quick and must not throw (a throw is caught and ignored).
 */
export interface QueryObserver {
  /** A batch's output, once the sink accepted it; each `batchId` at most once per run. */
  output?(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): void
  /** A batch finished (committed); its progress record. */
  progress?(progress: QueryProgress): void
  /** The status changed (stopped, failed; `persist` false for a shutdown). */
  status?(q: RunningQuery, persist: boolean): void
}

export interface RunningQueryOptions {
  readonly id: string
  readonly name: string | null
  readonly sql: string
  readonly outputMode: OutputMode
  readonly trigger: Trigger
  readonly triggerText: string
  readonly columns: readonly Field[]
  readonly sinkName: string | null
  /** The streams and tables the query reads (DROP refuses them while it runs). */
  readonly relations: readonly string[]
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

/**
 * How long a push query waits for its first subscriber before running its first batch. Its
 * results exist only for subscribers, so running batch 0 before anyone listens would lose the
 * rows already in the stream (in update mode, groups would appear mid-way).
 */
export const FIRST_SUBSCRIBER_WAIT_MS = 10_000

export class RunningQuery {
  status: QueryStatus = 'running'
  error: { code: string; message: string } | null = null
  private wake: (() => void) | null = null
  private unsubscribe: (() => void)[] = []
  private loop: Promise<void> | null = null
  private busy: Promise<unknown> = Promise.resolve()
  private readonly observers = new Set<QueryObserver>()
  private sinkWrapped = false
  private lastObservedBatchId = -1
  private firstObserver: (() => void) | null = null

  constructor(readonly opts: RunningQueryOptions) {}

  /**
   * Adds an observer; returns its removal. The first call wraps the sink's `write` on the
   * instance (the executor holds the same sink object), so a query nobody watches pays nothing.
   */
  observe(observer: QueryObserver): () => void {
    this.observers.add(observer)
    // Only an observer of the output (a subscriber) ends a push query's wait for its first one;
    // the metrics' progress observer, added as the query starts, must not.
    if (observer.output) this.firstObserver?.()
    if (!this.sinkWrapped) {
      this.sinkWrapped = true
      const sink = this.opts.sink
      const write = sink.write.bind(sink)
      sink.write = async (batchId, changes, info) => {
        await write(batchId, changes, info)
        if (batchId <= this.lastObservedBatchId) return
        this.lastObservedBatchId = batchId
        for (const o of this.observers) guard(() => o.output?.(batchId, changes, info))
      }
    }
    return () => this.observers.delete(observer)
  }

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
    // Sources hold connections and files (a socket, a file source's index).
    for (const s of this.opts.sources) await s.close().catch(() => undefined)
    this.statusChanged(opts.persist ?? true)
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
      const progress = ran ? this.opts.executor.recentProgress.at(-1) : undefined
      if (progress) for (const o of this.observers) guard(() => o.progress?.(progress))
      if (this.opts.executor.finished && this.status === 'running') {
        this.status = 'stopped'
        this.statusChanged(true)
      }
      return ran
    } catch (err) {
      this.status = 'failed'
      this.error = err instanceof WeirError
        ? { code: err.code, message: err.message }
        : { code: 'INTERNAL_ERROR', message: err instanceof Error ? err.message : String(err) }
      this.statusChanged(true)
      return false
    }
  }

  private statusChanged(persist: boolean): void {
    this.opts.onStatus(this, persist)
    for (const o of this.observers) guard(() => o.status?.(this, persist))
  }

  private async runLoop(): Promise<void> {
    if (this.opts.pushSink !== null && this.observers.size === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, FIRST_SUBSCRIBER_WAIT_MS)
        const self = this
        function done(): void {
          clearTimeout(timer)
          self.firstObserver = null
          resolve()
        }
        this.firstObserver = done
        this.wake = done
      })
      this.wake = null
    }
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

function guard(f: () => void): void {
  try {
    f()
  } catch {
    // An observer's fault must never stop the query.
  }
}
