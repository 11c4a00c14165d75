/** Runs text of statements and backslash commands (-c, -f, piped stdin, \i) up to the first error. */
import { readFileSync } from 'node:fs'
import { runCommand, type CommandContext, type CommandOutcome } from './commands.ts'
import { runStatement } from './statement-runner.ts'
import { splitInput } from './statement-splitter.ts'

export async function runScript(ctx: CommandContext, text: string, file?: string): Promise<CommandOutcome> {
  for (const item of splitInput(text)) {
    const outcome = item.kind === 'command'
      ? await runCommand(ctx, item.text)
      : await runStatement(ctx, { text: item.text, line: item.line, file })
    if (outcome !== true) return outcome
  }
  return true
}

/** Reads a file ("-": stdin) and runs it. */
export async function runFile(ctx: CommandContext, path: string): Promise<CommandOutcome> {
  let text: string
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8')
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : ''
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : err instanceof Error ? err.message : String(err)
    ctx.term.error(`weir: cannot read ${path}: ${why}`)
    return false
  }
  return runScript(ctx, text, path === '-' ? undefined : path)
}
