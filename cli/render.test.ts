import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { displayWidth, truncate } from './display-width.ts'
import { csvField, fitWidths, renderExpanded, renderRows, renderTable, type Column } from './render.ts'

const cols: Column[] = [{ name: 'user_id', type: 'BIGINT' }, { name: 'url', type: 'VARCHAR' }]
const plain = { width: null, color: false }

describe('renderTable', () => {
  it('draws a psql-style table: centred header, numbers right, text left', () => {
    assert.deepEqual(renderTable(cols, [[1, 'https://a'], [22, 'b']], plain), [
      ' user_id |    url',
      '---------+-----------',
      '       1 | https://a',
      '      22 | b',
    ])
  })

  it('shows NULL as ∅ without colour and as a dimmed NULL with it', () => {
    assert.equal(renderTable(cols, [[null, 'x']], plain)[2], '       ∅ | x')
    const coloured = renderTable(cols, [[1, null]], { width: null, color: true })[2]!
    assert.ok(coloured.includes('\x1b[2mNULL\x1b[0m'), coloured)
  })

  it('cuts wide cells with … to fit the terminal width', () => {
    const lines = renderTable(cols, [[1, 'x'.repeat(200)]], { width: 40, color: false })
    for (const l of lines) assert.ok(displayWidth(l) <= 40, `${l} (${displayWidth(l)})`)
    assert.ok(lines[2]!.endsWith('…'))
    assert.ok(lines[2]!.startsWith('       1 |'), 'the narrow column keeps its width')
  })

  it('aligns wide characters and makes control characters visible', () => {
    const lines = renderTable([{ name: 'v', type: 'VARCHAR' }, { name: 'n', type: 'INT' }], [['漢字', 1], ['ab', 2], ['a\nb\x1b[31m', 3]], plain)
    const bar = (l: string): number => displayWidth(l.slice(0, l.indexOf('|')))
    assert.equal(bar(lines[2]!), bar(lines[3]!))
    assert.ok(!lines.join('').includes('\x1b'))
    assert.ok(lines[4]!.includes('a↵b\\x1b[31m'))
  })

  it('prints JSON values as JSON', () => {
    assert.equal(renderTable([{ name: 'p', type: 'JSON' }], [[{ a: [1, true] }]], plain)[2], ' {"a":[1,true]}')
  })
})

describe('renderRows', () => {
  it('adds the (N rows) footer to tables', () => {
    assert.equal(renderRows('table', cols, [[1, 'a']], { ...plain, expanded: false }).at(-1), '(1 row)')
    assert.equal(renderRows('table', cols, [], { ...plain, expanded: false }).at(-1), '(0 rows)')
  })

  it('writes CSV with a header; NULL empty, empty string quoted', () => {
    assert.deepEqual(renderRows('csv', cols, [[1, null], [2, ''], [3, 'a,"b"']], { ...plain, expanded: false }), [
      'user_id,url', '1,', '2,""', '3,"a,""b"""',
    ])
  })

  it('writes JSON lines keyed by column name', () => {
    assert.deepEqual(renderRows('json', cols, [[1, null]], { ...plain, expanded: false }), ['{"user_id":1,"url":null}'])
  })

  it('shows records in expanded mode', () => {
    assert.deepEqual(renderRows('table', cols, [[1, 'a'], [2, null]], { ...plain, expanded: true }), [
      '-[ RECORD 1 ]-',
      'user_id | 1',
      'url     | a',
      '-[ RECORD 2 ]-',
      'user_id | 2',
      'url     | ∅',
    ])
  })

  it('cuts expanded values to the terminal width', () => {
    const lines = renderExpanded(cols, [[1, 'y'.repeat(100)]], { width: 30, color: false })
    for (const l of lines) assert.ok(displayWidth(l) <= 30, l)
  })
})

describe('widths', () => {
  it('fitWidths keeps narrow columns and caps the widest', () => {
    const w = fitWidths([3, 50, 40], 40)
    assert.equal(w[0], 3)
    assert.ok(w.reduce((a, b) => a + b, 0) <= 40)
    assert.deepEqual(fitWidths([3, 5], null), [3, 5])
  })

  it('truncate counts wide characters as two cells', () => {
    assert.equal(truncate('漢字漢字', 5), '漢字…')
    assert.equal(truncate('abc', 3), 'abc')
  })

  it('csvField quotes values with leading or trailing spaces', () => {
    assert.equal(csvField(' a'), '" a"')
    assert.equal(csvField(true), 'true')
  })
})
