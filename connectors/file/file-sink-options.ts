/**
 * The options of a file sink (`CREATE SINK s WITH (connector = 'file', path = '…', format =
 * 'json' | 'csv')`) and where its files may go.
 *
 * A path must resolve inside one of the allowed roots: the `WEIR_FILE_ROOTS` environment
 * variable (':'-separated absolute directories) or, when it is unset, the server's data
 * directory. A relative path resolves against the first root. Symbolic links are followed for
 * the part of the path that exists, so a link cannot lead outside a root.
 */
import { realpathSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { WeirError } from '../../runtime/errors.ts'

export type FileFormat = 'json' | 'csv'

export interface FileSinkOptions {
  /** The absolute directory the sink writes to. */
  readonly path: string
  readonly format: FileFormat
}

export const FILE_SINK_OPTION_KEYS: ReadonlySet<string> = new Set(['connector', 'path', 'format'])

/** The allowed roots: `WEIR_FILE_ROOTS` if set, else the data directory (none without one). */
export function fileRoots(dataDir: string | null, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env.WEIR_FILE_ROOTS?.split(':').filter((r) => r.trim() !== '').map((r) => resolve(r))
  if (fromEnv && fromEnv.length > 0) return fromEnv
  return dataDir === null ? [] : [resolve(dataDir)]
}

/** Checks the options and resolves the path; throws INVALID_OPTION. */
export function fileSinkOptions(options: Readonly<Record<string, string>>, roots: readonly string[]): FileSinkOptions {
  const format = (options.format ?? 'json').toLowerCase()
  if (format !== 'json' && format !== 'csv') {
    throw invalid(`format must be 'json' (JSON lines) or 'csv', not '${options.format}'`)
  }
  const path = options.path
  if (path === undefined || path.trim() === '') throw invalid(`a file sink needs WITH (path = '…'), a directory for its files`)
  if (roots.length === 0) {
    throw invalid('file sinks are disabled: the server has no data directory and WEIR_FILE_ROOTS is not set')
  }
  const resolved = resolve(roots[0]!, path)
  const real = realpathOfExisting(resolved)
  const inside = roots.some((root) => {
    const r = realpathOfExisting(root)
    const rel = relative(r, real)
    return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel))
  })
  if (!inside) throw invalid(`path '${path}' is outside the allowed directories (${roots.join(', ')}); set WEIR_FILE_ROOTS to allow more`)
  return { path: resolved, format }
}

/** The real path of the longest existing ancestor, with the rest appended. */
function realpathOfExisting(p: string): string {
  let head = p
  const tail: string[] = []
  for (;;) {
    try {
      return resolve(realpathSync(head), ...tail.reverse())
    } catch {
      const parent = dirname(head)
      if (parent === head) return p
      tail.push(head.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)))
      head = parent
    }
  }
}

function invalid(message: string): WeirError {
  return new WeirError('INVALID_OPTION', message, { domain: 'user' })
}
