/**
 * The V8 flags the server runs with (`npm start`, and every test or benchmark that starts it).
 *
 * `--max-semi-space-size=128` (MiB; V8's default is 16): a micro-batch's rows live until the
 * batch ends, so with the default young generation they survive two scavenges and are copied
 * into the old generation, to be collected there at greater cost. Measured on q5 over JSON files
 * (bench/): with decoding threads the query's thread spent about a third of its time in the
 * collector, and 1M rows took 660–690 ms against 586–590 ms with 128 MiB. The cost is memory: the
 * young generation may grow to about 3 × 128 MiB while batches are large.
 *
 * package.json's `start` script must pass the same flags (server/node-flags.test.ts checks).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=128']
