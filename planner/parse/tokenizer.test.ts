import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WeirError } from '../../runtime/errors.ts'
import { parseScript } from './parse.ts'
import { SourceText, tokenize } from './tokenizer.ts'

const kinds = (sql: string): string[] => tokenize(sql, 0, new SourceText(sql)).map((t) => `${t.kind}:${t.value}`)

describe('tokenizer', () => {
  it('reads words, quoted names, strings, numbers and operators', () => {
    assert.deepEqual(kinds(`SELECT "My Col", 'it''s', 1.5e3, .5, a->>'k' <> b::int`), [
      'word:SELECT', 'quoted:My Col', 'op:,', "string:it's", 'op:,', 'number:1.5e3', 'op:,', 'number:.5', 'op:,',
      'word:a', 'op:->>', "string:k", 'op:<>', 'word:b', 'op:::', 'word:int',
    ])
  })

  it('drops line and block comments', () => {
    assert.deepEqual(kinds('a -- b ; c\n/* d ; */ e'), ['word:a', 'word:e'])
  })

  it('keeps absolute offsets', () => {
    const src = new SourceText('xx SELECT a')
    const toks = tokenize('SELECT a', 3, src)
    assert.deepEqual(toks.map((t) => [t.start, t.end]), [[3, 9], [10, 11]])
  })

  it('maps offsets to 1-based line and column', () => {
    const src = new SourceText('ab\ncd\r\nef')
    assert.deepEqual(src.pos(0), { line: 1, column: 1 })
    assert.deepEqual(src.pos(3), { line: 2, column: 1 })
    assert.deepEqual(src.pos(8), { line: 3, column: 2 })
  })

  for (const [sql, message, column] of [
    ["SELECT 'abc", 'unterminated string literal', 8],
    ['SELECT "abc', 'unterminated quoted identifier', 8],
    ['SELECT a /* b', 'unterminated comment', 10],
    ['SELECT ""', 'zero-length quoted identifier', 8],
  ] as const) {
    it(`rejects: ${message}`, () => {
      assert.throws(() => parseScript(sql), (e: unknown) => e instanceof WeirError && e.code === 'SQL_PARSE_ERROR' && e.message === message && e.position?.column === column)
    })
  }
})

describe('statement splitting', () => {
  it('splits on semicolons outside strings, quoted names and comments', () => {
    const all = parseScript(`SELECT ';' FROM t; -- a ; comment\nSELECT "x;y" FROM u /* ; */ ;;; SHOW STREAMS;`)
    assert.deepEqual(all.map((p) => p.text), [`SELECT ';' FROM t`, 'SELECT "x;y" FROM u', 'SHOW STREAMS'])
  })

  it('returns nothing for empty scripts and comment-only scripts', () => {
    assert.deepEqual(parseScript(''), [])
    assert.deepEqual(parseScript(' ;; -- nothing\n/* here */ ;'), [])
  })

  it('keeps the statement text as written, trimmed of surrounding whitespace', () => {
    const [p] = parseScript('\n\n   select  A\n  from T   ;  ')
    assert.equal(p?.text, 'select  A\n  from T')
  })
})
