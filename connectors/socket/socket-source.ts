/**
 * The socket source (Spark's `socket` format): lines of text read from a TCP server that Weir
 * connects to, for tests and demos.
 *
 * WARNING: NOT fault-tolerant. The offset is the number of lines received, counted in this
 * process; lines live only in memory. A restart loses every line received but not yet
 * processed, and lines sent while no query was connected are never seen. After a restart the
 * count goes on from the checkpoint's offset, so batch ids and offsets stay monotonic. A batch
 * re-run after a crash cannot get its lines back: it reads whatever of its range this process
 * has (usually nothing).
 *
 * Each line is one row: with `format = 'text'` the stream's single VARCHAR column holds the
 * line; with `'json'` or `'csv'` the line is parsed like a line of a file (file-formats.ts).
 */
import { createConnection, type Socket } from 'node:net'
import type { ReadLimit, Source, SourceOffset } from '../../runtime/source.ts'
import type { Field, Row } from '../../runtime/types.ts'
import { WeirError } from '../../runtime/errors.ts'
import { parseCsvText, type OnError } from '../file/file-formats.ts'
import { parseJsonLines } from '../file/json-scan.ts'

export interface SocketSourceOptions {
  readonly stream: string
  readonly host: string
  readonly port: number
  readonly fields: readonly Field[]
  readonly format: 'text' | 'json' | 'csv'
  readonly onError: OnError
  readonly startAtLatest: boolean
}

export class SocketSource implements Source {
  readonly description: string
  /** The offset of `lines[0]`. */
  private base = 0
  private adopted = false
  private lines: string[] = []
  private partial = ''
  private readonly listeners = new Set<() => void>()
  private closed = false

  private constructor(private readonly opts: SocketSourceOptions, private readonly socket: Socket) {
    this.description = `SocketSource[${opts.stream}: ${opts.host}:${opts.port}]`
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => this.receive(chunk))
    socket.on('end', () => this.receive('\n'))
    socket.on('error', () => undefined)
  }

  static async connect(opts: SocketSourceOptions): Promise<SocketSource> {
    const socket = createConnection({ host: opts.host, port: opts.port })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', (err) => reject(new WeirError('SOURCE_UNAVAILABLE', `cannot connect to ${opts.host}:${opts.port} for stream ${opts.stream}: ${err.message}`, { domain: 'external', cause: err })))
    })
    return new SocketSource(opts, socket)
  }

  /** Lines received so far in this process (for tests and progress). */
  get received(): number {
    return this.base + this.lines.length
  }

  async initialOffset(): Promise<SourceOffset> {
    this.adopted = true
    return this.opts.startAtLatest ? this.received : this.base
  }

  async latestOffset(): Promise<SourceOffset> {
    return this.received
  }

  async endOffset(start: SourceOffset, limit: ReadLimit): Promise<SourceOffset> {
    const from = this.adopt(start)
    // Lines before `from` are committed: drop them.
    if (from > this.base) {
      this.lines = this.lines.slice(Math.min(from - this.base, this.lines.length))
      this.base = from
    }
    const latest = this.received
    return limit.maxRows === null ? latest : Math.min(latest, from + limit.maxRows)
  }

  async read(start: SourceOffset, end: SourceOffset): Promise<Row[]> {
    const from = Math.max(this.adopt(start), this.base)
    const to = Math.min(asCount(end), this.received)
    const lines = from < to ? this.lines.slice(from - this.base, to - this.base) : []
    const fields = this.opts.fields
    const file = `${this.opts.host}:${this.opts.port}`
    switch (this.opts.format) {
      case 'text':
        return lines.map((l) => [l])
      case 'json':
        return parseJsonLines(lines.join('\n'), { fields, format: 'json', header: false, onError: this.opts.onError, file }).rows
      case 'csv':
        return parseCsvText(lines.join('\n'), { fields, format: 'csv', header: false, onError: this.opts.onError, file }).rows
    }
  }

  distance(from: SourceOffset, to: SourceOffset): number {
    return asCount(to) - asCount(from)
  }

  onData(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
  }

  private receive(chunk: string): void {
    const parts = (this.partial + chunk).split('\n')
    this.partial = parts.pop()!
    let added = 0
    for (const p of parts) {
      const line = p.endsWith('\r') ? p.slice(0, -1) : p
      if (line === '') continue
      this.lines.push(line)
      added++
    }
    if (added > 0) for (const l of this.listeners) l()
  }

  /** A fresh process continues numbering from the checkpoint's offset. */
  private adopt(o: SourceOffset): number {
    const n = asCount(o)
    if (!this.adopted) {
      this.adopted = true
      if (n > this.base) this.base = n
    }
    return n
  }
}

function asCount(o: SourceOffset): number {
  if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o
  throw new WeirError('CHECKPOINT_CORRUPT', `not a socket source offset: ${JSON.stringify(o)}`, { domain: 'internal' })
}
