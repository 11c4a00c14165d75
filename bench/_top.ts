import { readdirSync, readFileSync } from 'node:fs'
import { hotFunctions } from './report/profile.ts'
for (const key of process.argv.slice(2)) {
  const dir = `/tmp/wb/p-${key}`
  const w = JSON.parse(readFileSync(`/tmp/wb/w-${key}.json`, 'utf8'))
  console.log(key, (w.end - w.start) / 1000, 'ms\n ', hotFunctions(`${dir}/${readdirSync(dir)[0]}`, '/work/main', 14, w).map((h) => `${h.name} (${h.where}) ${h.selfPct.toFixed(1)}%`).join('\n  '))
}
