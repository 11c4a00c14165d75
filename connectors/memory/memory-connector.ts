import type { Connector } from '../connector.ts'
import { MemorySink } from './memory-sink.ts'

export const memoryConnector: Connector = {
  name: 'memory',
  description: "Keeps the result in the server, readable with a pull query (`SELECT … FROM sink`), as Spark's memory sink with `queryName`. Exactly-once: a batch id it already has is ignored; its contents survive restarts.",
  options: [
    { name: 'max_rows', type: 'integer', default: '100000', description: 'At most this many rows are kept for pull queries in append mode; older ones are dropped and the answer says so.' },
  ],
  sink: {
    guarantee: 'exactly-once',
    outputModes: ['append', 'update', 'complete'],
    create: async (req, env) => new MemorySink(req.sink, env.memorySink(req.sink, req.options.max_rows === undefined ? undefined : Number(req.options.max_rows))),
  },
}
