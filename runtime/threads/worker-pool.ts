/**
 * A pool of worker threads that all run one module, for CPU-heavy work that would otherwise hold
 * the query thread — today, decoding source files (connectors/file/file-decode.ts). Each request
 * gets exactly one reply; requests go to the least busy worker, so a batch of requests spreads
 * over the pool and runs in parallel.
 *
 * Workers start on first use and are unref'd: an idle pool never keeps the process alive. A
 * worker that dies fails its pending requests with INTERNAL_ERROR and is replaced on demand.
 * Errors thrown by a handler come back as a `WeirError` with the same code, message, domain and
 * retryability.
 *
 * The worker module calls `serveRequests(handler)` once at load.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { WeirError, type ErrorDomain } from '../errors.ts'

const ENTRY = new URL('./worker-entry.mjs', import.meta.url)

interface Request<Req> {
  readonly id: number
  readonly req: Req
}

interface SerializedError {
  readonly message: string
  readonly code: string | null
  readonly domain: ErrorDomain
  readonly retryable: boolean
}

type Reply<Res> = { readonly id: number; readonly res: Res } | { readonly id: number; readonly error: SerializedError }

interface Pending<Res> {
  resolve(res: Res): void
  reject(err: Error): void
}

interface Slot<Res> {
  readonly worker: Worker
  readonly pending: Map<number, Pending<Res>>
  dead: boolean
}

export class WorkerPool<Req, Res> {
  private readonly slots: Slot<Res>[] = []
  private nextId = 1
  private closed = false

  /** `module`: the worker module's URL (it calls `serveRequests`); `size`: at most this many workers. */
  constructor(private readonly module: URL, readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a worker pool needs at least one worker, not ${size}`)
  }

  /** Requests in flight. */
  get busy(): number {
    return this.slots.reduce((n, s) => n + s.pending.size, 0)
  }

  /** Runs one request on the least busy worker (starting one when all are busy and the pool is not full). */
  run(req: Req): Promise<Res> {
    if (this.closed) return Promise.reject(new WeirError('INTERNAL_ERROR', 'the worker pool is closed', { domain: 'internal' }))
    const slot = this.pick()
    const id = this.nextId++
    return new Promise<Res>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject })
      if (slot.pending.size === 1) slot.worker.ref()
      slot.worker.postMessage({ id, req } satisfies Request<Req>)
    })
  }

  /** Stops every worker; pending requests fail. */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()))
  }

  private pick(): Slot<Res> {
    let best: Slot<Res> | null = null
    for (const s of this.slots) if (!best || s.pending.size < best.pending.size) best = s
    if (best && (best.pending.size === 0 || this.slots.length >= this.size)) return best
    return this.start()
  }

  private start(): Slot<Res> {
    const worker = new Worker(ENTRY, { workerData: { weirModule: this.module.href } })
    const slot: Slot<Res> = { worker, pending: new Map(), dead: false }
    worker.unref()
    worker.on('message', (reply: Reply<Res>) => {
      const p = slot.pending.get(reply.id)
      if (!p) return
      slot.pending.delete(reply.id)
      if (slot.pending.size === 0) worker.unref()
      if ('error' in reply) p.reject(toError(reply.error))
      else p.resolve(reply.res)
    })
    const fail = (why: string): void => {
      if (slot.dead) return
      slot.dead = true
      const i = this.slots.indexOf(slot)
      if (i >= 0) this.slots.splice(i, 1)
      for (const p of slot.pending.values()) p.reject(new WeirError('INTERNAL_ERROR', `a worker thread failed: ${why}`, { domain: 'internal' }))
      slot.pending.clear()
    }
    worker.on('error', (err) => fail(err.message))
    worker.on('exit', (code) => fail(`it exited with code ${code}`))
    this.slots.push(slot)
    return slot
  }
}

/**
 * In a pool's worker module: answers requests with `handler` (sync or async) until the thread
 * ends. `transfer` names the buffers of a reply to move to the pool's thread instead of copying.
 */
export function serveRequests<Req, Res>(handler: (req: Req) => Res | Promise<Res>, transfer?: (res: Res) => ArrayBuffer[]): void {
  if (isMainThread || !parentPort || (workerData as { weirModule?: string } | null)?.weirModule === undefined) {
    throw new Error('serveRequests runs only in a WorkerPool worker')
  }
  const port = parentPort
  port.on('message', ({ id, req }: Request<Req>) => {
    void (async () => {
      let reply: Reply<Res>
      let moved: ArrayBuffer[] = []
      try {
        const res = await handler(req)
        if (transfer) moved = transfer(res)
        reply = { id, res }
      } catch (err) {
        reply = { id, error: serialize(err) }
      }
      port.postMessage(reply, moved)
    })()
  })
}

function serialize(err: unknown): SerializedError {
  if (err instanceof WeirError) return { message: err.message, code: err.code, domain: err.domain, retryable: err.retryable }
  return { message: err instanceof Error ? err.message : String(err), code: null, domain: 'internal', retryable: false }
}

function toError(e: SerializedError): Error {
  if (e.code === null) return new WeirError('INTERNAL_ERROR', `in a worker thread: ${e.message}`, { domain: 'internal' })
  return new WeirError(e.code, e.message, { domain: e.domain, retryable: e.retryable })
}
