import type { Connector } from '../connector.ts'
import { invalidOption } from '../connector.ts'
import { FileSink } from './file-sink.ts'
import { fileSinkOptions } from './file-sink-options.ts'

export const fileConnector: Connector = {
  name: 'file',
  description: 'JSON-lines or CSV files in a directory inside the allowed roots (WEIR_FILE_ROOTS). The sink writes each batch to a temporary file, renames it, and records it in `_weir_metadata/log.jsonl`, so readers never see partial or duplicate batches.',
  options: [
    { name: 'path', type: 'string', required: true, description: 'The directory, absolute or relative to the first allowed root.' },
    { name: 'format', type: 'enum', values: ['json', 'csv'], default: 'json', description: 'JSON lines (one object per row) or CSV with a header.' },
  ],
  sink: {
    guarantee: 'exactly-once',
    outputModes: ['append'],
    create: async (req, env) => {
      const { path, format } = fileSinkOptions(req.options, env.fileRoots)
      return FileSink.open(req.sink, path, format)
    },
  },
  validate(_role, options, env) {
    try {
      fileSinkOptions(options, env.fileRoots)
    } catch (err) {
      throw invalidOption(err instanceof Error ? err.message : String(err))
    }
  },
}
