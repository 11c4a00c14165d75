import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { caret, formatError } from './error-format.ts'

describe('formatError', () => {
  it('prints code and message, and a caret under the column of the line', () => {
    const lines = formatError(
      { code: 'UNKNOWN_COLUMN', message: 'column "nope" does not exist', line: 2, column: 3 },
      { sql: 'SELECT\n  nope FROM clicks;', width: 80, color: false },
    )
    assert.deepEqual(lines, [
      'ERROR:  UNKNOWN_COLUMN: column "nope" does not exist',
      'LINE 2:   nope FROM clicks;',
      '          ^',
    ])
  })

  it('has no caret without a position', () => {
    assert.deepEqual(formatError({ code: 'UNKNOWN_QUERY', message: 'query "q9" does not exist' }, { width: null, color: false }), [
      'ERROR:  UNKNOWN_QUERY: query "q9" does not exist',
    ])
  })

  it('names the file and the file line for statements from a file', () => {
    const [first] = formatError(
      { code: 'SQL_PARSE_ERROR', message: 'syntax error', line: 2, column: 1 },
      { sql: 'SELECT\nFROM', source: { file: 'q.sql', line: 10 }, width: null, color: false },
    )
    assert.equal(first, 'q.sql:11: ERROR:  SQL_PARSE_ERROR: syntax error')
  })

  it('cuts a long line around the column and keeps the caret under it', () => {
    const line = 'SELECT ' + 'a, '.repeat(60) + 'nope FROM t'
    const col = line.indexOf('nope') + 1
    const [text, mark] = caret(line, 1, col, 60)
    assert.ok(text!.length <= 60, text)
    assert.ok(text!.includes('…'))
    assert.equal(text!.slice(mark!.indexOf('^'), mark!.indexOf('^') + 4), 'nope')
  })

  it('makes control characters in messages and SQL visible', () => {
    const lines = formatError({ code: 'X', message: 'bad \x1b[2J', line: 1, column: 5 }, { sql: 'a\tb\x1bc', width: null, color: false })
    assert.ok(!lines.join('').includes('\x1b'))
  })
})
