/**
 * What the planner knows of the world: the catalog's streams, tables and sinks, by name.
 * The server's catalog implements this; tests use a plain object.
 */
import type { Field } from '../runtime/types.ts'

export interface CatalogWatermark {
  /** The event-time column. */
  readonly column: string
  readonly delayMs: number
}

export interface CatalogRelation {
  readonly name: string
  readonly kind: 'stream' | 'table'
  readonly fields: readonly Field[]
  readonly watermark: CatalogWatermark | null
  readonly primaryKey: readonly string[]
}

export interface CatalogSink {
  readonly name: string
  readonly connector: string
}

export interface Catalog {
  relation(name: string): CatalogRelation | undefined
  sink(name: string): CatalogSink | undefined
}
