/**
 * Runs one continuous query in micro-batches with Spark Structured Streaming's protocol:
 *
 * 1. plan the batch: per source the [start, end) range within the rate limits; if nothing is
 *    new, run a no-data batch only when the watermark advanced past the last batch's and a
 *    stateful operator would evict or emit because of it;
 * 2. write the offset log entry (offsets, the watermark in force, the batch timestamp);
 * 3. read, run the operators, hand the output to the sink with the batch id;
 * 4. compute the next watermark (per source: max event time − delay, never backwards; global:
 *    the minimum over sources that have one) and commit state + commit record atomically.
 *
 * After a restart, a logged batch without a commit is re-run with exactly its logged offsets,
 * watermark and timestamp. The executor never waits: the scheduler decides when to call
 * `runBatch` (by trigger), which keeps tests in charge of time.
 */
import { runTree } from './run-tree.ts'
import { randomUUID } from 'node:crypto'
import type { Clock } from './clock.ts'
import type { CommitEntry, OffsetLogEntry, QueryCheckpoint } from './checkpoint.ts'
import { nodeInputs, type OperatorNode, type QueryGraph } from './graph.ts'
import type { Operator, BatchContext } from './operators/operator.ts'
import type { QueryProgress, SourceProgress, StateOperatorProgress } from './progress.ts'
import type { Sink } from './sink.ts'
import { sameOffset, type ReadLimit, type Source, type SourceOffset } from './source.ts'
import type { ChangeBatch, Row } from './types.ts'
import { WeirError } from './errors.ts'
import type { StaticTable } from './static-table.ts'

export type Trigger =
  | { readonly kind: 'default' }
  | { readonly kind: 'processing_time'; readonly intervalMs: number }
  | { readonly kind: 'once' }
  | { readonly kind: 'available_now' }

export interface ExecutorOptions {
  readonly queryId: string
  readonly name: string | null
  readonly graph: QueryGraph
  readonly sources: ReadonlyMap<string, Source>
  /** The static tables of stream-static joins, by catalog name (loaded at start, refreshed in planBatch). */
  readonly staticTables?: ReadonlyMap<string, StaticTable>
  readonly sink: Sink
  readonly checkpoint: QueryCheckpoint
  readonly clock: Clock
  readonly trigger: Trigger
  /** Per source name; absent means no limit. Ignored by the `once` trigger, as in Spark. */
  readonly limits: ReadonlyMap<string, ReadLimit>
  /** `parent` is the node consuming the operator's output (for operator fusion). */
  readonly createOperator: (node: OperatorNode, parent?: OperatorNode) => Operator
  /** How many progress records to keep. */
  readonly progressHistory?: number
}

interface EventTimeStats { min: number; max: number; sum: number; count: number }

export class MicroBatchExecutor {
  readonly runId = randomUUID()
  readonly recentProgress: QueryProgress[] = []
  private readonly operators = new Map<number, Operator>()
  readonly sourceNames: readonly string[]
  private nextBatchId = 0
  private nextOffsets: Record<string, SourceOffset> = {}
  private sourceWatermarks: Record<string, number | null> = {}
  private watermark: number | null = null
  private lastBatchWatermark: number | null = null
  private rerun: OffsetLogEntry | null = null
  private targets: Record<string, SourceOffset> | null = null
  private done = false
  private nextTriggerAt = 0
  private lastTriggerStart: number | null = null
  private readonly hasEvictingState: boolean

  private constructor(private readonly opts: ExecutorOptions) {
    this.sourceNames = [...opts.graph.sources]
    this.hasEvictingState = graphNodes(opts.graph.root).some(
      (n) => (n.kind === 'window-aggregate' || n.kind === 'aggregate') ? n.outputMode !== 'complete' : n.kind === 'deduplicate' || (n.kind === 'join' && n.inputs === 'stream-stream'),
    )
  }

  static async start(opts: ExecutorOptions): Promise<MicroBatchExecutor> {
    const ex = new MicroBatchExecutor(opts)
    await ex.recover()
    return ex
  }

  /** True once a `once` or `available_now` query has processed what it was asked to. */
  get finished(): boolean {
    return this.done
  }

  /** For a processing-time trigger, when the next batch may start (clock ms). */
  get nextTriggerTime(): number {
    return this.nextTriggerAt
  }

  get currentWatermark(): number | null {
    return this.watermark
  }

  /** Whether the trigger lets a batch start now. */
  isDue(): boolean {
    if (this.done) return false
    if (this.opts.trigger.kind !== 'processing_time') return true
    return this.opts.clock.now() >= this.nextTriggerAt
  }

  /**
   * Runs the next batch if there is one: new data, a re-run after a crash, or a no-data batch.
   * Returns false when there was nothing to do. For a processing-time trigger, each call at or
   * after the trigger time consumes that trigger interval whether or not a batch ran.
   */
  async runBatch(): Promise<boolean> {
    if (!this.isDue()) return false
    const trigger = this.opts.trigger
    if (trigger.kind === 'processing_time') {
      const now = this.opts.clock.now()
      this.nextTriggerAt = Math.floor(now / trigger.intervalMs) * trigger.intervalMs + trigger.intervalMs
    }
    const started = performance.now()
    const entry = this.rerun ?? (await this.planBatch())
    if (entry === null) {
      if (trigger.kind === 'available_now') this.done = true
      return false
    }
    const planMs = performance.now() - started
    if (this.rerun === null) await this.opts.checkpoint.writeOffsets(entry)
    this.rerun = null
    const walMs = performance.now() - started - planMs
    await this.execute(entry, started, { latestOffset: planMs, walCommit: walMs })
    if (trigger.kind === 'once') this.done = true
    return true
  }

  async close(): Promise<void> {
    for (const op of this.operators.values()) op.close()
  }

  private async recover(): Promise<void> {
    const { checkpoint, graph } = this.opts
    const parents = parentsOf(graph.root)
    for (const node of graphNodes(graph.root)) {
      const op = this.opts.createOperator(node, parents.get(node))
      await op.open({ store: checkpoint.store, namespace: `op-${node.id}` })
      this.operators.set(node.id, op)
    }
    const commit = await checkpoint.lastCommit()
    const logged = await checkpoint.lastOffsets()
    for (const name of this.sourceNames) {
      this.nextOffsets[name] = commit?.nextOffsets[name] ?? (await this.source(name).initialOffset())
      this.sourceWatermarks[name] = commit?.sourceWatermarks[name] ?? null
    }
    for (const table of this.opts.staticTables?.values() ?? []) await table.load(this.opts.clock.now())
    this.watermark = commit?.nextWatermark ?? null
    this.lastBatchWatermark = commit?.batchWatermark ?? null
    this.nextBatchId = commit ? commit.batchId + 1 : 0
    if (logged && (!commit || logged.batchId > commit.batchId)) {
      this.rerun = logged
      for (const [name, version] of Object.entries(logged.staticVersions ?? {})) {
        await this.opts.staticTables?.get(name)?.pin(version, this.opts.clock.now())
      }
      this.nextBatchId = logged.batchId
    }
    this.nextTriggerAt = this.opts.clock.now()
  }

  private async planBatch(): Promise<OffsetLogEntry | null> {
    const once = this.opts.trigger.kind === 'once'
    if (this.opts.trigger.kind === 'available_now' && this.targets === null) {
      this.targets = {}
      for (const name of this.sourceNames) this.targets[name] = await this.source(name).latestOffset()
    }
    const offsets: Record<string, { start: SourceOffset; end: SourceOffset }> = {}
    let hasData = false
    for (const name of this.sourceNames) {
      const start = this.nextOffsets[name]!
      const source = this.source(name)
      const limit = once ? { maxRows: null } : this.opts.limits.get(name) ?? { maxRows: null }
      let end = await source.endOffset(start, limit)
      const target = this.targets?.[name]
      if (target !== undefined && (source.distance(end, target) ?? 1) < 0) end = target
      if (!sameOffset(start, end)) hasData = true
      offsets[name] = { start, end }
    }
    const noDataBatch = !hasData && this.hasEvictingState && this.watermark !== null &&
      (this.lastBatchWatermark === null || this.watermark > this.lastBatchWatermark)
    if (!hasData && !noDataBatch) return null
    const entry: OffsetLogEntry = { batchId: this.nextBatchId, offsets, watermark: this.watermark, batchTimestamp: this.opts.clock.now() }
    const tables = this.opts.staticTables
    if (tables === undefined || tables.size === 0) return entry
    const staticVersions: Record<string, string> = {}
    for (const [name, table] of tables) {
      await table.refreshIfDue(entry.batchTimestamp)
      staticVersions[name] = table.version
    }
    return { ...entry, staticVersions }
  }

  private async execute(entry: OffsetLogEntry, started: number, durations: Record<string, number>): Promise<void> {
    const ctx: BatchContext = { batchId: entry.batchId, watermark: entry.watermark, batchTimestamp: entry.batchTimestamp }
    const t0 = performance.now()
    const input = new Map<string, Row[]>()
    let numInputRows = 0
    const perSource: Record<string, number> = {}
    for (const name of this.sourceNames) {
      const { start, end } = entry.offsets[name]!
      const rows = sameOffset(start, end) ? [] : await this.source(name).read(start, end)
      input.set(name, rows)
      perSource[name] = rows.length
      numInputRows += rows.length
    }
    const t1 = performance.now()
    const stats = new Map<string, EventTimeStats>()
    const output = this.runNode(this.opts.graph.root, input, stats, ctx)
    const t2 = performance.now()
    await this.opts.sink.write(entry.batchId, output, {
      queryId: this.opts.queryId, schema: this.opts.graph.schema, outputMode: this.opts.graph.outputMode, watermark: entry.watermark,
    })
    const t3 = performance.now()

    // Next watermark: per source max(event time) − delay, never backwards; global = min.
    const sourceWatermarks = { ...this.sourceWatermarks }
    for (const [name, s] of stats) {
      const delay = sourceWatermarkDelay(this.opts.graph.root, name)
      if (s.count > 0 && delay !== null) {
        const candidate = s.max - delay
        const prev = sourceWatermarks[name] ?? null
        sourceWatermarks[name] = prev === null ? candidate : Math.max(prev, candidate)
      }
    }
    const known = Object.values(sourceWatermarks).filter((w): w is number => w !== null)
    let nextWatermark = known.length > 0 ? Math.min(...known) : null
    if (this.watermark !== null && (nextWatermark === null || nextWatermark < this.watermark)) nextWatermark = this.watermark

    const nextOffsets: Record<string, SourceOffset> = {}
    for (const name of this.sourceNames) nextOffsets[name] = entry.offsets[name]!.end
    const commit: CommitEntry = {
      batchId: entry.batchId, nextOffsets, batchWatermark: entry.watermark, sourceWatermarks, nextWatermark,
    }
    await this.opts.checkpoint.commit(commit, (batch) => {
      for (const op of this.operators.values()) op.commit(batch, ctx)
    })
    const t4 = performance.now()
    this.nextOffsets = nextOffsets
    this.sourceWatermarks = sourceWatermarks
    this.lastBatchWatermark = entry.watermark
    this.watermark = nextWatermark
    this.nextBatchId = entry.batchId + 1
    if (this.targets && this.sourceNames.every((n) => sameOffset(nextOffsets[n]!, this.targets![n]!))) {
      // available_now: the data is all read; the query ends once no no-data batch is due.
      const moreNoData = this.hasEvictingState && nextWatermark !== null && (entry.watermark === null || nextWatermark > entry.watermark)
      if (!moreNoData) this.done = true
    }

    await this.recordProgress(entry, output, perSource, numInputRows, stats, started, {
      ...durations, getBatch: t1 - t0, addBatch: t3 - t1, commitOffsets: t4 - t3, triggerExecution: t4 - started,
    }, t2 - t1)
  }

  private runNode(node: OperatorNode, input: Map<string, Row[]>, stats: Map<string, EventTimeStats>, ctx: BatchContext): ChangeBatch {
    return runTree(node, this.operators, (leaf) => {
      if (leaf.kind === 'source') {
        const rows = input.get(leaf.source) ?? []
        if (leaf.watermark) collectEventTime(stats, leaf.source, rows, leaf.watermark.column)
        return { rows, ops: null }
      }
      const table = this.opts.staticTables?.get(leaf.table)
      if (!table) throw new WeirError('INTERNAL_ERROR', `no static table "${leaf.table}"`, { domain: 'internal' })
      return { rows: table.rows, ops: null, snapshot: true }
    }, ctx)
  }

  private async recordProgress(
    entry: OffsetLogEntry, output: ChangeBatch, perSource: Record<string, number>, numInputRows: number,
    stats: Map<string, EventTimeStats>, started: number, durationMs: Record<string, number>, _opMs: number,
  ): Promise<void> {
    const batchDuration = durationMs.triggerExecution ?? 0
    const sinceLast = this.lastTriggerStart === null ? batchDuration : started - this.lastTriggerStart
    this.lastTriggerStart = started
    const rate = (rows: number, ms: number): number => (ms > 0 ? (rows * 1000) / ms : 0)
    const sources: SourceProgress[] = []
    for (const name of this.sourceNames) {
      const source = this.source(name)
      const latest = await source.latestOffset()
      const { start, end } = entry.offsets[name]!
      sources.push({
        description: source.description, startOffset: start, endOffset: end, latestOffset: latest,
        numInputRows: perSource[name] ?? 0,
        inputRowsPerSecond: rate(perSource[name] ?? 0, sinceLast),
        processedRowsPerSecond: rate(perSource[name] ?? 0, batchDuration),
        lag: source.distance(end, latest),
        ...(source.metrics ? { metrics: source.metrics() } : {}),
      })
    }
    const all = [...stats.values()].filter((s) => s.count > 0)
    const eventTime: Record<string, string> = {}
    if (all.length > 0) {
      const count = all.reduce((a, s) => a + s.count, 0)
      eventTime.min = iso(Math.min(...all.map((s) => s.min)))
      eventTime.max = iso(Math.max(...all.map((s) => s.max)))
      eventTime.avg = iso(Math.round(all.reduce((a, s) => a + s.sum, 0) / count))
    }
    if (entry.watermark !== null) eventTime.watermark = iso(entry.watermark)
    const stateOperators: StateOperatorProgress[] = []
    for (const [id, op] of this.operators) {
      const p = op.stateProgress()
      if (!p) continue
      const disk = this.opts.checkpoint.diskBytes ? await this.opts.checkpoint.diskBytes(`op-${id}`) : undefined
      stateOperators.push(disk === undefined ? { ...p } : { ...p, diskUsedBytes: disk })
    }
    const progress: QueryProgress = {
      id: this.opts.queryId, runId: this.runId, name: this.opts.name,
      timestamp: iso(entry.batchTimestamp), batchId: entry.batchId, batchDuration: Math.round(batchDuration),
      numInputRows, inputRowsPerSecond: rate(numInputRows, sinceLast), processedRowsPerSecond: rate(numInputRows, batchDuration),
      durationMs: Object.fromEntries(Object.entries(durationMs).map(([k, v]) => [k, Math.round(v * 1000) / 1000])),
      eventTime, stateOperators, sources,
      sink: { description: this.opts.sink.description, numOutputRows: countOutputRows(output) },
    }
    this.recentProgress.push(progress)
    const keep = this.opts.progressHistory ?? 100
    if (this.recentProgress.length > keep) this.recentProgress.splice(0, this.recentProgress.length - keep)
  }

  private source(name: string): Source {
    const s = this.opts.sources.get(name)
    if (!s) throw new WeirError('INTERNAL_ERROR', `no source for stream "${name}"`, { domain: 'internal' })
    return s
  }
}

/** Each node's consumer (the root has none). */
export function parentsOf(root: OperatorNode): Map<OperatorNode, OperatorNode> {
  const parents = new Map<OperatorNode, OperatorNode>()
  for (const n of graphNodes(root)) for (const c of nodeInputs(n)) parents.set(c, n)
  return parents
}

export function graphNodes(root: OperatorNode): OperatorNode[] {
  const out: OperatorNode[] = []
  const visit = (n: OperatorNode): void => {
    for (const c of nodeInputs(n)) visit(c)
    out.push(n)
  }
  visit(root)
  return out
}

function sourceWatermarkDelay(root: OperatorNode, name: string): number | null {
  const node = graphNodes(root).find((n) => n.kind === 'source' && n.source === name)
  return node && node.kind === 'source' && node.watermark ? node.watermark.delayMs : null
}

function collectEventTime(stats: Map<string, EventTimeStats>, source: string, rows: Row[], column: number): void {
  let s = stats.get(source)
  if (!s) stats.set(source, (s = { min: Infinity, max: -Infinity, sum: 0, count: 0 }))
  for (let i = 0; i < rows.length; i++) {
    const t = rows[i]![column]
    if (typeof t !== 'number') continue
    if (t < s.min) s.min = t
    if (t > s.max) s.max = t
    s.sum += t
    s.count++
  }
}

/** Rows as a Spark sink would count them: an update is one row (its `U-` half is not counted). */
function countOutputRows(batch: ChangeBatch): number {
  if (batch.ops === null) return batch.rows.length
  let n = 0
  for (const op of batch.ops) if (op !== 'U-') n++
  return n
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}
