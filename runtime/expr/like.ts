/**
 * LIKE / ILIKE patterns: `%` any run of characters, `_` one character, `\` escapes the next
 * character (the default escape of PostgreSQL and Spark). A literal pattern is compiled once
 * per query; common shapes avoid regular expressions altogether.
 */
export type Matcher = (s: string) => boolean

type Token = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'any' } | { readonly kind: 'one' }

function tokenize(pattern: string): Token[] {
  const out: Token[] = []
  let text = ''
  const flush = (): void => {
    if (text !== '') out.push({ kind: 'text', text })
    text = ''
  }
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\') {
      // A trailing escape escapes nothing: match it literally (a literal pattern ending so is
      // rejected at bind time; this is for patterns computed per row).
      text += i + 1 < pattern.length ? pattern[++i]! : '\\'
    } else if (c === '%') {
      flush()
      if (out.at(-1)?.kind !== 'any') out.push({ kind: 'any' })
    } else if (c === '_') {
      flush()
      out.push({ kind: 'one' })
    } else {
      text += c
    }
  }
  flush()
  return out
}

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g

export function likeMatcher(pattern: string, caseInsensitive: boolean): Matcher {
  const t = tokenize(pattern)
  if (!caseInsensitive) {
    const text = (i: number): string | null => {
      const tok = t[i]
      return tok?.kind === 'text' ? tok.text : null
    }
    const isAny = (i: number): boolean => t[i]?.kind === 'any'
    if (t.length === 0) return (s) => s === ''
    if (t.length === 1 && isAny(0)) return () => true
    const a = text(0)
    const b = text(1)
    if (t.length === 1 && a !== null) return (s) => s === a
    if (t.length === 2 && a !== null && isAny(1)) return (s) => s.startsWith(a)
    if (t.length === 2 && isAny(0) && b !== null) return (s) => s.endsWith(b)
    if (t.length === 3 && isAny(0) && b !== null && isAny(2)) return (s) => s.includes(b)
  }
  const source = t
    .map((tok) => (tok.kind === 'text' ? tok.text.replace(REGEX_SYNTAX, '\\$&') : tok.kind === 'any' ? '.*' : '.'))
    .join('')
  // `s`: `_` and `%` match newlines too; `u`: `_` is one code point.
  const re = new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su')
  return (s) => re.test(s)
}

// Patterns computed per row: keep the compiled matchers of recent patterns.
const dynamicCache = new Map<string, Matcher>()
const DYNAMIC_CACHE_LIMIT = 256

export function likeDynamic(s: string, pattern: string, caseInsensitive: boolean): boolean {
  const key = (caseInsensitive ? 'i' : 's') + pattern
  let m = dynamicCache.get(key)
  if (m === undefined) {
    if (dynamicCache.size >= DYNAMIC_CACHE_LIMIT) dynamicCache.clear()
    m = likeMatcher(pattern, caseInsensitive)
    dynamicCache.set(key, m)
  }
  return m(s)
}
