import { statSync } from 'node:fs'
import { join } from 'node:path'
import type { Connector, ConnectorEnv, ConnectorOptions, ConnectorRole } from '../connector.ts'
import { invalidOption } from '../connector.ts'
import { WeirError } from '../../runtime/errors.ts'
import { boolOption, enumOption, intOption } from '../option-values.ts'
import { FileSink } from './file-sink.ts'
import { fileFormat, fileSinkOptions, resolveInRoots } from './file-sink-options.ts'
import { FileSource, type Cleanup, type FileSourceOptions } from './file-source.ts'
import { FileSourceIndex } from './file-source-index.ts'
import { fileDecoder } from './file-decode.ts'
import { inferFileFields, loadFileTable } from './file-table.ts'

const READ: readonly ConnectorRole[] = ['source', 'table']

export const fileConnector: Connector = {
  name: 'file',
  description: 'JSON-lines, CSV or Parquet files in a directory inside the allowed roots (WEIR_FILE_ROOTS): new files as a stream, one file as a static table, and a sink that writes part files recorded in `_weir_metadata/log.jsonl`, so readers never see partial or duplicate batches.',
  notes: [
    '**Paths.** `path` (and `archive_dir`) must resolve inside one of the allowed roots: `WEIR_FILE_ROOTS` (`:`-separated), or the data directory when it is unset. A relative path resolves against the first root; symbolic links are followed, so a link cannot lead outside; `../` that leaves the roots is refused with `INVALID_OPTION` at CREATE.',
    '**Source: write, then rename.** The source takes each new file once, in modification-time order (then name), and never reads a file that is still being written as long as producers follow the convention: write `name.tmp` (or `.name`), then rename it to its final name. Names starting with `.` or `_` and names ending in `.tmp` are ignored. Files must not change after they appear: only the bytes a file had when it was taken are read, and a file that shrinks or disappears before its batch committed fails the query (`SOURCE_FILE_CHANGED`). A name is taken once; reuse unique names.',
    '**Source offsets.** The offset is `{"files": N}`: the first N files of the query\'s durable file index (`<dataDir>/file-sources/<queryId>/<stream>.jsonl`), to which files are appended, fsynced, before an offset that covers them is logged. So a batch re-run after a crash reads exactly the same files and rows. A directory written by Weir\'s file sink is read through its log: committed parts only, in commit order. Lag (`distance`) is counted in files.',
    '**Cleanup.** With `cleanup = \'delete\'` or `\'archive\'`, a file is deleted or moved to `archive_dir` once the batch that read it has committed (lazily, when a later batch is planned), so a re-run batch always finds its files. Use cleanup only when one query reads the directory.',
    '**Columns.** The declared columns are the schema: JSON values are taken by column name (case-insensitively if no exact match; a missing key is NULL), CSV values by header name with `header = true`, by position otherwise, Parquet by column name. TIMESTAMP accepts ISO-8601 text and epoch milliseconds. With `infer_schema = true` the columns found in the oldest file (a table: its file) are added at CREATE after the declared ones. A row that cannot be read or converted is malformed: `on_error = \'fail\'` stops the query with `MALFORMED_INPUT`, `\'skip\'` drops and counts it.',
    '**Decoding on every core.** A file source hands files of 256 KiB or more to the server\'s decoding threads (`--decode-threads`, default one per core up to 4; 0 decodes on the query\'s thread): a batch\'s files decode in parallel, and while the query runs a batch the threads decode the next batch\'s files (up to 256 MiB ahead). JSON lines are read by a schema-aware scanner that skips the text of columns the query does not read; rows, malformed counts and errors are exactly those of decoding on the query\'s thread. Malformed rows skipped are counted in progress `sources[].metrics` (`malformedRecords`, `recordsSkipped`).',
    '**Sink rollover.** Without `rollover_rows`/`rollover_interval` each batch is one part file, visible at once. With either, batches accumulate in an open part kept durably in `_weir_metadata/staging-<queryId>.jsonl`; the part file is written and logged (one log line listing its batches) when it reaches `rollover_rows` rows, when its first batch is `rollover_interval` old, or when the query stops. Staged rows are invisible until then. Every crash point is recovered without loss or duplicates; see `connectors/file/file-sink.ts`.',
    '**Parquet** columns: TIMESTAMP → INT64 timestamp (millis, UTC), BIGINT → INT64, INT → INT32, DOUBLE, BOOLEAN, VARCHAR → UTF8 string, JSON → JSON string; all nullable.',
  ].join('\n\n'),
  options: [
    { name: 'path', type: 'string', required: true, description: 'Stream and sink: the directory. Table: the file (or a directory, whose files are read in name order). Absolute or relative to the first allowed root.' },
    { name: 'format', type: 'enum', values: ['json', 'csv', 'parquet'], default: 'json', description: 'JSON lines (one object per row), CSV, or Parquet.' },
    { name: 'header', type: 'boolean', default: 'true', description: 'CSV: the first line names the columns (read: columns are matched by these names; without a header, by position).' },
    { name: 'on_error', type: 'enum', values: ['fail', 'skip'], default: 'fail', roles: READ, description: 'A malformed row (not valid JSON or CSV, or a value not of its column\'s type) fails the query, or is dropped and counted.' },
    { name: 'infer_schema', type: 'boolean', default: 'false', roles: READ, description: 'At CREATE, add the columns found in the data (oldest file) after the declared ones, as Spark\'s schema inference; off by default, as Spark requires for streams.' },
    { name: 'max_files_per_batch', type: 'integer', roles: ['source'], description: 'At most this many new files in one micro-batch (the `once` trigger ignores it).' },
    { name: 'cleanup', type: 'enum', values: ['none', 'delete', 'archive'], default: 'none', roles: ['source'], description: 'What to do with a file once the batch that read it has committed.' },
    { name: 'archive_dir', type: 'string', roles: ['source'], description: 'With `cleanup = \'archive\'`: the directory files are moved to (inside the allowed roots).' },
    { name: 'rollover_rows', type: 'integer', roles: ['sink'], description: 'Accumulate batches in one part file until it holds this many rows.' },
    { name: 'rollover_interval', type: 'duration', roles: ['sink'], description: 'Accumulate batches in one part file until its first batch is this old (e.g. `\'1 minute\'`).' },
  ],
  source: {
    guarantee: 'exactly-once: each file is read once, and a re-run batch reads the same files',
    create: async (req, env) => {
      const opts = { ...sourceOptions(req.stream, req.fields, req.options, env), ...(req.columns ? { columns: req.columns } : {}) }
      const indexPath = env.dataDir === null ? null : join(env.dataDir, 'file-sources', encodeURIComponent(req.queryId), `${encodeURIComponent(req.stream)}.jsonl`)
      return new FileSource(opts, await FileSourceIndex.open(indexPath))
    },
  },
  sink: {
    guarantee: 'exactly-once',
    outputModes: ['append'],
    create: async (req, env) => {
      const o = fileSinkOptions(req.options, env.fileRoots)
      return FileSink.open(req.sink, o.path, o.format, { queryId: req.queryId, header: o.header, rolloverRows: o.rolloverRows, rolloverIntervalMs: o.rolloverIntervalMs, clock: env.clock })
    },
  },
  table: {
    load: (req, env) => loadFileTable(req.fields, req.options, env),
  },
  validate(role, options, env) {
    try {
      if (role === 'sink') {
        fileSinkOptions(options, env.fileRoots)
        return
      }
      if (options.path === undefined || options.path.trim() === '') throw invalidOption('a file stream or table needs WITH (path = \'…\')')
      const resolved = resolveInRoots(options.path, env.fileRoots, 'path')
      // As Spark ("Path does not exist"): a stream over a missing directory would silently read nothing.
      if (role === 'source' && !isDirectory(resolved)) {
        throw invalidOption(`path '${options.path}' is not an existing directory (resolved to ${resolved}); create it first`)
      }
      fileFormat(options)
      if (role === 'source') sourceOptions('', [], options, env)
    } catch (err) {
      if (err instanceof WeirError) throw err
      throw invalidOption(err instanceof Error ? err.message : String(err))
    }
  },
  inferFields: (role, options, env) => inferFileFields(role, options, env),
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function sourceOptions(stream: string, fields: FileSourceOptions['fields'], options: ConnectorOptions, env: ConnectorEnv): FileSourceOptions {
  const cleanup: Cleanup = enumOption(options, 'cleanup', ['none', 'delete', 'archive'], 'none')
  if (cleanup === 'archive' && options.archive_dir === undefined) throw invalidOption("cleanup = 'archive' needs archive_dir, the directory to move read files to")
  if (cleanup !== 'archive' && options.archive_dir !== undefined) throw invalidOption("archive_dir is used only with cleanup = 'archive'")
  const dir = resolveInRoots(options.path ?? '', env.fileRoots, 'path')
  const archiveDir = options.archive_dir === undefined ? null : resolveInRoots(options.archive_dir, env.fileRoots, 'archive_dir')
  if (archiveDir === dir) throw invalidOption('archive_dir must not be the source directory itself')
  return {
    stream, dir, fields, archiveDir, cleanup,
    format: fileFormat(options),
    header: boolOption(options, 'header', true),
    onError: enumOption(options, 'on_error', ['fail', 'skip'], 'fail'),
    maxFilesPerBatch: intOption(options, 'max_files_per_batch', null),
    startAtLatest: (options.startup_mode ?? 'earliest').toLowerCase() === 'latest',
    decoder: fileDecoder(env.decodeThreads),
  }
}
