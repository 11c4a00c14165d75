/**
 * Operator chains of node-sql-parser's expression trees, read back in source order.
 *
 * WARNING: node-sql-parser 5.4 gets AND/OR precedence wrong in several contexts (in a select
 * list `a AND b OR c` parses as `a AND (b OR c)`; in WHERE `NOT a OR b AND c` parses as
 * `(NOT a OR b) AND c`). So we never trust its operator nesting: `flatten` turns every
 * unparenthesised chain back into its operands and operators in source order, and the converter
 * rebuilds it with PostgreSQL's precedence. Parenthesised sub-expressions carry
 * `parentheses: true` and stay atoms.
 */
import { get, isObj, isSet, list, str } from './loose.ts'

export type Item =
  | { readonly t: 'operand'; readonly node: unknown }
  | { readonly t: 'op'; readonly op: string }
  | { readonly t: 'prefix'; readonly op: 'not' | '-' | '+'; readonly node: unknown }

// PostgreSQL's precedence, loosest first; NOT (a prefix) sits at 3, between AND and IS.
export const PREC: ReadonlyMap<string, number> = new Map([
  ['or', 1], ['and', 2], ['is', 4], ['is not', 4],
  ['=', 5], ['<>', 5], ['!=', 5], ['<', 5], ['<=', 5], ['>', 5], ['>=', 5],
  ['in', 6], ['not in', 6], ['between', 6], ['not between', 6],
  ['like', 6], ['not like', 6], ['ilike', 6], ['not ilike', 6],
  ['||', 7], ['->', 7], ['->>', 7], ['+', 8], ['-', 8], ['*', 9], ['/', 9], ['%', 9],
])
/** NOT's operand takes IS and comparisons (`NOT a = b` is `NOT (a = b)`); a sign takes only atoms. */
export const NOT_OPERAND_PREC = 4
export const SIGN_OPERAND_PREC = 10

/**
 * The fields we understand per node type (besides type, loc, parentheses). A field outside this
 * list that is set means syntax we would otherwise drop silently (`LIKE … ESCAPE`, `COLLATE`),
 * so it is rejected instead.
 */
export const KNOWN_FIELDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['binary_expr', ['operator', 'left', 'right']],
  ['unary_expr', ['operator', 'expr']],
  ['expr_list', ['value']],
  ['column_ref', ['table', 'column', 'schema', 'array_index']],
  ['number', ['value']],
  ['bigint', ['value']],
  ['single_quote_string', ['value']],
  ['string', ['value']],
  ['bool', ['value']],
  ['null', ['value']],
  ['timestamp', ['value']],
  ['function', ['name', 'args', 'over']],
  ['aggr_func', ['name', 'args', 'over', 'filter']],
  ['case', ['expr', 'args']],
  ['cast', ['keyword', 'expr', 'symbol', 'target']],
  ['extract', ['args']],
])
export const ALWAYS_KNOWN = new Set(['type', 'loc', 'parentheses'])

/** Appends `node`'s operator chain in source order; `top` ignores the node's own parentheses. */
export function flatten(node: unknown, out: Item[], top: boolean): void {
  if (isObj(node) && (top || node.parentheses !== true)) {
    const op = str(node.operator)?.toLowerCase() ?? ''
    if (node.type === 'binary_expr' && PREC.has(op)) {
      flatten(node.left, out, false)
      out.push({ t: 'op', op })
      flatten(node.right, out, false)
      return
    }
    if (node.type === 'unary_expr' && (op === 'not' || op === '-' || op === '+')) {
      out.push({ t: 'prefix', op, node })
      flatten(node.expr, out, false)
      return
    }
    // `NOT (a OR b)` arrives as a function named NOT; its argument was parenthesised.
    const fnName = str(get(list(get(node.name, 'name'))[0], 'value'))?.toLowerCase()
    const args = list(get(node.args, 'value'))
    if (node.type === 'function' && fnName === 'not' && args.length === 1 && !isSet(node.over)) {
      out.push({ t: 'prefix', op: 'not', node })
      out.push({ t: 'operand', node: args[0] })
      return
    }
  }
  out.push({ t: 'operand', node })
}
