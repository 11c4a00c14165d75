/** Secrets in connector options never leave the server in clear. */
const SECRET = /pass(word)?|secret|token|sasl|credential|private|api[_-]?key/i

export function redactOptions(options: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(options)) out[k] = SECRET.test(k) ? '***' : v
  return out
}
