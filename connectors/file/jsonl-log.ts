/**
 * Append-only JSON-lines logs (the file sink's log and staging, the file source's index). A crash
 * can leave a torn last line; a log's records are only its complete lines.
 */
import { readFile, truncate } from 'node:fs/promises'

/**
 * The complete lines of a log (a missing file has none), in order; blank lines are kept so line
 * numbers stay right. With `repair`, a torn last line is cut off the file itself, so appends that
 * follow start on a line of their own.
 */
export async function readCompleteLines(path: string, repair: boolean): Promise<string[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const end = text.lastIndexOf('\n') + 1
  if (end < text.length && repair) await truncate(path, Buffer.byteLength(text.slice(0, end)))
  const lines = text.slice(0, end).split('\n')
  lines.pop()
  return lines
}
