/**
 * The web console: `GET /` (the page) and `GET /console/<file>` (its ES modules, CSS and icon),
 * served from `server/console/` as committed, with no build step.
 *
 * The files are read once, when the routes are registered, into a table keyed by file name; a
 * request is answered from that table or with 404. No part of a URL ever reaches the file
 * system, so `..`, encoded slashes or absolute paths cannot read anything else.
 *
 * These routes are public even with an auth token: they hold no data, and the page must load
 * before it can ask for the token (every API call it makes still needs it).
 *
 * Caching: `no-cache` with a strong ETag, so a browser revalidates each load (a 304 on an
 * unchanged file) and never runs a stale module after an upgrade; module URLs carry no version.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteDeps } from './deps.ts'

export const CONSOLE_DIR = join(import.meta.dirname, '..', 'console')

/** The only kinds of file served; anything else in the folder (tests, config) is not. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
}

/**
 * The page's policy: its own scripts, styles and sockets only. `connect-src 'self'` covers
 * same-origin `ws:`/`wss:` in current browsers (CSP Level 3).
 */
const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ')

export interface ConsoleAsset {
  readonly body: Buffer
  readonly type: string
  readonly etag: string
}

/** Reads the servable files of `dir` (not recursive): file name → asset. */
export function loadConsoleAssets(dir: string = CONSOLE_DIR): ReadonlyMap<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>()
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const type = CONTENT_TYPES[extname(entry.name)]
    if (!entry.isFile() || type === undefined || entry.name.startsWith('.')) continue
    const body = readFileSync(join(dir, entry.name))
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
    assets.set(entry.name, { body, type, etag })
  }
  return assets
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no bearer token (static console files). */
    readonly public?: boolean
  }
}

export function consoleRoutes(app: FastifyInstance, _deps: RouteDeps, assets = loadConsoleAssets()): void {
  const page = assets.get('index.html')
  if (page === undefined) throw new Error(`the console's index.html is missing from ${CONSOLE_DIR}`)

  const send = (req: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset): FastifyReply | Buffer => {
    reply.header('cache-control', 'no-cache').header('etag', asset.etag).header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'no-referrer')
    if (asset.type.startsWith('text/html')) reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY')
    reply.type(asset.type)
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send()
    return asset.body
  }
  const notFound = (req: FastifyRequest, reply: FastifyReply): FastifyReply =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no console file ${req.url.split('?', 1)[0]}` } })

  app.get('/', { config: { public: true } }, async (req, reply) => send(req, reply, page))
  app.get<{ Params: { '*': string } }>('/console/*', { config: { public: true } }, async (req, reply) => {
    // A plain file name only: the table has no paths, and the page is served at `/` alone.
    const name = req.params['*']
    const asset = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && !name.endsWith('.html') ? assets.get(name) : undefined
    return asset === undefined ? notFound(req, reply) : send(req, reply, asset)
  })
}
