/**
 * Prometheus text exposition (format 0.0.4) for `GET /metrics`: per query rates, batch duration,
 * watermark lag, state size, late rows dropped and subscribers; process memory and event-loop
 * delay. Counters that must outlive `recentProgress` (late rows dropped, batches) are summed
 * from each batch's progress as it happens, so every query is tracked from its start.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import type { QueryProgress } from '../runtime/progress.ts'
import type { Engine } from './engine.ts'
import type { RunningQuery } from './running-query.ts'

export interface QueryCounters {
  droppedLateRows: number
  batches: number
  inputRows: number
}

export class ServerMetrics {
  private readonly counters = new Map<string, QueryCounters>()
  private readonly tracked = new WeakSet<RunningQuery>()
  private readonly loopDelay: IntervalHistogram
  ingestedRows = 0
  ingestRequests = 0

  constructor(private readonly engine: Engine, private readonly subscribers: (queryId: string) => number) {
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 })
    this.loopDelay.enable()
  }

  /** Starts counting every running query not yet watched; call after statements ran. */
  trackAll(): void {
    for (const q of this.engine.running.values()) {
      if (this.tracked.has(q) || q.status !== 'running') continue
      this.tracked.add(q)
      const c = this.countersOf(q.id)
      const unobserve = q.observe({
        progress: (p) => count(c, p),
        status: (rq) => {
          if (rq.status !== 'running') unobserve()
        },
      })
    }
  }

  close(): void {
    this.loopDelay.disable()
  }

  render(now = Date.now()): string {
    this.trackAll()
    const out = new Lines()
    const queries = [...this.engine.running.values()]
    const g = (name: string, help: string, type: 'gauge' | 'counter', value: (q: RunningQuery, p: QueryProgress | null) => number | null): void => {
      out.header(name, help, type)
      for (const q of queries) {
        const v = value(q, q.executor.recentProgress.at(-1) ?? null)
        if (v !== null) out.sample(name, labels(q), v)
      }
    }
    g('weir_query_up', 'Whether the query is running (1) or stopped/failed (0).', 'gauge', (q) => (q.status === 'running' ? 1 : 0))
    g('weir_query_input_rows_per_second', 'Input rows per second of the last batch (Spark inputRowsPerSecond).', 'gauge', (_q, p) => p?.inputRowsPerSecond ?? null)
    g('weir_query_processed_rows_per_second', 'Rows processed per second of the last batch.', 'gauge', (_q, p) => p?.processedRowsPerSecond ?? null)
    g('weir_query_batch_duration_seconds', 'Duration of the last batch.', 'gauge', (_q, p) => (p ? p.batchDuration / 1000 : null))
    g('weir_query_watermark_lag_seconds', 'Wall clock minus the current watermark.', 'gauge', (q) => {
      const wm = q.executor.currentWatermark
      return wm === null ? null : (now - wm) / 1000
    })
    g('weir_query_state_rows', 'Rows held in operator state.', 'gauge', (_q, p) => (p ? sum(p, 'numRowsTotal') : null))
    g('weir_query_state_bytes', 'Estimated bytes held in operator state.', 'gauge', (_q, p) => (p ? sum(p, 'memoryUsedBytes') : null))
    g('weir_query_dropped_late_rows_total', 'Rows dropped by stateful operators as late (numRowsDroppedByWatermark).', 'counter',
      (q) => this.counters.get(q.id)?.droppedLateRows ?? 0)
    g('weir_query_batches_total', 'Micro-batches completed since the query (re)started in this process.', 'counter',
      (q) => this.counters.get(q.id)?.batches ?? 0)
    g('weir_query_input_rows_total', 'Input rows processed since the query (re)started in this process.', 'counter',
      (q) => this.counters.get(q.id)?.inputRows ?? 0)
    g('weir_query_subscribers', 'Websocket subscribers of the query.', 'gauge', (q) => this.subscribers(q.id))
    out.header('weir_ingest_rows_total', 'Rows appended through POST /v1/streams/:name/rows.', 'counter')
    out.sample('weir_ingest_rows_total', '', this.ingestedRows)
    out.header('weir_ingest_requests_total', 'Successful ingest requests.', 'counter')
    out.sample('weir_ingest_requests_total', '', this.ingestRequests)
    const mem = process.memoryUsage()
    out.header('weir_process_resident_memory_bytes', 'Resident set size.', 'gauge')
    out.sample('weir_process_resident_memory_bytes', '', mem.rss)
    out.header('weir_process_heap_used_bytes', 'V8 heap used.', 'gauge')
    out.sample('weir_process_heap_used_bytes', '', mem.heapUsed)
    out.header('weir_process_heap_total_bytes', 'V8 heap total.', 'gauge')
    out.sample('weir_process_heap_total_bytes', '', mem.heapTotal)
    out.header('weir_event_loop_delay_seconds', 'Event-loop delay since the last scrape.', 'summary')
    const h = this.loopDelay
    for (const q of [0.5, 0.9, 0.99]) out.sample('weir_event_loop_delay_seconds', `{quantile="${q}"}`, nanos(h.percentile(q * 100)))
    out.header('weir_event_loop_delay_max_seconds', 'Largest event-loop delay since the last scrape.', 'gauge')
    out.sample('weir_event_loop_delay_max_seconds', '', nanos(h.max))
    h.reset()
    return out.text()
  }

  /** A query's counters since it (re)started in this process; null when it was never tracked. */
  totals(id: string): Readonly<QueryCounters> | null {
    const c = this.counters.get(id)
    return c === undefined ? null : { ...c }
  }

  private countersOf(id: string): QueryCounters {
    let c = this.counters.get(id)
    if (!c) this.counters.set(id, (c = { droppedLateRows: 0, batches: 0, inputRows: 0 }))
    return c
  }
}

function count(c: QueryCounters, p: QueryProgress): void {
  c.batches++
  c.inputRows += p.numInputRows
  for (const op of p.stateOperators) c.droppedLateRows += op.numRowsDroppedByWatermark
}

function sum(p: QueryProgress, key: 'numRowsTotal' | 'memoryUsedBytes'): number {
  let s = 0
  for (const op of p.stateOperators) s += op[key]
  return s
}

const nanos = (n: number): number => (Number.isFinite(n) ? n / 1e9 : 0)

function labels(q: RunningQuery): string {
  const name = q.opts.name === null ? '' : `,name="${escape(q.opts.name)}"`
  return `{query="${escape(q.id)}"${name}}`
}

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

class Lines {
  private readonly lines: string[] = []
  header(name: string, help: string, type: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
  }
  sample(name: string, labelText: string, value: number): void {
    this.lines.push(`${name}${labelText} ${Number.isFinite(value) ? value : 0}`)
  }
  text(): string {
    return this.lines.join('\n') + '\n'
  }
}
