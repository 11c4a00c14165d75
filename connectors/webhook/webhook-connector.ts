import type { Connector, ConnectorOptions } from '../connector.ts'
import { invalidOption } from '../connector.ts'
import { durationOption, intOption } from '../option-values.ts'
import { WebhookSink, type WebhookSinkOptions } from './webhook-sink.ts'

const LOOPBACK = 'localhost,127.0.0.1,::1'

export const webhookConnector: Connector = {
  name: 'webhook',
  description: 'POSTs each batch as JSON to an HTTP endpoint, with the batch id as idempotency key.',
  notes: [
    'Body: `{"batchId": 7, "queryId": "q1", "outputMode": "update", "snapshot": false, "changes": [{"op": "+", "row": {"user_id": 1, "n": 3}}]}`; `op` is `+`, `-`, `U-` or `U+`; timestamps are ISO-8601 with `Z`. Headers: `Idempotency-Key: <queryId>:<batchId>`, `X-Weir-Batch-Id`, `X-Weir-Query-Id`. Batches without changes are not sent (a complete-mode snapshot always is).',
    '**At-least-once.** Network errors, timeouts, 5xx and 429 answers are retried with exponential backoff up to `max_retries`; then the query fails with `SINK_WRITE_FAILED`, and the batch is sent again, with the same key, when the query restarts (so is a batch that was delivered just before a crash). Any other 4xx fails the query at once. A receiver that keeps each `Idempotency-Key` once gets each batch exactly once.',
    '**Allowed hosts.** The URL\'s host must be in `allowed_hosts` (by default only loopback: `localhost`, `127.0.0.1`, `::1`), else CREATE SINK fails with `INVALID_OPTION`; `*` allows any host. This keeps SQL users from making the server call arbitrary addresses.',
  ].join('\n\n'),
  options: [
    { name: 'url', type: 'string', required: true, description: 'The `http://` or `https://` URL to POST to.' },
    { name: 'allowed_hosts', type: 'string', default: LOOPBACK, description: 'Comma-separated host names the URL may point at; `*` for any.' },
    { name: 'max_retries', type: 'integer', default: '5', description: 'Retries of a batch after a network error, timeout, 5xx or 429.' },
    { name: 'retry_backoff', type: 'duration', default: '200ms', description: 'Wait before the first retry; doubled for each next one (at most 30 s).' },
    { name: 'timeout', type: 'duration', default: '10s', description: 'How long one request may take.' },
    { name: 'authorization', type: 'string', secret: true, description: 'Sent as the `Authorization` header, e.g. `Bearer …`.' },
  ],
  sink: {
    guarantee: 'at-least-once',
    outputModes: ['append', 'update', 'complete'],
    create: async (req) => new WebhookSink(req.sink, webhookOptions(req.options)),
  },
  validate(_role, options) {
    webhookOptions(options)
  },
}

export function webhookOptions(options: ConnectorOptions): WebhookSinkOptions {
  let url: URL
  try {
    url = new URL(options.url ?? '')
  } catch {
    throw invalidOption(`option url must be an http:// or https:// URL, not '${options.url}'`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidOption(`option url must be an http:// or https:// URL, not '${options.url}'`)
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const allowed = (options.allowed_hosts ?? LOOPBACK).split(',').map((h) => h.trim().replace(/^\[|\]$/g, '').toLowerCase()).filter((h) => h !== '')
  if (!allowed.includes('*') && !allowed.includes(host)) {
    throw invalidOption(`webhook host '${host}' is not in allowed_hosts (${allowed.join(', ')}); add it to allowed_hosts to allow it`)
  }
  return {
    url: url.toString(),
    maxRetries: intOption(options, 'max_retries', 5),
    retryBackoffMs: durationOption(options, 'retry_backoff', 200),
    timeoutMs: durationOption(options, 'timeout', 10_000),
    authorization: options.authorization ?? null,
  }
}
