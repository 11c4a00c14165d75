#!/usr/bin/env node
// The `weir` command: runs the TypeScript client (cli/main.ts) through tsx's loader.
import { register } from 'tsx/esm/api'

register()
await import('../cli/main.ts')
