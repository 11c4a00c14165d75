import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { SERVER_NODE_FLAGS } from './node-flags.ts'

test('npm start runs the server with the server V8 flags', () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: { start: string } }
  assert.equal(pkg.scripts.start, `node ${SERVER_NODE_FLAGS.join(' ')} --import tsx server/main.ts`)
})
