/**
 * Keeping V8's hidden classes of hot operator objects alive between queries.
 *
 * V8 keeps a hidden class (a "map") only while some object has it, and drops optimised code that
 * was specialised to a class that is gone. So when a query ends and its operators are collected,
 * the next query's objects of the same classes get new hidden classes, and its row loops start
 * over in the interpreter, are optimised again, and lose the first few milliseconds of every
 * batch to it. Keeping one idle object of each class for the life of the process keeps the
 * classes, and the code, from one query to the next.
 */

/** The objects kept: one per class, each small and empty. */
const kept: object[] = []

/** Keeps `example` for the life of the process; returns it. */
export function retainShape<T extends object>(example: T): T {
  kept.push(example)
  return example
}
