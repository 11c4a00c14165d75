/** The worker threads of the file decoder (file-decode.ts): each request is one file to decode. */
import { serveRequests } from '../../runtime/threads/worker-pool.ts'
import { decodeColumns, type DecodeRequest } from './file-decode.ts'
import { compactColumns, transferList } from './row-columns.ts'

serveRequests(async (req: DecodeRequest) => compactColumns(await decodeColumns(req)), transferList)
