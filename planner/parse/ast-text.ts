/**
 * A compact, unambiguous rendering of expressions as S-expressions, e.g. `(or (and a b) c)`:
 * for tests and debugging, where comparing whole ASTs with positions would drown the point.
 */
import type { AstExpr } from '../ast.ts'
import { assertNever } from '../../runtime/errors.ts'

export function exprText(e: AstExpr): string {
  switch (e.kind) {
    case 'column':
      return e.table === null ? e.name : `${e.table}.${e.name}`
    case 'literal':
      if (e.type === 'string') return `'${String(e.value)}'`
      if (e.type === 'timestamp') return `TIMESTAMP '${String(e.value)}'`
      if (e.type === 'number') return e.isInteger === true ? String(e.value) : `${String(e.value)}f`
      return String(e.value).toUpperCase()
    case 'interval':
      return `interval:${e.ms}`
    case 'binary':
      return `(${e.op} ${exprText(e.left)} ${exprText(e.right)})`
    case 'unary':
      return `(${e.op} ${exprText(e.operand)})`
    case 'function':
      return `${e.name}(${e.distinct ? 'DISTINCT ' : ''}${e.star ? '*' : e.args.map(exprText).join(', ')})`
    case 'case':
      return `(case ${e.operand === null ? '_' : exprText(e.operand)} ${e.whens.map((w) => `[${exprText(w.when)} ${exprText(w.then)}]`).join(' ')} ${e.else === null ? '_' : exprText(e.else)})`
    case 'cast':
      return `(cast ${exprText(e.expr)} ${e.target})`
    case 'in':
      return `(${e.negated ? 'not in' : 'in'} ${exprText(e.expr)} [${e.list.map(exprText).join(', ')}])`
    case 'between':
      return `(${e.negated ? 'not between' : 'between'} ${exprText(e.expr)} ${exprText(e.low)} ${exprText(e.high)})`
    case 'like':
      return `(${e.negated ? 'not ' : ''}${e.caseInsensitive ? 'ilike' : 'like'} ${exprText(e.expr)} ${exprText(e.pattern)})`
    case 'is_null':
      return `(${e.negated ? 'is not null' : 'is null'} ${exprText(e.expr)})`
    case 'extract':
      return `extract(${e.field}, ${exprText(e.source)})`
    case 'star':
      return e.table === null ? '*' : `${e.table}.*`
    default:
      return assertNever(e, 'expression')
  }
}
