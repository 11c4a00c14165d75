/**
 * Narrowing helpers for node-sql-parser's loose tree. The converters see that tree only as
 * `unknown` and read it through these, so no `any` crosses into our code.
 */
export type Loose = { readonly [key: string]: unknown }

export function isObj(x: unknown): x is Loose {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

export function get(x: unknown, key: string): unknown {
  return isObj(x) ? x[key] : undefined
}

export function str(x: unknown): string | null {
  return typeof x === 'string' ? x : null
}

export function list(x: unknown): readonly unknown[] {
  return Array.isArray(x) ? x : []
}

/** A field that must be absent, null, false or empty for us to accept the node. */
export function isSet(x: unknown): boolean {
  if (x === undefined || x === null || x === false) return false
  if (Array.isArray(x)) return x.length > 0
  return true
}

/** The absolute start offset of a node's parser location, if it has one. */
export function locStart(x: unknown, base: number): number | null {
  const offset = get(get(get(x, 'loc'), 'start'), 'offset')
  return typeof offset === 'number' ? base + offset : null
}
