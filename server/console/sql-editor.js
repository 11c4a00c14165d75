// @ts-check
/**
 * The SQL editor: runs a script through `POST /v1/sql` (Ctrl/Cmd+Enter or the Run button),
 * shows each statement's result, and opens the live page of a push query it started (a push
 * query runs only while someone watches it). An error shows its code and message and marks
 * its line and column, both in an excerpt and by selecting the spot in the text box.
 */
import { ApiError, api } from './api.js'
import { announce, h } from './dom.js'
import { fmtValue } from './format.js'
import { PlanGraph } from './plan-graph.js'

/** @typedef {import('./types.js').StatementResult} StatementResult */

const TEXT_KEY = 'weir.sql'
const EXAMPLE = `-- Ctrl+Enter (⌘+Enter) runs the script. For example:
-- CREATE STREAM clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
-- SELECT window_start, user_id, COUNT(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '1' MINUTE)
--   GROUP BY window_start, window_end, user_id EMIT UPDATE;
SHOW STREAMS`

export class SqlEditor {
  /** @param {{open: (queryId: string) => void}} opts */
  constructor(opts) {
    this.open = opts.open
    this.text = h('textarea', {
      id: 'sql', name: 'sql', rows: 7, spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off',
      'aria-describedby': 'sql-hint',
    })
    this.text.value = load() ?? EXAMPLE
    this.text.addEventListener('input', () => {
      save(this.text.value)
      this.clearError()
    })
    this.text.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault()
        void this.run()
      }
    })
    this.button = h('button', { type: 'submit', class: 'primary', text: 'Run' })
    this.output = h('div', { class: 'sql-output', 'aria-live': 'polite' })
    this.form = h('form', { class: 'sql-form', 'aria-label': 'SQL editor' }, [
      h('label', { for: 'sql', text: 'SQL' }),
      this.text,
      h('div', { class: 'sql-actions' }, [
        this.button,
        h('span', { id: 'sql-hint', class: 'hint', text: 'Ctrl+Enter or ⌘+Enter runs. Statements are separated by ;' }),
      ]),
    ])
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault()
      void this.run()
    })
    this.el = h('div', { class: 'sql-editor' }, [this.form, this.output])
  }

  async run() {
    const sql = this.text.value
    if (sql.trim() === '' || this.button.disabled) return
    this.button.disabled = true
    this.clearError()
    this.output.replaceChildren(h('p', { class: 'hint', text: 'Running…' }))
    try {
      const body = /** @type {{results: StatementResult[]}} */ (await api('/v1/sql', { method: 'POST', json: { sql } }))
      this.show(body.results)
      announce(`${body.results.length} statement(s) ran`)
    } catch (err) {
      const results = err instanceof ApiError ? /** @type {{results?: StatementResult[]}} */ (/** @type {unknown} */ (err)).results ?? [] : []
      this.show(results)
      this.showError(err, sql)
    } finally {
      this.button.disabled = false
    }
  }

  /** @param {StatementResult[]} results */
  show(results) {
    this.output.replaceChildren(...results.map((r) => h('section', { class: `result result-${r.kind}` }, resultBody(r))))
    // A push query runs only while watched: open the last one started.
    const push = results.filter((r) => r.kind === 'query' && r.push).at(-1)
    if (push && push.kind === 'query') this.open(push.queryId)
  }

  /** @param {unknown} err @param {string} sql */
  showError(err, sql) {
    const e = err instanceof ApiError ? err : null
    const message = err instanceof Error ? err.message : String(err)
    const box = h('div', { class: 'sql-error', role: 'alert', id: 'sql-error' }, [
      h('p', {}, [h('strong', { text: e?.code ?? 'ERROR' }), ' ', message]),
    ])
    if (e && e.line !== undefined && e.column !== undefined) {
      box.append(h('p', { class: 'error-position', text: `at line ${e.line}, column ${e.column}` +
        (e.statementIndex !== undefined ? ` (statement ${e.statementIndex + 1})` : '') }))
      box.append(excerpt(sql, e.line, e.column))
      const offset = offsetOf(sql, e.line, e.column)
      this.text.setAttribute('aria-invalid', 'true')
      this.text.setAttribute('aria-describedby', 'sql-hint sql-error')
      this.text.focus()
      this.text.setSelectionRange(offset, Math.min(sql.length, offset + tokenLength(sql, offset)))
    } else if (e && e.statementIndex !== undefined) {
      box.append(h('p', { class: 'error-position', text: `in statement ${e.statementIndex + 1}` }))
    }
    this.output.prepend(box)
  }

  clearError() {
    this.text.removeAttribute('aria-invalid')
    this.text.setAttribute('aria-describedby', 'sql-hint')
    this.output.querySelector('.sql-error')?.remove()
  }
}

/** @param {StatementResult} r @returns {(Node | string)[]} */
function resultBody(r) {
  switch (r.kind) {
    case 'ok':
      return [h('p', {}, [h('strong', { text: r.statement }), ` ${r.message}`])]
    case 'insert':
      return [h('p', { text: `Inserted ${r.count} row(s) into ${r.target} (offsets ${r.startOffset}–${r.endOffset}).` })]
    case 'query': {
      const link = h('a', { href: `#/queries/${encodeURIComponent(r.queryId)}`, text: `Open ${r.name ?? r.queryId}` })
      const what = r.push ? 'Push query' : `Persistent query into ${r.sink}`
      return [h('p', {}, [h('strong', { text: what }), ` ${r.queryId} started (${r.outputMode}, trigger ${r.trigger}). `, link])]
    }
    case 'rows':
      return [
        h('p', { class: 'hint', text: `${r.statement}: ${r.rows.length} row(s)${r.note ? ` — ${r.note}` : ''}` }),
        h('div', { class: 'table-scroll' }, [h('table', { class: 'results' }, [
          h('thead', {}, [h('tr', {}, r.columns.map((c) => h('th', { scope: 'col', title: c.type, text: c.name })))]),
          h('tbody', {}, r.rows.map((row) => h('tr', {}, row.map((v) => h('td', { text: fmtValue(v) }))))),
        ])]),
      ]
    case 'explain':
      return [new PlanGraph(r.plan, { live: false }).el]
  }
}

/**
 * The lines around the error, with the character at the position marked.
 * @param {string} sql @param {number} line @param {number} column
 */
function excerpt(sql, line, column) {
  const lines = sql.split('\n')
  const pre = h('pre', { class: 'error-excerpt', 'aria-label': `SQL around line ${line}` })
  for (let n = Math.max(1, line - 1); n <= Math.min(lines.length, line + 1); n++) {
    const text = lines[n - 1] ?? ''
    const gutter = h('span', { class: 'gutter', 'aria-hidden': 'true', text: `${String(n).padStart(3)} │ ` })
    if (n !== line) {
      pre.append(gutter, text, '\n')
      continue
    }
    const at = Math.min(Math.max(0, column - 1), text.length)
    const len = Math.max(1, tokenLength(text, at))
    pre.append(h('span', { class: 'error-line' }, [gutter, text.slice(0, at),
      h('mark', { class: 'error-mark', text: text.slice(at, at + len) || ' ' }), text.slice(at + len)]), '\n')
  }
  return pre
}

/** 0-based offset of a 1-based line and column. @param {string} sql @param {number} line @param {number} column */
export function offsetOf(sql, line, column) {
  let offset = 0
  for (let n = 1; n < line; n++) {
    const nl = sql.indexOf('\n', offset)
    if (nl < 0) return sql.length
    offset = nl + 1
  }
  return Math.min(sql.length, offset + Math.max(0, column - 1))
}

/** The length of the word at `at` (at least 1). @param {string} text @param {number} at */
function tokenLength(text, at) {
  const m = /^[\w."']+/.exec(text.slice(at))
  return m ? Math.min(m[0].length, 40) : 1
}

function load() {
  try {
    return sessionStorage.getItem(TEXT_KEY)
  } catch {
    return null
  }
}

/** @param {string} text */
function save(text) {
  try {
    sessionStorage.setItem(TEXT_KEY, text)
  } catch {
    // Storage may be full or disabled: the text simply is not kept.
  }
}
