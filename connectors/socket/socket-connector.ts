import type { Connector } from '../connector.ts'
import { invalidOption } from '../connector.ts'
import { enumOption, intOption } from '../option-values.ts'
import { SocketSource } from './socket-source.ts'

export const socketConnector: Connector = {
  name: 'socket',
  description: "Lines of text from a TCP server that Weir connects to, as Spark's `socket` source: for tests and demos only.",
  notes: [
    '**Not fault-tolerant.** The offset is the number of lines received in this process, and lines are kept only in memory: a restart loses every line received but not yet processed, and a batch re-run after a crash cannot get its lines back. Lines sent while no query is connected are never seen. Use Kafka, files or an embedded stream for anything that must not lose data.',
    'Each line is a row. `format = \'text\'` (the default) puts the line in the stream\'s single VARCHAR column; `\'json\'` and `\'csv\'` (no header) parse it into the declared columns, with `on_error` as for files. If the server closes the connection, no more lines arrive; restart the query to reconnect. If the server cannot be reached when the query starts, the start fails with `SOURCE_UNAVAILABLE`.',
    'Try it with `nc -lk 9999` in a terminal and `CREATE STREAM lines (line VARCHAR) WITH (connector = \'socket\', host = \'localhost\', port = \'9999\')`.',
  ].join('\n\n'),
  options: [
    { name: 'host', type: 'string', default: 'localhost', description: 'The host to connect to.' },
    { name: 'port', type: 'integer', required: true, description: 'The TCP port to connect to.' },
    { name: 'format', type: 'enum', values: ['text', 'json', 'csv'], default: 'text', description: 'How a line becomes a row.' },
    { name: 'on_error', type: 'enum', values: ['fail', 'skip'], default: 'fail', description: "`json`/`csv`: a malformed line fails the query or is dropped." },
  ],
  source: {
    guarantee: 'none: not fault-tolerant; a restart loses lines received but not processed',
    create: async (req) => SocketSource.connect({
      stream: req.stream,
      host: req.options.host ?? 'localhost',
      port: intOption(req.options, 'port', 0),
      fields: req.fields,
      format: enumOption(req.options, 'format', ['text', 'json', 'csv'], 'text'),
      onError: enumOption(req.options, 'on_error', ['fail', 'skip'], 'fail'),
      startAtLatest: (req.options.startup_mode ?? '').toLowerCase() === 'latest',
    }),
  },
  validate(_role, options, _env, fields) {
    const port = intOption(options, 'port', 0)
    if (port > 65535) throw invalidOption(`option port must be a TCP port (1 to 65535), not '${options.port}'`)
    const format = enumOption(options, 'format', ['text', 'json', 'csv'], 'text')
    if (format === 'text' && fields !== undefined && (fields.length !== 1 || fields[0]!.type !== 'VARCHAR')) {
      throw invalidOption("a socket stream with format = 'text' has one VARCHAR column for the line; declare e.g. (line VARCHAR), or use format = 'json' or 'csv'")
    }
  },
}
