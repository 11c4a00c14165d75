/**
 * A tiny grouped bar chart as SVG text (no dependency): one group per category, one bar per
 * series, a logarithmic or linear value axis, labels on the bars. Missing values leave a gap.
 */

export interface Series {
  readonly name: string
  readonly color: string
  /** One value per category; null for "not measured". */
  readonly values: readonly (number | null)[]
}

export interface ChartOptions {
  readonly title: string
  readonly unit: string
  readonly categories: readonly string[]
  readonly series: readonly Series[]
  readonly log?: boolean
  readonly format?: (v: number) => string
  /** Labels on the bars (short: they sit above narrow bars). */
  readonly label?: (v: number) => string
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function barChart(o: ChartOptions): string {
  const W = 900, H = 420, left = 70, right = 20, top = 50, bottom = 70
  const plotW = W - left - right, plotH = H - top - bottom
  const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null && v > 0))
  const maxV = Math.max(1, ...all)
  const minV = o.log ? Math.max(1, Math.min(...all, maxV) / 2) : 0
  const lo = o.log ? Math.floor(Math.log10(minV)) : 0
  const hi = o.log ? Math.ceil(Math.log10(maxV)) : maxV * 1.1
  const y = (v: number): number => top + plotH - (o.log ? (Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo) : v / hi) * plotH
  const fmt = o.format ?? ((v: number) => String(Math.round(v)))
  const label = o.label ?? fmt
  const labels: string[] = []
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16">${esc(o.title)}</text>`,
  ]
  const ticks = o.log ? Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i)) : Array.from({ length: 6 }, (_, i) => (hi / 5) * i)
  for (const t of ticks) {
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${esc(fmt(t))}</text>`)
  }
  parts.push(`<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(o.unit)}</text>`)
  const groupW = plotW / Math.max(1, o.categories.length)
  const barW = (groupW * 0.8) / Math.max(1, o.series.length)
  o.categories.forEach((cat, ci) => {
    const gx = left + ci * groupW + groupW * 0.1
    o.series.forEach((s, si) => {
      const v = s.values[ci]
      const x = gx + si * barW
      if (v === null || v === undefined || v <= 0) {
        parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${top + plotH - 4}" text-anchor="middle" fill="#999" font-size="10">n/a</text>`)
        return
      }
      const yv = y(v)
      parts.push(`<rect x="${x.toFixed(1)}" y="${yv.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(top + plotH - yv).toFixed(1)}" fill="${s.color}"><title>${esc(`${s.name} ${cat}: ${fmt(v)}`)}</title></rect>`)
      labels.push(`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(yv - 3).toFixed(1)}" text-anchor="middle" font-size="9">${esc(label(v))}</text>`)
    })
    parts.push(`<text x="${(gx + groupW * 0.4).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${esc(cat)}</text>`)
  })
  parts.push(...labels)
  o.series.forEach((s, si) => {
    const lx = left + si * 180
    parts.push(`<rect x="${lx}" y="${H - 28}" width="12" height="12" fill="${s.color}"/>`, `<text x="${lx + 18}" y="${H - 18}">${esc(s.name)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}
