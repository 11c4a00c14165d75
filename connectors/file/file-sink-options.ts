/**
 * The options of a file sink (`CREATE SINK s WITH (connector = 'file', path = '…', format =
 * 'json' | 'csv' | 'parquet', rollover_rows, rollover_interval)`) and where file connectors'
 * files may be (the sink, the source and static tables share `resolveInRoots`).
 *
 * A path must resolve inside one of the allowed roots: the `WEIR_FILE_ROOTS` environment
 * variable (':'-separated absolute directories) or, when it is unset, the server's data
 * directory. A relative path resolves against the first root. Symbolic links are followed for
 * the part of the path that exists, so a link cannot lead outside a root.
 */
import { realpathSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { WeirError } from '../../runtime/errors.ts'
import { boolOption, durationOption, intOption } from '../option-values.ts'
import { FILE_FORMATS, type FileFormat } from './file-formats.ts'

export type { FileFormat } from './file-formats.ts'

export interface FileSinkOptions {
  /** The absolute directory the sink writes to. */
  readonly path: string
  readonly format: FileFormat
  /** CSV: write a header line. */
  readonly header: boolean
  /** Finish a part file once it holds this many rows (null: no row limit). */
  readonly rolloverRows: number | null
  /** Finish a part file this long after its first batch (null: no time limit). */
  readonly rolloverIntervalMs: number | null
}

/** The allowed roots: `WEIR_FILE_ROOTS` if set, else the data directory (none without one). */
export function fileRoots(dataDir: string | null, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env.WEIR_FILE_ROOTS?.split(':').filter((r) => r.trim() !== '').map((r) => resolve(r))
  if (fromEnv && fromEnv.length > 0) return fromEnv
  return dataDir === null ? [] : [resolve(dataDir)]
}

/** Checks the options and resolves the path; throws INVALID_OPTION. */
export function fileSinkOptions(options: Readonly<Record<string, string>>, roots: readonly string[]): FileSinkOptions {
  const format = fileFormat(options)
  const path = options.path
  if (path === undefined || path.trim() === '') throw invalid(`a file sink needs WITH (path = '…'), a directory for its files`)
  return {
    path: resolveInRoots(path, roots, 'path'),
    format,
    header: boolOption(options, 'header', true),
    rolloverRows: intOption(options, 'rollover_rows', null),
    rolloverIntervalMs: durationOption(options, 'rollover_interval', null),
  }
}

export function fileFormat(options: Readonly<Record<string, string>>): FileFormat {
  const format = FILE_FORMATS.find((f) => f === (options.format ?? 'json').toLowerCase())
  if (format === undefined) throw invalid(`format must be 'json' (JSON lines), 'csv' or 'parquet', not '${options.format}'`)
  return format
}

/**
 * The absolute path of a `path`-like option; throws INVALID_OPTION when it lies outside every
 * allowed root (after following symbolic links of the part that exists).
 */
export function resolveInRoots(path: string, roots: readonly string[], option: string): string {
  if (roots.length === 0) {
    throw invalid('file connectors are disabled: the server has no data directory and WEIR_FILE_ROOTS is not set')
  }
  const resolved = resolve(roots[0]!, path)
  const real = realpathOfExisting(resolved)
  const inside = roots.some((root) => {
    const r = realpathOfExisting(root)
    const rel = relative(r, real)
    return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel))
  })
  if (!inside) throw invalid(`${option} '${path}' is outside the allowed directories (${roots.join(', ')}); set WEIR_FILE_ROOTS to allow more`)
  return resolved
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
