import { Readable } from 'node:stream'
import { Engine } from '/work/main/server/engine.ts'
import { ingestArray, ingestNdjson, ingestTarget } from '/work/main/server/ingest.ts'
const engine = await Engine.open({})
await engine.execute('CREATE STREAM bulk (user_id BIGINT, url VARCHAR, ts TIMESTAMP)')
const def = ingestTarget(engine, 'bulk')
const rows = Array.from({ length: 1000 }, (_, i) => ({ user_id: i, url: `https://example.com/page/${i % 97}`, ts: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z` }))
const json = JSON.stringify(rows)
const nd = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
for (let round = 0; round < 3; round++) {
  let t = performance.now()
  for (let i = 0; i < 300; i++) await ingestArray(engine, def, JSON.parse(json), { skip: false, maxBytes: 1e9 })
  console.log('array', Math.round(300000 / ((performance.now() - t) / 1000)))
  t = performance.now()
  for (let i = 0; i < 300; i++) {
    const chunks = []; for (let j = 0; j < nd.length; j += 65536) chunks.push(nd.subarray(j, j + 65536))
    await ingestNdjson(engine, def, Readable.from(chunks), { skip: false, maxBytes: 1e9 })
  }
  console.log('ndjson', Math.round(300000 / ((performance.now() - t) / 1000)))
}
