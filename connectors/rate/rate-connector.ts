import type { Connector } from '../connector.ts'
import { invalidOption } from '../connector.ts'
import { intOption } from '../option-values.ts'
import { RateSource } from './rate-source.ts'

const COLUMNS: Readonly<Record<string, string>> = { timestamp: 'TIMESTAMP', value: 'BIGINT' }

export const rateConnector: Connector = {
  name: 'rate',
  description: "Generated rows `(timestamp TIMESTAMP, value BIGINT)` at a fixed rate, as Spark's `rate` source: for tests, demos and benchmarks.",
  notes: [
    'Declare the columns you want of `timestamp TIMESTAMP` and `value BIGINT`: `CREATE STREAM r (timestamp TIMESTAMP, value BIGINT, WATERMARK FOR timestamp AS timestamp - INTERVAL \'1\' SECOND) WITH (connector = \'rate\', rows_per_second = \'1000\')`.',
    'Row n has `value` n and `timestamp` start + floor(n · 1000 / rows_per_second), where start is when the query first started; the rows whose timestamp has passed exist. The offset is `{"rows": n, "start": ms}` and any range can be generated again from it, so the source is deterministic and replayable across restarts. It follows the server\'s clock, so a test with a manual clock decides how many rows exist.',
  ].join('\n\n'),
  options: [
    { name: 'rows_per_second', type: 'integer', default: '1', description: 'Rows generated per second of clock time.' },
    { name: 'num_partitions', type: 'integer', default: '1', description: "Accepted for Spark compatibility: the rows of a batch are ordered partition by partition (value mod num_partitions)." },
  ],
  source: {
    guarantee: 'exactly-once: deterministic and replayable from its offsets',
    create: async (req, env) => new RateSource({
      stream: req.stream, fields: req.fields,
      rowsPerSecond: intOption(req.options, 'rows_per_second', 1),
      numPartitions: intOption(req.options, 'num_partitions', 1),
      startAtLatest: (req.options.startup_mode ?? '').toLowerCase() === 'latest',
    }, env.clock),
  },
  validate(_role, options, _env, fields) {
    intOption(options, 'rows_per_second', 1)
    intOption(options, 'num_partitions', 1)
    for (const f of fields ?? []) {
      const want = COLUMNS[f.name.toLowerCase()]
      if (want === undefined) throw invalidOption(`a rate stream has the columns timestamp TIMESTAMP and value BIGINT; "${f.name}" is not one of them`)
      if (want !== f.type) throw invalidOption(`column ${f.name} of a rate stream must be ${want}, not ${f.type}`)
    }
  },
}
