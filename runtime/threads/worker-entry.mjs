// The entry of every Weir worker thread. A worker does not inherit the main thread's module
// loader hooks, so this registers tsx's (Weir runs its TypeScript sources through tsx), then
// loads the worker's module, named in workerData.weirModule.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.weirModule)
