import type { Connector } from '../connector.ts'
import { NoopSink } from './noop-sink.ts'

export const noopConnector: Connector = {
  name: 'noop',
  description: "Discards every row (Spark's `noop` format): for benchmarks and for measuring a query without a destination.",
  options: [],
  sink: {
    guarantee: 'exactly-once',
    outputModes: ['append', 'update', 'complete'],
    create: async (req) => new NoopSink(req.sink),
  },
}
