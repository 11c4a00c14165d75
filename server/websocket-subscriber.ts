/**
 * One websocket subscriber of a query, with a bounded send buffer.
 *
 * A frame is sent at once while the connection's unsent bytes (`ws.bufferedAmount`) stay under
 * the bound. Past it the subscriber is *slow*, and what happens depends on the output mode:
 *
 * - complete: only the latest snapshot is kept (a shared Buffer) and sent when the socket drains;
 * - update: the batches are merged into one net change set (deletions, then insertions) of at
 *   most `coalesceRows` rows, sent as one `batch` frame with `coalesced: true` on drain;
 * - append: every row matters and nothing can be merged, so the subscriber is disconnected.
 *
 * Either way the query and the other subscribers never wait, and this subscriber holds at most
 * its bound plus one frame, or its coalesced rows.
 */
import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'
import type { OutputMode } from '../runtime/graph.ts'
import type { ChangeBatch, Op, Row } from '../runtime/types.ts'
import type { RowEncoder } from './routes/wire.ts'
import { coalescedFrame } from './websocket-frames.ts'

/** Close code for a subscriber that could not keep up (private-use range). */
export const CLOSE_TOO_SLOW = 4008

export interface SubscriberLimits {
  readonly bufferBytes: number
  readonly coalesceRows: number
}

export interface BatchOutput {
  readonly batchId: number
  readonly watermark: number | null
  readonly changes: ChangeBatch
  readonly outputMode: OutputMode
  readonly encode: RowEncoder
}

interface Pending {
  fromBatchId: number
  batchId: number
  watermark: number | null
  /** Net multiplicity per row (JSON of the wire row). */
  readonly rows: Map<string, { row: Row; count: number }>
}

export class Subscriber {
  private snapshot: Buffer | null = null
  private delta: Pending | null = null
  private gone = false
  /** The largest `bufferedAmount` seen (tests and metrics). */
  maxBuffered = 0

  constructor(
    readonly ws: WebSocket,
    socket: Duplex,
    private readonly limits: SubscriberLimits,
    private readonly onGone: (s: Subscriber) => void,
  ) {
    socket.on('drain', () => this.flush())
    ws.on('close', () => this.drop())
    ws.on('error', () => this.drop())
  }

  get closed(): boolean {
    return this.gone
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount
  }

  /** Sends whatever the buffer holds (schema, error and end frames). */
  send(frame: Buffer): void {
    if (this.gone || this.ws.readyState !== this.ws.OPEN) return
    this.ws.send(frame, { binary: false })
    this.note()
  }

  /** A batch's output frame; see the class comment for slow subscribers. */
  deliver(frame: Buffer, out: BatchOutput): void {
    if (this.gone) return
    if (this.snapshot === null && this.delta === null && this.fits(frame.length)) {
      this.send(frame)
      return
    }
    switch (out.outputMode) {
      case 'append':
        this.disconnect(`subscriber too slow: more than ${this.limits.bufferBytes} bytes unsent in an append-mode query`)
        return
      case 'complete':
        this.snapshot = frame
        break
      case 'update':
        if (!this.merge(out)) return
        break
    }
    this.flush()
  }

  /** Progress frames are dropped for a slow subscriber: the next one supersedes them. */
  progress(frame: Buffer): void {
    if (this.snapshot === null && this.delta === null && this.fits(frame.length)) this.send(frame)
  }

  /** Ends the subscription: the frame (if any), then a close with `code`. */
  end(frame: Buffer | null, code: number, reason: string): void {
    if (this.gone) return
    this.flush()
    if (frame) this.send(frame)
    this.drop()
    this.ws.close(code, reason)
    // A client that never reads would never answer the close handshake.
    setTimeout(() => this.ws.terminate(), 2000).unref()
  }

  disconnect(reason: string): void {
    this.snapshot = null
    this.delta = null
    this.end(null, CLOSE_TOO_SLOW, reason.slice(0, 120))
  }

  private fits(bytes: number): boolean {
    const buffered = this.ws.bufferedAmount
    return buffered === 0 || buffered + bytes <= this.limits.bufferBytes
  }

  private merge(out: BatchOutput): boolean {
    const d = this.delta ?? (this.delta = { fromBatchId: out.batchId, batchId: out.batchId, watermark: out.watermark, rows: new Map() })
    d.batchId = out.batchId
    d.watermark = out.watermark
    const { rows, ops } = out.changes
    for (let i = 0; i < rows.length; i++) {
      const op = ops === null ? '+' : ops[i]!
      const row = out.encode(rows[i]!)
      const key = JSON.stringify(row)
      const e = d.rows.get(key)
      const delta = op === '+' || op === 'U+' ? 1 : -1
      if (e) {
        e.count += delta
        if (e.count === 0) d.rows.delete(key)
      } else {
        d.rows.set(key, { row, count: delta })
      }
    }
    if (d.rows.size > this.limits.coalesceRows) {
      this.disconnect(`subscriber too slow: more than ${this.limits.coalesceRows} changed rows pending`)
      return false
    }
    return true
  }

  /** Sends the coalesced frame once the buffer is at most half full. */
  private flush(): void {
    if (this.gone || (this.snapshot === null && this.delta === null)) return
    if (this.ws.bufferedAmount > this.limits.bufferBytes / 2) return
    if (this.snapshot !== null) {
      const s = this.snapshot
      this.snapshot = null
      this.send(s)
    }
    if (this.delta !== null) {
      const d = this.delta
      this.delta = null
      const changes: [Op, Row][] = []
      for (const { row, count } of d.rows.values()) for (let i = count; i < 0; i++) changes.push(['-', row])
      for (const { row, count } of d.rows.values()) for (let i = 0; i < count; i++) changes.push(['+', row])
      this.send(coalescedFrame(d.fromBatchId, d.batchId, d.watermark, changes))
    }
  }

  private note(): void {
    const b = this.ws.bufferedAmount
    if (b > this.maxBuffered) this.maxBuffered = b
  }

  private drop(): void {
    if (this.gone) return
    this.gone = true
    this.onGone(this)
  }
}
