/** The worker threads of the file decoder (file-decode.ts): each request is one file to decode. */
import { serveRequests } from '../../runtime/threads/worker-pool.ts'
import { decodeColumns } from './file-decode.ts'
import { transferList } from './row-columns.ts'

serveRequests(decodeColumns, transferList)
