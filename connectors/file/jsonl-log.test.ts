import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { readCompleteLines } from './jsonl-log.ts'

test('complete lines only; a torn last line is cut off the file when repairing; a missing file has none', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-jsonl-'))
  try {
    const path = join(dir, 'log.jsonl')
    assert.deepEqual(await readCompleteLines(path, true), [])
    await writeFile(path, '{"a":1}\n\n{"a":2}\n{"a":')
    assert.deepEqual(await readCompleteLines(path, false), ['{"a":1}', '', '{"a":2}'])
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n\n{"a":2}\n{"a":', 'reading without repair leaves the file alone')
    assert.deepEqual(await readCompleteLines(path, true), ['{"a":1}', '', '{"a":2}'])
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n\n{"a":2}\n')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
