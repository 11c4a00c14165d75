/**
 * Reading JSON-lines files the way the floor in PERFORMANCE.md does: 64 KB chunks, split on
 * newlines, one `JSON.parse` per line. Both the JSON-parse floor and the engine's JSON input
 * (until the file source connector lands) use this reader, so their gap is the engine's work.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'

const CHUNK = 64 * 1024

/** The `part-*.json` files of a stream directory, in order. */
export function partFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f))
}

/** Calls `line` for every non-empty line of the file. */
export function forEachLine(file: string, line: (text: string) => void): void {
  const fd = openSync(file, 'r')
  const buf = Buffer.allocUnsafe(CHUNK)
  const decoder = new StringDecoder('utf8')
  let tail = ''
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null)
      if (n === 0) break
      const s = tail + decoder.write(n === CHUNK ? buf : buf.subarray(0, n))
      let from = 0
      for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', from)) {
        if (nl > from) line(s.slice(from, nl))
        from = nl + 1
      }
      tail = s.slice(from)
    }
    const last = tail + decoder.end()
    if (last.trim() !== '') line(last)
  } finally {
    closeSync(fd)
  }
}

/** The JSON-parse floor: read, split and parse every line of the files; returns the row count. */
export function parseFiles(files: readonly string[]): number {
  let n = 0
  let sink: unknown = null
  for (const f of files) {
    forEachLine(f, (text) => {
      sink = JSON.parse(text)
      n++
    })
  }
  if (sink === undefined) console.log(sink)
  return n
}
