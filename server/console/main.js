// @ts-check
/**
 * The console's entry point: a hash router over two views — the home page (SQL editor and
 * query list) at `#/` and a query's page at `#/queries/<id>`. Other hashes (the skip link's
 * `#main`) are left to the browser.
 */
import { storedToken } from './api.js'
import { h } from './dom.js'
import { QueryList } from './query-list.js'
import { QueryPage } from './query-page.js'
import { SqlEditor } from './sql-editor.js'

const main = /** @type {HTMLElement} */ (document.getElementById('main'))
/** @type {{dispose(): void} | null} */
let current = null
let first = true

function route() {
  const hash = location.hash
  if (hash !== '' && hash !== '#' && !hash.startsWith('#/')) return
  current?.dispose()
  current = null
  const m = /^#\/queries\/([^/]+)$/.exec(hash)
  if (m) {
    const id = decodeURIComponent(/** @type {string} */ (m[1]))
    const page = new QueryPage(id)
    main.replaceChildren(page.el)
    document.title = `${id} · Weir console`
    current = page
    void page.start()
  } else {
    const editor = new SqlEditor({ open: (id) => { location.hash = `#/queries/${encodeURIComponent(id)}` } })
    const list = new QueryList()
    main.replaceChildren(
      h('h1', { class: 'visually-hidden', text: 'Weir console' }),
      h('section', { 'aria-labelledby': 'h-sql', class: 'panel' }, [h('h2', { id: 'h-sql', text: 'Run SQL' }), editor.el]),
      h('section', { 'aria-labelledby': 'h-queries', class: 'panel' }, [h('h2', { id: 'h-queries', text: 'Queries' }), list.el]),
    )
    document.title = 'Weir console'
    current = { dispose: () => list.stop() }
    list.start()
  }
  // Moving between views moves focus to the new content (screen readers announce it), except
  // on the first load, where the page starts at the top.
  if (!first) main.focus({ preventScroll: false })
  first = false
}

function tokenButton() {
  const button = /** @type {HTMLButtonElement} */ (document.getElementById('forget-token'))
  button.hidden = storedToken() === null
  button.addEventListener('click', () => {
    sessionStorage.removeItem('weir.token')
    location.reload()
  })
}

window.addEventListener('hashchange', route)
tokenButton()
route()
