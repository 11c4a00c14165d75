/**
 * Every connector Weir has, listed explicitly. An embedded stream or table (no `connector`
 * option) is not a connector: it is the engine's own log.
 */
import type { Connector } from './connector.ts'
import { consoleConnector } from './console/console-connector.ts'
import { fileConnector } from './file/file-connector.ts'
import { kafkaConnector } from './kafka/kafka-connector.ts'
import { memoryConnector } from './memory/memory-connector.ts'
import { noopConnector } from './noop/noop-connector.ts'
import { rateConnector } from './rate/rate-connector.ts'
import { socketConnector } from './socket/socket-connector.ts'
import { webhookConnector } from './webhook/webhook-connector.ts'

export const CONNECTORS: ReadonlyMap<string, Connector> = new Map(
  [memoryConnector, fileConnector, kafkaConnector, rateConnector, socketConnector, webhookConnector, consoleConnector, noopConnector].map((c) => [c.name, c]),
)

export function connector(name: string): Connector | undefined {
  return CONNECTORS.get(name.toLowerCase())
}
