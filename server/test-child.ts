/**
 * Test helper for crash tests: a child process whose stdout lines the test waits on (each wait
 * with a deadline, failing early when the child exits), and that the test kills with SIGKILL.
 */
import { spawn } from 'node:child_process'
import { SERVER_NODE_FLAGS } from './node-flags.ts'

/** A seeded PRNG (mulberry32): the same seed gives the same kill moments. */
export function prng(s: number): () => number {
  let a = s >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Child {
  /** Resolves with the first line of stdout that satisfies `match`, or rejects at the deadline / exit. */
  waitFor(match: (line: string) => boolean, ms: number): Promise<string>
  exited: Promise<number | null>
  kill(): void
}

/** Runs `script` (TypeScript, through tsx) as a child process that the test can SIGKILL. */
export function startChild(script: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const waiters = new Set<() => void>()
  let buffer = ''
  let stderr = ''
  proc.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    const parts = buffer.split('\n')
    buffer = parts.pop()!
    lines.push(...parts)
    for (const w of waiters) w()
  })
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => {
    for (const w of waiters) w()
    resolve(code)
  }))
  return {
    exited,
    kill: () => proc.kill('SIGKILL'),
    waitFor: (match, ms) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no matching line within ${ms} ms; stdout: ${lines.join(' | ')}; stderr: ${stderr.slice(-2000)}`)), ms)
      const check = (): void => {
        const line = lines.find(match)
        if (line !== undefined) finish(null, line)
        else if (proc.exitCode !== null || proc.signalCode !== null) {
          finish(new Error(`child exited (${proc.exitCode ?? proc.signalCode}); stdout: ${lines.join(' | ')}; stderr: ${stderr.slice(-2000)}`))
        }
      }
      function finish(err: Error | null, line?: string): void {
        clearTimeout(timer)
        waiters.delete(check)
        if (err) reject(err)
        else resolve(line!)
      }
      waiters.add(check)
      check()
    }),
  }
}
