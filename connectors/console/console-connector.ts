import type { Connector } from '../connector.ts'
import { boolOption, intOption } from '../option-values.ts'
import { ConsoleSink } from './console-sink.ts'

export const consoleConnector: Connector = {
  name: 'console',
  description: "Prints each batch as a table on the server's standard output, as Spark's console sink: for development.",
  notes: 'At-most-once: nothing is stored, a batch re-run after a crash is printed again, and output cut short by a crash is gone. Update-mode batches show an `op` column (`+`, `-`, `U-`, `U+`).',
  options: [
    { name: 'max_rows', type: 'integer', default: '20', description: 'Rows printed per batch; the rest are counted.' },
    { name: 'truncate', type: 'boolean', default: 'true', description: 'Cut values longer than 20 characters.' },
  ],
  sink: {
    guarantee: 'at-most-once',
    outputModes: ['append', 'update', 'complete'],
    create: async (req) => new ConsoleSink(req.sink, { maxRows: intOption(req.options, 'max_rows', 20), truncate: boolOption(req.options, 'truncate', true) }),
  },
}
