/** Secrets in connector options never leave the server in clear. */
import { secretOptions } from '../connectors/connector.ts'
import { connector } from '../connectors/registry.ts'

const SECRET = /pass(word)?|secret|token|sasl|credential|private|api[_-]?key/i

export function redactOptions(options: Readonly<Record<string, string>>): Record<string, string> {
  // Options the connector declares secret (a webhook's `authorization`), and anything named like one.
  const declared = secretOptions(connector(options.connector ?? ''))
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(options)) out[k] = SECRET.test(k) || declared.has(k) ? '***' : v
  return out
}
