import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { splitInput, StatementSplitter } from './statement-splitter.ts'

const texts = (input: string): string[] => splitInput(input).map((i) => i.text)

describe('StatementSplitter', () => {
  it('splits at semicolons', () => {
    assert.deepEqual(texts('SELECT 1; SELECT 2;'), ['SELECT 1;', 'SELECT 2;'])
  })

  it('ignores semicolons in strings, quoted names and comments', () => {
    const sql = `SELECT 'a;b', 'it''s;', "x;y" -- no; end\nFROM t /* ; /* nested ; */ still ; */ WHERE s = E'\\';';`
    assert.deepEqual(texts(sql), [sql])
  })

  it('runs a last statement without a semicolon at the end of input (as psql does)', () => {
    assert.deepEqual(texts('SELECT 1;\nSELECT 2'), ['SELECT 1;', 'SELECT 2'])
  })

  it('drops empty statements and lone comments', () => {
    assert.deepEqual(texts(';;  ;\n-- only a comment\n/* and another */'), [])
  })

  it('reports the input line each statement starts on', () => {
    const items = splitInput('\n\nCREATE STREAM s (a INT);\n\n  SELECT *\n  FROM s;')
    assert.deepEqual(items.map((i) => i.line), [3, 5])
    assert.equal(items[1]!.text, 'SELECT *\n  FROM s;')
  })

  it('treats a backslash line between statements as a command', () => {
    assert.deepEqual(splitInput('SELECT 1;\n\\d clicks\nSELECT 2;'), [
      { kind: 'sql', text: 'SELECT 1;', line: 1 },
      { kind: 'command', text: '\\d clicks', line: 2 },
      { kind: 'sql', text: 'SELECT 2;', line: 3 },
    ])
  })

  it('keeps a backslash inside a pending statement as SQL text', () => {
    assert.deepEqual(texts("SELECT\n\\x\n;"), ['SELECT\n\\x\n;'])
  })

  it('tracks what is pending line by line, for the prompt', () => {
    const s = new StatementSplitter()
    assert.deepEqual(s.pushLine('SELECT a,'), [])
    assert.equal(s.hasPending, true)
    assert.equal(s.lexState, 'none')
    assert.deepEqual(s.pushLine("  'open"), [])
    assert.equal(s.lexState, 'single-quote')
    assert.deepEqual(s.pushLine("string;' /* c"), [])
    assert.equal(s.lexState, 'block-comment')
    const done = s.pushLine('*/ FROM t; SELECT')
    assert.deepEqual(done.map((i) => i.text), ["SELECT a,\n  'open\nstring;' /* c\n*/ FROM t;"])
    assert.equal(s.hasPending, true)
    s.reset()
    assert.equal(s.hasPending, false)
    assert.equal(s.lexState, 'none')
  })
})
