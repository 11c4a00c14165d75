import type { Connector } from '../connector.ts'
import { RecordDecoder } from './kafka-decode.ts'
import { KAFKA_OPTIONS, sinkSettings, sourceSettings } from './kafka-options.ts'
import { KafkaSink } from './kafka-sink.ts'
import { KafkaSource } from './kafka-source.ts'

export const kafkaConnector: Connector = {
  name: 'kafka',
  description: "Apache Kafka topics. The source reads exact offset ranges owned by Weir's checkpoint (`{\"topic\": {\"partition\": nextOffset}}`, as Spark); the sink writes each batch in one Kafka transaction and recognises a batch it already committed. See docs/connectors-kafka.md.",
  options: KAFKA_OPTIONS,
  source: {
    guarantee: "exactly-once: each batch's per-partition offset ranges are in the offset log before it runs, and a re-run reads exactly those records",
    create: async (req) => new KafkaSource(req.stream, req.fields, sourceSettings(req.options)),
  },
  sink: {
    guarantee: 'exactly-once',
    outputModes: ['append', 'update', 'complete'],
    create: async (req) => new KafkaSink(req.sink, req.queryId, req.schema, sinkSettings(req.options)),
  },
  validate(role, options, _env, fields) {
    if (role === 'source') {
      const settings = sourceSettings(options)
      // The metadata columns and the format's value columns, checked at CREATE STREAM.
      if (fields) new RecordDecoder(fields, settings.format, settings.metadata)
    } else if (role === 'sink') {
      sinkSettings(options)
    }
  },
}
