/** docs/connectors.md is generated from the connector declarations and must be up to date. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { CONNECTORS } from '../connectors/registry.ts'
import type { Connector } from '../connectors/connector.ts'
import { CONNECTOR_DOCS, renderConnectorDocs } from './gen-connector-docs.ts'

test('docs/connectors.md matches the connector declarations (run `npm run docs:connectors`)', () => {
  assert.equal(readFileSync(CONNECTOR_DOCS, 'utf8'), renderConnectorDocs(), 'docs/connectors.md is out of date: run `npm run docs:connectors`')
})

test('every option, default, secret flag and guarantee is in the docs', () => {
  const doc = renderConnectorDocs()
  for (const c of CONNECTORS.values()) {
    assert.ok(doc.includes(`## ${c.name}`), c.name)
    for (const o of c.options) {
      assert.ok(doc.includes(`| \`${o.name}\` |`), `${c.name}.${o.name}`)
      if (o.default !== undefined) assert.ok(doc.includes(`\`${o.default}\``), `${c.name}.${o.name} default`)
    }
    if (c.sink) assert.ok(doc.includes(`**Sink guarantee:** ${c.sink.guarantee}`), `${c.name} sink guarantee`)
    if (c.source) assert.ok(doc.includes(`**Stream guarantee:** ${c.source.guarantee}`), `${c.name} source guarantee`)
  }
  assert.match(doc, /\*\*secret\*\*/)
})

test('the Kafka section is included from docs/connectors-kafka.md while the connector is not registered', () => {
  const others: Connector[] = [...CONNECTORS.values()].filter((c) => c.name !== 'kafka')
  const doc = renderConnectorDocs(others, '## kafka\n\nHand-written Kafka notes.\n')
  assert.match(doc, /<!-- kafka: /)
  assert.match(doc, /Hand-written Kafka notes\./)
  assert.doesNotMatch(renderConnectorDocs(others, null), /Hand-written/)
})
