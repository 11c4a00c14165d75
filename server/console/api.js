// @ts-check
/**
 * Talking to the Weir server: JSON over fetch with the bearer token, websocket URLs with
 * `?token=`. On a 401 the user is asked for the token once (concurrent requests share one
 * prompt); it is kept in sessionStorage for this tab.
 */

const TOKEN_KEY = 'weir.token'

/** An error answer of the API: `{"error": {"code", "message", "line"?, "column"?}}`. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{code?: string, message?: string, line?: number, column?: number, statementIndex?: number}} body
   */
  constructor(status, body) {
    super(body.message ?? `HTTP ${status}`)
    this.status = status
    this.code = body.code ?? 'HTTP_' + status
    this.line = body.line
    this.column = body.column
    this.statementIndex = body.statementIndex
  }
}

/** @returns {string | null} */
export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

/** @type {Promise<string> | null} */
let asking = null
/** The user dismissed the form: do not ask again until the page is reloaded. */
let dismissed = false

/**
 * Shows the token form; resolves with the token entered, rejects when the form is dismissed.
 * @param {string} reason
 * @returns {Promise<string>}
 */
function askToken(reason) {
  if (asking) return asking
  if (dismissed) return Promise.reject(new ApiError(401, { code: 'UNAUTHORIZED', message: 'an access token is needed; reload the page to enter it' }))
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('token-dialog'))
  const form = /** @type {HTMLFormElement} */ (dialog.querySelector('form'))
  const input = /** @type {HTMLInputElement} */ (dialog.querySelector('input'))
  const note = /** @type {HTMLElement} */ (dialog.querySelector('.token-reason'))
  note.textContent = reason
  input.value = ''
  asking = new Promise((resolve, reject) => {
    /** @param {SubmitEvent} ev */
    const submit = (ev) => {
      ev.preventDefault()
      if (input.value.trim() === '') return
      done()
      resolve(input.value.trim())
    }
    const cancel = () => {
      dismissed = true
      done()
      reject(new ApiError(401, { code: 'UNAUTHORIZED', message: 'an access token is needed; reload the page to enter it' }))
    }
    const done = () => {
      form.removeEventListener('submit', submit)
      dialog.removeEventListener('close', cancel)
      if (dialog.open) dialog.close()
      asking = null
    }
    form.addEventListener('submit', submit)
    dialog.addEventListener('close', cancel)
    dialog.showModal()
    input.focus()
  })
  return asking
}

/**
 * Fetches JSON from the API; throws ApiError for an error answer. A 401 asks for the token and
 * retries.
 * @param {string} path
 * @param {{method?: string, json?: unknown}} [init]
 * @returns {Promise<unknown>}
 */
export async function api(path, init = {}) {
  for (let attempt = 0; ; attempt++) {
    const token = storedToken()
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' }
    if (token) headers.authorization = `Bearer ${token}`
    if (init.json !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(path, {
      method: init.method ?? 'GET', headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    })
    if (res.status === 401 && attempt < 5) {
      const t = await askToken(token ? 'The server refused that token. Enter the access token:' : 'This server needs an access token (WEIR_AUTH_TOKEN):')
      try {
        sessionStorage.setItem(TOKEN_KEY, t)
      } catch {
        // Storage may be disabled; the retry below still fails and asks again.
      }
      continue
    }
    const body = await res.json().catch(() => null)
    if (!res.ok) {
      const err = new ApiError(res.status, body?.error ?? {})
      if (body && Array.isArray(body.results)) Object.assign(err, { results: body.results })
      throw err
    }
    return body
  }
}

/**
 * The websocket URL of an API path, with the token as `?token=` (browsers cannot set headers
 * on a websocket).
 * @param {string} path
 */
export function socketUrl(path) {
  const url = new URL(path, location.href)
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const token = storedToken()
  if (token) url.searchParams.set('token', token)
  return url.toString()
}
