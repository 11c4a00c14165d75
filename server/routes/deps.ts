/** What the routes share. */
import type { ServerLimits } from '../config.ts'
import type { Engine } from '../engine.ts'
import type { ServerMetrics } from '../metrics.ts'
import type { SubscriptionHub } from '../websocket.ts'

export interface RouteDeps {
  readonly engine: Engine
  readonly limits: ServerLimits
  readonly hub: SubscriptionHub
  readonly metrics: ServerMetrics
}
