/**
 * Runs the Spark and Flink peers (built by `bench/peers/run.sh`) as child JVMs on the same files
 * and parses their one-line-per-query JSON results. A peer that is not built, or fails, is
 * reported with the reason instead of figures.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { PeerResult } from '../report/render.ts'

const PEERS_DIR = resolve(import.meta.dirname)

/** Spark on Java 17 needs these (Spark's own launcher adds them: JavaModuleOptions). */
const SPARK_JVM = [
  'java.lang', 'java.lang.invoke', 'java.lang.reflect', 'java.io', 'java.net', 'java.nio', 'java.util', 'java.util.concurrent',
  'java.util.concurrent.atomic', 'jdk.internal.ref', 'sun.nio.ch', 'sun.nio.cs', 'sun.security.action', 'sun.util.calendar',
].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`).concat(['-Djdk.reflect.useDirectMethodHandle=false', '-Dio.netty.tryReflectionSetAccessible=true'])
const FLINK_JVM = ['java.lang', 'java.util', 'java.lang.reflect', 'java.io', 'java.net', 'java.nio'].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`)

export const PEERS = [
  { engine: 'spark', main: 'weir.bench.SparkBench', jvm: SPARK_JVM },
  { engine: 'flink', main: 'weir.bench.FlinkBench', jvm: FLINK_JVM },
] as const

export type PeerName = (typeof PEERS)[number]['engine']

/** The pinned version from the peer's pom.xml. */
export function peerVersion(engine: PeerName): string {
  const pom = readFileSync(join(PEERS_DIR, engine, 'pom.xml'), 'utf8')
  return new RegExp(`<${engine}\\.version>([^<]+)<`).exec(pom)?.[1] ?? '?'
}

export interface PeerRun {
  readonly results: PeerResult[]
  readonly note: string | null
}

export async function runPeer(engine: PeerName, dataDir: string, rounds: number, queries: readonly string[], checkDir: string | null): Promise<PeerRun> {
  const peer = PEERS.find((p) => p.engine === engine)!
  const dir = join(PEERS_DIR, engine)
  const cpFile = join(dir, 'target', 'classpath.txt')
  if (!existsSync(join(dir, 'target', 'classes', ...peer.main.split('.')) + '.class') || !existsSync(cpFile)) {
    return { results: [], note: `${engine}: not built (run bench/peers/run.sh)` }
  }
  const cp = `${join(dir, 'target', 'classes')}:${readFileSync(cpFile, 'utf8').trim()}`
  const args = ['-Xmx4g', ...peer.jvm, '-cp', cp, peer.main, dataDir, String(rounds), queries.join(','), ...(checkDir ? [checkDir] : [])]
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += String(d) })
  child.stderr.on('data', (d: Buffer) => { err = (err + String(d)).slice(-20_000) })
  const code = await new Promise<number | null>((r) => child.on('close', r))
  const results = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as PeerResult)
  if (code !== 0) {
    const why = err.split('\n').filter((l) => /Exception|Error/.test(l)).slice(0, 3).join(' | ')
    return { results, note: `${engine} exited with ${code}: ${why || err.slice(-500)}` }
  }
  return { results, note: null }
}
