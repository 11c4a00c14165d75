/**
 * The webhook sink: each batch is one HTTP POST of JSON to `url`:
 *
 *   {"batchId": 7, "queryId": "q1", "outputMode": "update", "snapshot": false,
 *    "changes": [{"op": "+", "row": {"user_id": 1, "n": 3}}, …]}
 *
 * with the headers `Idempotency-Key: <queryId>:<batchId>`, `X-Weir-Batch-Id` and
 * `X-Weir-Query-Id`. A batch without changes is not sent (except a complete-mode snapshot,
 * where an empty result means something).
 *
 * Guarantee: at-least-once, idempotent by batch id. A network error, a timeout, a 5xx or a 429
 * is retried with exponential backoff (`retry_backoff` · 2^attempt, at most 30 s) up to
 * `max_retries` times with the same body and key; then the query fails with
 * SINK_WRITE_FAILED, and when it is restarted the batch is sent again, again with the same
 * key. Another 4xx fails at once (the receiver refused the batch). A receiver that stores each
 * `Idempotency-Key` once sees every batch exactly once.
 */
import type { Sink, SinkBatchInfo } from '../../runtime/sink.ts'
import type { ChangeBatch } from '../../runtime/types.ts'
import { WeirError } from '../../runtime/errors.ts'
import { wireObject } from '../wire-rows.ts'

export interface WebhookSinkOptions {
  readonly url: string
  readonly maxRetries: number
  readonly retryBackoffMs: number
  readonly timeoutMs: number
  /** Sent as the `Authorization` header. */
  readonly authorization: string | null
}

export class WebhookSink implements Sink {
  readonly guarantee = 'at-least-once' as const
  readonly description: string
  /** Requests made, including retries (for tests and progress). */
  attempts = 0

  constructor(name: string, private readonly opts: WebhookSinkOptions) {
    this.description = `WebhookSink[${name}: ${new URL(opts.url).origin}]`
  }

  async write(batchId: number, changes: ChangeBatch, info: SinkBatchInfo): Promise<void> {
    const snapshot = changes.snapshot === true
    if (changes.rows.length === 0 && !snapshot) return
    const body = JSON.stringify({
      batchId, queryId: info.queryId, outputMode: info.outputMode, snapshot,
      changes: changes.rows.map((row, i) => ({ op: changes.ops?.[i] ?? '+', row: wireObject(row, info.schema.fields) })),
    })
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': `${info.queryId}:${batchId}`,
      'x-weir-batch-id': String(batchId),
      'x-weir-query-id': info.queryId,
    }
    if (this.opts.authorization !== null) headers.authorization = this.opts.authorization
    for (let attempt = 0; ; attempt++) {
      const failure = await this.post(body, headers)
      if (failure === null) return
      if (!failure.retry || attempt >= this.opts.maxRetries) {
        throw new WeirError('SINK_WRITE_FAILED',
          `${this.description} could not deliver batch ${batchId} after ${attempt + 1} attempt(s): ${failure.reason}`,
          { domain: 'external', retryable: failure.retry })
      }
      await sleep(Math.min(30_000, this.opts.retryBackoffMs * 2 ** attempt))
    }
  }

  async close(): Promise<void> {}

  /** null on success, else why and whether to retry. */
  private async post(body: string, headers: Record<string, string>): Promise<{ reason: string; retry: boolean } | null> {
    this.attempts++
    try {
      const res = await fetch(this.opts.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(this.opts.timeoutMs), redirect: 'manual' })
      await res.arrayBuffer().catch(() => undefined)
      if (res.status >= 200 && res.status < 300) return null
      return { reason: `HTTP ${res.status}`, retry: res.status >= 500 || res.status === 429 }
    } catch (err) {
      const e = err as Error
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : (e.cause instanceof Error ? e.cause.message : e.message)
      return { reason, retry: true }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
