import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { displayWidth } from './display-width.ts'
import { LiveView } from './live-view.ts'
import { PlainPushWriter } from './plain-push-writer.ts'
import type { Terminal } from './terminal.ts'

function fakeTerminal(width: number | null, height: number | null = 24): Terminal & { out: string; err: string[] } {
  const t = {
    out: '', err: [] as string[], tty: width !== null, color: false,
    write(text: string) { t.out += text },
    error(line: string) { t.err.push(line) },
    width: () => width, height: () => height,
    onResize: () => () => undefined,
  }
  return t
}

/** What a terminal shows after the output: applies \r, \n, cursor-up and clear-to-end. */
function screen(out: string): string[] {
  const lines: string[] = ['']
  let row = 0
  let col = 0
  for (const m of out.matchAll(/\x1b\[(\d*)A|\x1b\[J|\r|\n|[^\x1b\r\n]+/g)) {
    const s = m[0]
    if (s === '\n') {
      row++
      col = 0
      lines[row] ??= ''
    } else if (s === '\r') col = 0
    else if (s.endsWith('A')) row -= Number(m[1] || 1)
    else if (s === '\x1b[J') {
      lines[row] = lines[row]!.slice(0, col)
      lines.length = row + 1
    } else {
      const l = lines[row]!.padEnd(col)
      lines[row] = l.slice(0, col) + s + l.slice(col + s.length)
      col += s.length
    }
  }
  return lines
}

const cols = [{ name: 'k', type: 'BIGINT' }, { name: 'n', type: 'BIGINT' }]

describe('LiveView', () => {
  it('redraws an update-mode table in place with a status line', () => {
    const term = fakeTerminal(120)
    const v = new LiveView(term)
    v.start('q1', 'update', cols)
    v.batch(0, null, [['+', [1, 1]], ['+', [2, 1]]])
    v.batch(1, '2026-01-01T00:00:00.000Z', [['U-', [1, 1]], ['U+', [1, 5]]])
    v.finish('cancelled: query q1 stopped')
    const s = screen(term.out).filter((l) => l !== '')
    assert.deepEqual(s.slice(0, 4), [' k | n', '---+---', ' 1 | 5', ' 2 | 1'])
    assert.match(s[4]!, /^cancelled: query q1 stopped \(update mode, batch 1, watermark 2026-01-01T00:00:00.000Z, 2 rows\)$/)
    assert.equal(s.length, 5, s.join('\n'))
  })

  it('prints append-mode rows under one header, the status line kept last', () => {
    const term = fakeTerminal(60)
    const v = new LiveView(term)
    v.start('q2', 'append', cols)
    v.batch(0, null, [['+', [1, 1]]])
    v.batch(1, null, [['+', [2, 2]]])
    const live = screen(term.out).filter((l) => l !== '')
    assert.deepEqual(live.slice(0, 4), [' k | n', '---+---', ' 1 | 1', ' 2 | 2'])
    assert.match(live[4]!, /batch 1 · 2 rows · Ctrl-C to stop/)
    v.finish('done')
    assert.deepEqual(screen(term.out).filter((l) => l !== '').slice(4), ['(2 rows)', 'done (append mode, batch 1, 2 rows)'])
  })

  it('never writes a line wider than the terminal, and says how many rows do not fit', () => {
    const term = fakeTerminal(30, 8)
    const v = new LiveView(term)
    v.start('q3', 'complete', [{ name: 'url', type: 'VARCHAR' }, ...cols])
    v.snapshot(0, null, Array.from({ length: 20 }, (_, i) => [`https://example.com/${'x'.repeat(40)}`, i, i]))
    v.finish('done')
    const s = screen(term.out)
    for (const l of s) assert.ok(displayWidth(l) < 30, l)
    assert.ok(s.some((l) => l.startsWith('… 17 more rows')), s.join('\n'))
  })
})

describe('PlainPushWriter', () => {
  it('writes an update-mode changelog as CSV with batch and op columns', () => {
    const term = fakeTerminal(null)
    const w = new PlainPushWriter(term, 'csv')
    w.start('q1', 'update', cols)
    w.batch(0, null, [['+', [1, 1]]])
    w.batch(1, null, [['U-', [1, 1]], ['U+', [1, null]]])
    w.finish('stopped')
    assert.equal(term.out, 'batch,op,k,n\n0,+,1,1\n1,U-,1,1\n1,U+,1,\n')
    assert.deepEqual(term.err, ['stopped'])
  })

  it('writes append-mode rows as JSON objects and complete-mode snapshots whole', () => {
    const term = fakeTerminal(null)
    const a = new PlainPushWriter(term, 'json')
    a.start('q1', 'append', cols)
    a.batch(0, null, [['+', [1, 2]]])
    const c = new PlainPushWriter(term, 'json')
    c.start('q2', 'complete', cols)
    c.snapshot(3, null, [[1, 2]])
    assert.equal(term.out, '{"k":1,"n":2}\n{"batchId":3,"rows":[{"k":1,"n":2}]}\n')
  })

  it('prints a table with a footer, even with no rows', () => {
    const term = fakeTerminal(null)
    const w = new PlainPushWriter(term, 'table')
    w.start('q1', 'append', cols)
    w.finish('stopped')
    assert.equal(term.out, ' k | n\n---+---\n(0 rows)\n')
  })
})
