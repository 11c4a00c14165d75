// @ts-check
/**
 * The shapes of the API's answers and websocket frames (docs/api.md), for JSDoc types only.
 *
 * @typedef {{name: string, type: string}} Column
 * @typedef {{operatorName: string, numRowsTotal: number, numRowsUpdated: number, numRowsRemoved: number,
 *   numRowsDroppedByWatermark: number, memoryUsedBytes: number}} StateOperator
 * @typedef {{description: string, startOffset: unknown, endOffset: unknown, latestOffset: unknown,
 *   numInputRows: number, lag: number | null}} SourceProgress
 * @typedef {{id: string, runId: string, name: string | null, timestamp: string, batchId: number,
 *   batchDuration: number, numInputRows: number, inputRowsPerSecond: number, processedRowsPerSecond: number,
 *   durationMs: Record<string, number>, eventTime: {min?: string, max?: string, avg?: string, watermark?: string},
 *   stateOperators: StateOperator[], sources: SourceProgress[], sink: {description: string, numOutputRows: number}}} Progress
 * @typedef {{batches: number, inputRows: number, droppedLateRows: number}} Totals
 * @typedef {{id: string, name: string | null, sql: string, status: 'running' | 'stopped' | 'failed',
 *   error: {code: string, message: string} | null, outputMode: 'append' | 'update' | 'complete', trigger: string,
 *   sink: string | null, push: boolean, columns: Column[], lastProgress: Progress | null, subscribers: number,
 *   resultsUrl: string, totals: Totals | null, recentProgress?: Progress[], explain?: string | null}} QueryInfo
 * @typedef {string | number | boolean | null | object} Value
 * @typedef {Value[]} Row
 * @typedef {'+' | '-' | 'U-' | 'U+'} Op
 * @typedef {{type: 'schema', queryId: string, outputMode: string, columns: Column[]}
 *   | {type: 'batch', batchId: number, watermark: string | null, changes: [Op, Row][], coalesced?: boolean}
 *   | {type: 'snapshot', batchId: number, watermark: string | null, rows: Row[]}
 *   | {type: 'progress', progress: Progress | null}
 *   | {type: 'error', error: {code: string, message: string}}
 *   | {type: 'end', reason: string}} Frame
 * @typedef {{kind: 'ok', statement: string, message: string}
 *   | {kind: 'insert', target: string, count: number, startOffset: number, endOffset: number}
 *   | {kind: 'query', queryId: string, name: string | null, push: boolean, outputMode: string, trigger: string,
 *      columns: Column[], sink: string | null, resultsUrl: string}
 *   | {kind: 'rows', statement: string, columns: Column[], rows: Row[], note?: string}
 *   | {kind: 'explain', plan: string}} StatementResult
 */
export {}
