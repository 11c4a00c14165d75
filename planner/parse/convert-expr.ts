/**
 * node-sql-parser expression trees → AstExpr. Operator chains are rebuilt with PostgreSQL's
 * precedence (see `operator-chain.ts` for why); positions come from the Locator.
 */
import type { AstExpr, AstLiteral, Pos } from '../ast.ts'
import type { DataType } from '../../runtime/types.ts'
import { sqlError } from '../../runtime/errors.ts'
import { get, isObj, isSet, list, locStart, str, type Loose } from './loose.ts'
import type { Locator } from './locator.ts'
import { ALWAYS_KNOWN, flatten, KNOWN_FIELDS, NOT_OPERAND_PREC, PREC, SIGN_OPERAND_PREC, type Item } from './operator-chain.ts'
import { INTERVAL_MARKER, type Preprocessed } from './preprocess.ts'
import { identName, isOp, isWord, type Token } from './tokenizer.ts'
import { dataTypeFromName, LATER_TYPES } from './types.ts'

/** An IN list or BETWEEN bounds: only valid as the right side of those operators. */
interface ExprList {
  readonly kind: 'list'
  readonly items: readonly AstExpr[]
  readonly pos: Pos
}
type Built = AstExpr | ExprList

export class ExprConverter {
  constructor(
    readonly loc: Locator,
    readonly pre: Preprocessed,
  ) {}

  /** `what` names the feature ("OFFSET is not supported") unless it is already a sentence. */
  unsupported(what: string, pos?: Pos): never {
    const message = what.includes('not supported') ? what : `${what} is not supported`
    throw sqlError('SQL_UNSUPPORTED', message, pos ?? this.loc.here())
  }

  syntax(message: string, pos?: Pos): never {
    throw sqlError('SQL_PARSE_ERROR', message, pos ?? this.loc.here())
  }

  /** Moves the locator to a node's parser location when it has one. */
  seek(node: unknown): void {
    const at = locStart(node, this.pre.base)
    if (at !== null) this.loc.seek(at)
  }

  expr(node: unknown): AstExpr {
    return this.ensure(this.chain(node))
  }

  private ensure(built: Built): AstExpr {
    if (built.kind === 'list') return this.syntax('unexpected list of values', built.pos)
    return built
  }

  private chain(node: unknown): Built {
    this.seek(node)
    const items: Item[] = []
    flatten(node, items, true)
    let i = 0
    const parse = (minPrec: number): Built => {
      let left = prefix()
      for (;;) {
        const it = items[i]
        if (it === undefined || it.t !== 'op') break
        const prec = PREC.get(it.op) ?? 0
        if (prec < minPrec) break
        i++
        this.skipOperator(it.op)
        left = this.combine(it.op, left, parse(prec + 1))
      }
      return left
    }
    const prefix = (): Built => {
      const it = items[i++]
      if (it === undefined || it.t === 'op') return this.syntax('malformed expression')
      if (it.t === 'operand') return this.atom(it.node)
      this.seek(it.node)
      const tok = it.op === 'not' ? this.loc.word('not') : this.loc.op(it.op)
      const pos = tok === null ? this.loc.here() : this.loc.pos(tok)
      const operand = this.ensure(parse(it.op === 'not' ? NOT_OPERAND_PREC : SIGN_OPERAND_PREC))
      return { kind: 'unary', op: it.op, operand, pos }
    }
    const out = parse(1)
    if (i !== items.length) return this.syntax('malformed expression')
    return out
  }

  /** Moves past a binary operator, so that a prefix `-` or NOT after it is not matched to it. */
  private skipOperator(op: string): void {
    const [first, ...rest] = op.split(' ') as [string, ...string[]]
    const isFirst = (t: Token): boolean => (t.kind === 'op' ? t.value === first : isWord(t, first))
    if (this.loc.find(isFirst) === null) return
    for (const part of rest) if (isWord(this.loc.next(), part)) this.loc.find(() => true)
  }

  private combine(op: string, left: Built, right: Built): AstExpr {
    const l = this.ensure(left)
    const pos = l.pos
    switch (op) {
      case 'is':
      case 'is not':
        if (right.kind === 'literal' && right.type === 'null') return { kind: 'is_null', expr: l, negated: op === 'is not', pos }
        return this.unsupported(`${op.toUpperCase()} ${right.kind === 'literal' ? String(right.value).toUpperCase() : '…'}`, right.pos)
      case 'in':
      case 'not in':
        if (right.kind !== 'list') return this.syntax('IN needs a parenthesised list', right.pos)
        return { kind: 'in', expr: l, list: right.items, negated: op === 'not in', pos }
      case 'between':
      case 'not between': {
        const [low, high] = right.kind === 'list' ? right.items : []
        if (low === undefined || high === undefined) return this.syntax('malformed BETWEEN', right.pos)
        return { kind: 'between', expr: l, low, high, negated: op === 'not between', pos }
      }
      case 'like':
      case 'not like':
      case 'ilike':
      case 'not ilike':
        return { kind: 'like', expr: l, pattern: this.ensure(right), negated: op.startsWith('not'), caseInsensitive: op.endsWith('ilike'), pos }
      default:
        return { kind: 'binary', op: op === '!=' ? '<>' : op, left: l, right: this.ensure(right), pos }
    }
  }

  private atom(node: unknown): Built {
    if (!isObj(node)) return this.syntax('malformed expression')
    if ('ast' in node) return this.unsupported('subqueries in expressions are not supported', this.selectPos())
    const type = str(node.type)
    const known = KNOWN_FIELDS.get(type ?? '')
    const unknown = known && Object.keys(node).find((k) => !ALWAYS_KNOWN.has(k) && !known.includes(k) && isSet(node[k]))
    if (unknown) return this.unsupported(`${unknown.toUpperCase()} in this expression`, this.keywordPos(unknown))
    switch (type) {
      case 'binary_expr': {
        const op = str(node.operator)?.toLowerCase() ?? ''
        if (!PREC.has(op)) return this.unsupported(`operator ${str(node.operator) ?? '?'}`)
        return this.chain(node)
      }
      case 'unary_expr':
        return this.chain(node)
      case 'expr_list': {
        const pos = this.loc.here()
        return { kind: 'list', items: list(node.value).map((v) => this.expr(v)), pos }
      }
      case 'column_ref':
        return this.column(node)
      case 'number':
      case 'bigint':
        return this.number(node)
      case 'single_quote_string':
      case 'string':
        return this.string(node)
      case 'bool': {
        const value = node.value === true
        return this.literal('boolean', value, this.loc.word(value ? 'true' : 'false'))
      }
      case 'null':
        return this.literal('null', null, this.loc.word('null'))
      case 'timestamp': {
        const tok = this.loc.find((t, i) => isWord(t, 'timestamp') && this.loc.tokens[i + 1]?.kind === 'string')
        const value = tok === null ? (str(node.value) ?? '') : (this.loc.tokens[this.loc.tokens.indexOf(tok) + 1] as Token).value
        return this.literal('timestamp', value, tok)
      }
      case 'function':
        return this.func(node)
      case 'aggr_func':
        return this.aggregate(node)
      case 'case':
        return this.caseExpr(node)
      case 'cast':
        return this.cast(node)
      case 'extract':
        return this.extract(node)
      case 'date':
      case 'time':
        return this.unsupported(`${type.toUpperCase()} literals are not supported`, this.loc.here())
      case 'default':
        // `a IS [NOT] DISTINCT FROM b` arrives as IS with a bare text right side.
        if (/^distinct from/i.test(str(node.value) ?? '')) return this.unsupported('IS [NOT] DISTINCT FROM')
        return this.unsupported(`"${str(node.value) ?? '?'}"`)
      case 'var':
        return this.unsupported('parameters are not supported', this.loc.here())
      case 'array':
        return this.unsupported('arrays are not supported', this.loc.here())
      default:
        return this.unsupported(`this expression (${type ?? 'unknown'})`, this.loc.here())
    }
  }

  /** The next occurrence of `word` (a clause named by a parser field), else the cursor. */
  keywordPos(word: string): Pos {
    const tok = this.loc.word(word.toLowerCase())
    return tok === null ? this.loc.here() : this.loc.pos(tok)
  }

  /** Where a subquery starts, for the "not supported" message. */
  selectPos(): Pos {
    const tok = this.loc.word('select')
    return tok === null ? this.loc.here() : this.loc.pos(tok)
  }

  private literal(type: AstLiteral['type'], value: AstLiteral['value'], tok: Token | null): AstLiteral {
    return { kind: 'literal', type, value, pos: tok === null ? this.loc.here() : this.loc.pos(tok) }
  }

  private column(node: Loose): AstExpr {
    const column = node.column
    const tableRaw = str(node.table) ?? str(get(node.table, 'value'))
    if (column === '*') {
      const first = tableRaw === null ? this.loc.op('*') : this.loc.ident(tableRaw)
      if (tableRaw !== null) this.loc.op('*')
      const table = first === null || tableRaw === null ? (tableRaw?.toLowerCase() ?? null) : identName(first)
      return { kind: 'star', table, pos: first === null ? this.loc.here() : this.loc.pos(first) }
    }
    if (isSet(node.schema)) return this.unsupported('three-part column names are not supported')
    if (isSet(node.array_index)) return this.unsupported('array subscripts are not supported')
    const inner = get(column, 'expr')
    const name = str(get(inner, 'value')) ?? str(column)
    if (name === null) return this.syntax('malformed column reference')
    const interval = tableRaw === null && INTERVAL_MARKER.test(name) ? this.pre.intervals.get(name) : undefined
    if (interval !== undefined) {
      this.loc.ident(name)
      return interval
    }
    const found = this.loc.column(tableRaw, name)
    const quoted = str(get(inner, 'type')) === 'double_quote_string'
    return {
      kind: 'column',
      table: found?.tableTok ? identName(found.tableTok) : (tableRaw?.toLowerCase() ?? null),
      name: found ? identName(found.nameTok) : quoted ? name : name.toLowerCase(),
      pos: found ? this.loc.pos(found.first) : this.loc.here(),
    }
  }

  private number(node: Loose): AstLiteral {
    const raw = typeof node.value === 'number' ? String(node.value) : (str(node.value) ?? '')
    const negative = raw.startsWith('-')
    const toks = this.loc.tokens
    const first = this.loc.find((t, i) => (negative ? isOp(t, '-') && toks[i + 1]?.kind === 'number' : t.kind === 'number'))
    const numTok = first === null ? null : negative ? (toks[toks.indexOf(first) + 1] as Token) : first
    if (numTok !== null && negative) this.loc.seek(numTok.end)
    const text = numTok === null ? raw.replace(/^-/, '') : numTok.value
    const value = Number(text) * (negative ? -1 : 1)
    if (!Number.isFinite(value)) return this.syntax(`invalid number "${text}"`, first === null ? undefined : this.loc.pos(first))
    return { ...this.literal('number', value, first), isInteger: /^\d+$/.test(text) }
  }

  private string(node: Loose): AstLiteral {
    const raw = str(node.value) ?? ''
    const value = raw.replace(/''/g, "'")
    const tok = this.loc.find((t) => t.kind === 'string' && t.value === value)
    return this.literal('string', tok === null ? value : tok.value, tok)
  }

  /** Locates a call's name; `distinct` when the pre-processor lifted a DISTINCT out of its parentheses. */
  private callName(node: Loose, name: string): { pos: Pos; distinct: boolean } {
    this.seek(node)
    const tok = this.loc.ident(name)
    if (tok === null) return { pos: this.loc.here(), distinct: false }
    return { pos: this.loc.pos(tok), distinct: this.pre.distinctCalls.has(tok.start) }
  }

  private func(node: Loose): AstExpr {
    const parts = list(get(node.name, 'name'))
    const rawName = str(get(parts[0], 'value'))
    if (parts.length !== 1 || rawName === null) return this.unsupported('qualified function names are not supported')
    if (isSet(node.over)) return this.unsupported('window functions (OVER) are not supported')
    const name = rawName.toLowerCase()
    const { pos, distinct } = this.callName(node, rawName)
    const args = list(get(node.args, 'value'))
    if (name === 'not' && args.length === 1) return { kind: 'unary', op: 'not', operand: this.expr(args[0]), pos }
    if (args.some((a) => str(get(a, 'type')) === 'origin')) return this.trim(name, args, pos)
    return { kind: 'function', name, args: args.map((a) => this.expr(a)), distinct, star: false, pos }
  }

  /** `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)` → trim / ltrim / rtrim(s [, chars]). */
  private trim(name: string, args: readonly unknown[], pos: Pos): AstExpr {
    if (name !== 'trim') return this.unsupported(`this form of ${name.toUpperCase()}`, pos)
    const word = (a: unknown): string | null => (str(get(a, 'type')) === 'origin' ? (str(get(a, 'value'))?.toLowerCase() ?? '') : null)
    let rest = args
    let fn = 'trim'
    const mode = word(rest[0])
    if (mode === 'both' || mode === 'leading' || mode === 'trailing') {
      fn = mode === 'leading' ? 'ltrim' : mode === 'trailing' ? 'rtrim' : 'trim'
      rest = rest.slice(1)
    }
    const from = rest.findIndex((a) => word(a) === 'from')
    const before = from < 0 ? rest : rest.slice(0, from)
    const after = from < 0 ? [] : rest.slice(from + 1)
    if (before.some((a) => word(a) !== null) || after.some((a) => word(a) !== null) || before.length > 1 || (from >= 0 && after.length !== 1)) {
      return this.syntax('malformed TRIM', pos)
    }
    const chars = before.map((a) => this.expr(a))
    const source = after.map((a) => this.expr(a))
    const ordered = from < 0 ? chars : [...source, ...chars]
    return { kind: 'function', name: fn, args: ordered, distinct: false, star: false, pos }
  }

  private aggregate(node: Loose): AstExpr {
    const rawName = str(node.name) ?? ''
    if (isSet(node.over)) return this.unsupported('window functions (OVER) are not supported')
    if (isSet(node.filter)) return this.unsupported('FILTER on aggregates')
    const args = node.args
    if (isSet(get(args, 'orderby'))) return this.unsupported('ORDER BY inside aggregates')
    if (isSet(get(args, 'separator'))) return this.unsupported(`${rawName.toUpperCase()} with a separator`)
    const call = this.callName(node, rawName)
    const pos = call.pos
    const distinct = call.distinct || str(get(args, 'distinct'))?.toUpperCase() === 'DISTINCT'
    const inner = get(args, 'expr')
    const name = rawName.toLowerCase()
    if (str(get(inner, 'type')) === 'star') {
      this.loc.op('*')
      return { kind: 'function', name, args: [], distinct, star: true, pos }
    }
    const argNodes = str(get(inner, 'type')) === 'expr_list' ? list(get(inner, 'value')) : inner === undefined ? [] : [inner]
    return { kind: 'function', name, args: argNodes.map((a) => this.expr(a)), distinct, star: false, pos }
  }

  private caseExpr(node: Loose): AstExpr {
    const tok = this.loc.word('case')
    const pos = tok === null ? this.loc.here() : this.loc.pos(tok)
    const operand = isSet(node.expr) ? this.expr(node.expr) : null
    const whens: { when: AstExpr; then: AstExpr }[] = []
    let otherwise: AstExpr | null = null
    for (const arg of list(node.args)) {
      if (str(get(arg, 'type')) === 'when') whens.push({ when: this.expr(get(arg, 'cond')), then: this.expr(get(arg, 'result')) })
      else otherwise = this.expr(get(arg, 'result'))
    }
    return { kind: 'case', operand, whens, else: otherwise, pos }
  }

  private cast(node: Loose): AstExpr {
    const keyword = str(node.symbol) !== '::'
    const tok = keyword ? this.loc.word('cast') : null
    let out = this.expr(node.expr)
    const pos = tok === null ? out.pos : this.loc.pos(tok)
    for (const target of list(node.target)) {
      out = { kind: 'cast', expr: out, target: this.dataType(str(get(target, 'dataType')) ?? ''), pos }
    }
    return out
  }

  private dataType(name: string): DataType {
    const type = dataTypeFromName(name)
    if (type !== null) return type
    if (LATER_TYPES.has(name.toLowerCase())) return this.unsupported(`type ${name.toUpperCase()}`)
    return this.syntax(`unknown type "${name}"`)
  }

  private extract(node: Loose): AstExpr {
    this.seek(node)
    const tok = this.loc.word('extract')
    const pos = tok === null ? this.loc.here() : this.loc.pos(tok)
    const args = node.args
    const field = str(get(args, 'field'))
    if (field === null || isSet(get(args, 'cast_type'))) return this.unsupported('this form of EXTRACT', pos)
    this.loc.word('from')
    return { kind: 'extract', field: field.toLowerCase(), source: this.expr(get(args, 'source')), pos }
  }
}
