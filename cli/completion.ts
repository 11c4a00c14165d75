/**
 * Tab completion: backslash commands, SQL keywords (in the case the word was started in),
 * stream/table/sink and column names from the catalog, query ids after `\stop`, and file names
 * after `\i`. Catalog names are cached for a few seconds and refreshed after DDL.
 */
import { readdirSync, statSync } from 'node:fs'
import { dirname, basename, join } from 'node:path'
import { COMMANDS } from './commands.ts'

export const KEYWORDS: readonly string[] = [
  'ALL', 'AND', 'APPEND', 'AS', 'ASC', 'AVG', 'BETWEEN', 'BIGINT', 'BOOLEAN', 'BY', 'CASE', 'CAST', 'CEIL', 'CHANGES',
  'COALESCE', 'COMPLETE', 'CONCAT', 'COUNT', 'CREATE', 'CUMULATE', 'DAY', 'DESC', 'DESCRIBE', 'DESCRIPTOR', 'DISTINCT',
  'DOUBLE', 'DROP', 'ELSE', 'EMIT', 'END', 'EXPLAIN', 'EXTRACT', 'FINAL', 'FLOOR', 'FOR', 'FROM', 'FULL', 'GROUP', 'HAVING',
  'HOP', 'HOUR', 'IN', 'INNER', 'INSERT', 'INT', 'INTERVAL', 'INTO', 'IS', 'JOIN', 'KEY', 'LEFT', 'LENGTH', 'LIKE', 'LIMIT',
  'LOWER', 'MAX', 'MIN', 'MINUTE', 'NOT', 'NULL', 'NULLIF', 'ON', 'OR', 'ORDER', 'OUTER', 'PRIMARY', 'QUERIES', 'QUERY',
  'RIGHT', 'ROUND', 'SECOND', 'SELECT', 'SESSION', 'SET', 'SHOW', 'SINK', 'SINKS', 'STOP', 'STREAM', 'STREAMS', 'SUBSTRING',
  'SUM', 'TABLE', 'TABLES', 'THEN', 'TIMESTAMP', 'TRIM', 'TUMBLE', 'UPDATE', 'UPPER', 'VALUES', 'VARCHAR', 'WATERMARK',
  'WHEN', 'WHERE', 'WITH',
]

export interface CompletionSource {
  /** Stream, table and sink names, and column names. */
  names(): Promise<{ readonly objects: readonly string[]; readonly columns: readonly string[] }>
  /** Ids and names of running queries. */
  queries(): Promise<readonly string[]>
}

const TTL_MS = 5000

export class Completer {
  private cache: { at: number; objects: readonly string[]; columns: readonly string[] } | null = null

  constructor(private readonly source: CompletionSource) {}

  /** Forgets cached names (after CREATE or DROP). */
  invalidate(): void {
    this.cache = null
  }

  /** readline's completer contract: the candidates and the text they replace. */
  async complete(line: string): Promise<[string[], string]> {
    const cmd = /^\s*(\\\S*)(\s+)?(.*)$/.exec(line)
    if (cmd) {
      const [, name = '', space, rest = ''] = cmd
      if (!space) return [COMMANDS.map((c) => c.name).filter((n) => n.startsWith(name)), name]
      const word = /\S*$/.exec(rest)![0]
      if (name === '\\d') return [filter([...(await this.names()).objects].sort(), word), word]
      if (name === '\\stop') return [filter(await this.safe(() => this.source.queries(), []), word), word]
      if (name === '\\i' || name === '\\include') return [files(word), word]
      if (name === '\\x' || name === '\\timing') return [filter(['on', 'off'], word), word]
      if (name === '\\format') return [filter(['table', 'json', 'csv'], word), word]
      return [[], word]
    }
    if (insideString(line)) return [[], '']
    const word = /[\w"]*$/.exec(line)![0]
    const { objects, columns } = await this.names()
    const lower = word !== '' && word === word.toLowerCase()
    const keywords = KEYWORDS.map((k) => (lower ? k.toLowerCase() : k))
    const sorted = (xs: readonly string[]): string[] => [...xs].sort()
    const afterFrom = /\b(from|join|into|table|describe|stream|sink|tumble\(|hop\(|session\(|cumulate\()\s*[\w"]*$/i.test(line)
    const candidates = afterFrom ? [...sorted(objects), ...keywords] : [...keywords, ...sorted(objects), ...sorted(columns)]
    return [[...new Set(filter(candidates, word))], word]
  }

  private async names(): Promise<{ objects: readonly string[]; columns: readonly string[] }> {
    if (this.cache && Date.now() - this.cache.at < TTL_MS) return this.cache
    const got = await this.safe(() => this.source.names(), null)
    if (!got) return { objects: [], columns: [] }
    this.cache = { at: Date.now(), objects: got.objects, columns: got.columns }
    return this.cache
  }

  private async safe<T>(f: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await f()
    } catch {
      // Completion never fails: without the server it completes what it knows.
      return fallback
    }
  }
}

function filter(candidates: readonly string[], word: string): string[] {
  const w = word.toLowerCase()
  return candidates.filter((c) => c.toLowerCase().startsWith(w))
}

/** True when the line ends inside a '…' string (no completion there). */
function insideString(line: string): boolean {
  let inside = false
  for (const c of line) if (c === "'") inside = !inside
  return inside
}

function files(word: string): string[] {
  const dir = word.endsWith('/') ? word : dirname(word)
  const base = word.endsWith('/') ? '' : basename(word)
  try {
    return readdirSync(dir === '' ? '.' : dir)
      .filter((n) => n.startsWith(base) && !n.startsWith('.'))
      .map((n) => {
        const p = dir === '.' && !word.startsWith('./') ? n : join(dir, n)
        return statSync(p).isDirectory() ? p + '/' : p
      })
      .sort()
  } catch {
    return []
  }
}
