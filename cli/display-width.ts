/**
 * Terminal cell widths of text: East Asian wide characters and most emoji take two cells,
 * combining marks and zero-width characters none. Good enough for aligning table columns; not a
 * full Unicode grapheme implementation.
 */

const ZERO_WIDTH = /^[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u200b-\u200f\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f]$/u

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
}

function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!
  if (ZERO_WIDTH.test(ch)) return 0
  return isWide(cp) ? 2 : 1
}

/** ANSI SGR sequences (colours) take no cells. */
const SGR = /\x1b\[[0-9;]*m/g

/** Cells the text takes on a terminal (ANSI colour sequences ignored). */
export function displayWidth(text: string): number {
  let w = 0
  for (const ch of text.replace(SGR, '')) w += charWidth(ch)
  return w
}

/** Cuts plain text (no ANSI sequences) to at most `width` cells, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text
  if (width <= 0) return ''
  let out = ''
  let w = 0
  for (const ch of text) {
    const cw = charWidth(ch)
    if (w + cw > width - 1) break
    out += ch
    w += cw
  }
  return out + '…'
}

/**
 * Cuts a line that may contain ANSI colour sequences to `width` cells (no ellipsis), keeping the
 * sequences and resetting the colour at the end when it cut something.
 */
export function clipLine(line: string, width: number): string {
  if (displayWidth(line) <= width) return line
  let out = ''
  let w = 0
  let i = 0
  while (i < line.length) {
    SGR.lastIndex = i
    const m = line[i] === '\x1b' ? SGR.exec(line) : null
    if (m && m.index === i) {
      out += m[0]
      i += m[0].length
      continue
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!)
    const cw = charWidth(ch)
    if (w + cw > width) break
    out += ch
    w += cw
    i += ch.length
  }
  return line.includes('\x1b') ? out + '\x1b[0m' : out
}

/** Pads to `width` cells on the right (left-aligned) or left (right-aligned). */
export function pad(text: string, width: number, align: 'left' | 'right' | 'center'): string {
  const gap = Math.max(0, width - displayWidth(text))
  if (align === 'left') return text + ' '.repeat(gap)
  if (align === 'right') return ' '.repeat(gap) + text
  const left = Math.floor(gap / 2)
  return ' '.repeat(left) + text + ' '.repeat(gap - left)
}

/**
 * Makes a value safe to print: control characters (which could move the cursor or change the
 * terminal's state) become visible escapes; a newline shows as `↵`.
 */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => {
    if (c === '\n') return '↵'
    if (c === '\t') return ' '
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}
