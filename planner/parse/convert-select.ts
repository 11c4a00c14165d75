/**
 * node-sql-parser SELECT trees → AstSelect. Clauses are converted in source order (select list,
 * FROM, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT) because the locator finds positions by
 * scanning forward.
 */
import type { AstExpr, AstJoin, AstSelect, AstTableRef, AstWindowTvf, FromItem, OrderItem, Pos, SelectItem } from '../ast.ts'
import { ExprConverter } from './convert-expr.ts'
import { get, isObj, isSet, list, str, type Loose } from './loose.ts'
import { identName, RESERVED, type Token } from './tokenizer.ts'

const JOIN_TYPES: ReadonlyMap<string, AstJoin['joinType']> = new Map([
  ['join', 'inner'], ['inner join', 'inner'], ['left join', 'left'], ['left outer join', 'left'],
  ['right join', 'right'], ['right outer join', 'right'], ['full join', 'full'], ['full outer join', 'full'],
  ['cross join', 'cross'],
])

/**
 * Window TVFs and how many arguments may follow the table and time column (Flink's optional
 * trailing offset for TUMBLE, HOP and CUMULATE included; the binder decides what it supports).
 */
const WINDOW_TVFS: ReadonlyMap<string, { fn: AstWindowTvf['fn']; min: number; max: number; usage: string }> = new Map([
  ['tumble', { fn: 'tumble', min: 1, max: 2, usage: 'TUMBLE(table, time_column, size [, offset])' }],
  ['hop', { fn: 'hop', min: 2, max: 3, usage: 'HOP(table, time_column, slide, size [, offset])' }],
  ['session', { fn: 'session', min: 1, max: 1, usage: 'SESSION(table, time_column, gap)' }],
  ['cumulate', { fn: 'cumulate', min: 2, max: 3, usage: 'CUMULATE(table, time_column, step, size [, offset])' }],
] as const)

/** Fields of a FROM item we understand; any other (TABLESAMPLE, …) is rejected, never dropped. */
const FROM_FIELDS = new Set(['db', 'schema', 'table', 'as', 'join', 'on', 'using', 'prefix', 'type', 'expr', 'loc'])
/** Fields of a SELECT we understand or check by name. */
const SELECT_FIELDS = new Set([
  'type', 'with', 'options', 'distinct', 'columns', 'into', 'from', 'where', 'groupby', 'having', 'orderby', 'limit',
  'window', '_next', 'set_op', 'loc', 'parentheses',
])

export class SelectConverter extends ExprConverter {
  select(node: unknown): AstSelect {
    if (!isObj(node)) return this.syntax('malformed query')
    const type = str(node.type)
    if (type !== 'select') return this.unsupported(`${(type ?? 'this').toUpperCase()} statements are not supported`)
    if (isSet(node.with)) return this.unsupported('WITH (common table expressions)')
    if (isSet(node._next) || isSet(node.set_op)) return this.unsupported((str(node.set_op) ?? 'UNION').toUpperCase())
    const unknown = Object.keys(node).find((k) => !SELECT_FIELDS.has(k) && isSet(node[k]))
    if (unknown !== undefined) return this.unsupported(`${unknown.toUpperCase()} in SELECT`, this.keywordPos(unknown))
    const selectTok = this.loc.word('select')
    const pos = selectTok === null ? this.loc.here() : this.loc.pos(selectTok)
    const distinctType = str(get(node.distinct, 'type'))
    if (distinctType !== null && distinctType.toUpperCase() !== 'DISTINCT') return this.unsupported(distinctType.toUpperCase())
    if (isSet(node.options)) return this.unsupported('SELECT options')
    if (isSet(get(node.into, 'position'))) return this.unsupported('SELECT INTO')
    if (isSet(node.window)) return this.unsupported('the WINDOW clause')
    const items = list(node.columns).map((c) => this.selectItem(c))
    const from = isSet(node.from) ? this.fromList(list(node.from)) : null
    const where = isSet(node.where) ? this.expr(node.where) : null
    const groupNodes = Array.isArray(node.groupby) ? node.groupby : list(get(node.groupby, 'columns'))
    const groupBy = groupNodes.map((g) => this.expr(g))
    const having = isSet(node.having) ? this.expr(node.having) : null
    const orderBy = list(node.orderby).map((o) => this.orderItem(o))
    const limit = this.limit(node.limit)
    return { kind: 'select', distinct: distinctType !== null, items, from, where, groupBy, having, orderBy, limit, pos }
  }

  private selectItem(node: unknown): SelectItem {
    const expr = this.expr(get(node, 'expr'))
    const as = get(node, 'as')
    const alias = isSet(as) ? this.alias(str(as) ?? str(get(as, 'value')) ?? '') : null
    return { expr, alias, pos: expr.pos }
  }

  /** Finds the alias token, so it is normalised by how it was written and rejected if reserved. */
  private alias(raw: string): string {
    if (raw.includes('(')) return this.unsupported('column alias lists are not supported')
    const tok = this.loc.ident(raw)
    if (tok === null) return raw.toLowerCase()
    if (tok.kind === 'word' && RESERVED.has(tok.value.toLowerCase())) {
      if (tok.value.toLowerCase() === 'natural') return this.unsupported('NATURAL JOIN', this.loc.pos(tok))
      return this.syntax(`syntax error at or near "${tok.value}"`, this.loc.pos(tok))
    }
    return identName(tok)
  }

  private fromList(items: readonly unknown[]): FromItem {
    let left: FromItem | null = null
    for (const item of items) {
      const joinRaw = str(get(item, 'join'))
      const right = this.fromItem(item)
      if (left === null) {
        left = right
        continue
      }
      const joinType = joinRaw === null ? 'cross' : JOIN_TYPES.get(joinRaw.toLowerCase())
      if (joinType === undefined) return this.unsupported(joinRaw ?? 'this join', right.pos)
      if (isSet(get(item, 'using'))) return this.unsupported('JOIN … USING is not supported; write ON a.x = b.x', right.pos)
      const onNode = get(item, 'on')
      const on = isSet(onNode) ? this.expr(onNode) : null
      if (joinType !== 'cross' && on === null) return this.syntax('JOIN needs an ON condition', right.pos)
      left = { kind: 'join', joinType, left, right, on, pos: left.pos }
    }
    return left ?? this.syntax('empty FROM clause')
  }

  private fromItem(item: unknown): FromItem {
    if (!isObj(item)) return this.syntax('malformed FROM clause')
    const unknown = Object.keys(item).find((k) => !FROM_FIELDS.has(k) && isSet(item[k]))
    if (isSet(item.prefix)) return this.unsupported(`${String(item.prefix).toUpperCase()} in FROM`)
    const expr = item.expr
    if (isObj(expr) && 'ast' in expr) {
      const open = this.loc.op('(')
      const pos = open === null ? this.loc.here() : this.loc.pos(open)
      const query = this.select(expr.ast)
      if (unknown !== undefined) return this.unsupported(`${unknown.toUpperCase()} in FROM`)
      return { kind: 'subquery', query, alias: this.tableAlias(item), pos }
    }
    if (str(get(expr, 'type')) === 'function') {
      if (unknown !== undefined) return this.unsupported(`${unknown.toUpperCase()} in FROM`)
      return this.windowTvf(item, expr as Loose)
    }
    const table = str(item.table)
    if (table === null) return this.unsupported('this FROM item')
    if (isSet(item.db) || isSet(item.schema)) {
      const first = this.loc.ident(str(item.db) ?? str(item.schema) ?? '')
      return this.unsupported('schema-qualified table names are not supported', first === null ? undefined : this.loc.pos(first))
    }
    const tok = this.loc.ident(table)
    if (unknown !== undefined) return this.unsupported(`${unknown.toUpperCase()} in FROM`, this.keywordPos(unknown))
    // `FROM ONLY t` reads as table ONLY aliased t: a reserved word is never a table name.
    if (tok !== null && tok.kind === 'word' && RESERVED.has(tok.value.toLowerCase())) {
      return this.syntax(`syntax error at or near "${tok.value}"`, this.loc.pos(tok))
    }
    return this.tableRef(table, tok, this.tableAlias(item))
  }

  private tableRef(raw: string, tok: Token | null, alias: string | null): AstTableRef {
    return {
      kind: 'table',
      name: tok === null ? raw.toLowerCase() : identName(tok),
      alias,
      pos: tok === null ? this.loc.here() : this.loc.pos(tok),
    }
  }

  private tableAlias(item: Loose): string | null {
    const as = item.as
    return isSet(as) ? this.alias(str(as) ?? str(get(as, 'value')) ?? '') : null
  }

  private windowTvf(item: Loose, fnNode: Loose): AstWindowTvf {
    const rawName = str(get(list(get(fnNode.name, 'name'))[0], 'value')) ?? ''
    this.seek(fnNode)
    const nameTok = this.loc.ident(rawName)
    const pos = nameTok === null ? this.loc.here() : this.loc.pos(nameTok)
    const spec = WINDOW_TVFS.get(rawName.toLowerCase())
    if (spec === undefined) return this.unsupported(`table function ${rawName}`, pos)
    const args = list(get(fnNode.args, 'value'))
    if (args.length < spec.min + 2 || args.length > spec.max + 2) {
      const count = spec.min === spec.max ? `${spec.min + 2}` : `${spec.min + 2} or ${spec.max + 2}`
      return this.syntax(`${rawName.toUpperCase()} expects ${count} arguments: ${spec.usage}`, pos)
    }
    const tableNode = args[0]
    const tableName = str(get(get(get(tableNode, 'column'), 'expr'), 'value'))
    if (str(get(tableNode, 'type')) !== 'column_ref' || isSet(get(tableNode, 'table')) || tableName === null) {
      return this.syntax(`the first argument of ${rawName.toUpperCase()} must be a table name`, this.loc.here())
    }
    const table = this.tableRef(tableName, this.loc.ident(tableName), null)
    const time = this.expr(args[1])
    if (time.kind !== 'column') return this.syntax(`the second argument of ${rawName.toUpperCase()} must be a time column`, time.pos)
    const rest: AstExpr[] = args.slice(2).map((a) => this.expr(a))
    return { kind: 'window_tvf', fn: spec.fn, table, timeColumn: time, args: rest, alias: this.tableAlias(item), pos }
  }

  private orderItem(node: unknown): OrderItem {
    const expr = this.expr(get(node, 'expr'))
    const nulls = str(get(node, 'nulls'))?.toUpperCase() ?? null
    return {
      expr,
      descending: str(get(node, 'type'))?.toUpperCase() === 'DESC',
      nullsFirst: nulls === null ? null : nulls.endsWith('FIRST'),
      pos: expr.pos,
    }
  }

  private limit(node: unknown): number | null {
    const values = list(get(node, 'value'))
    if (values.length === 0) return null
    if (str(get(node, 'seperator')) === 'offset' || values.length > 1) {
      const tok = this.loc.word('offset')
      return this.unsupported('OFFSET', tok === null ? undefined : this.loc.pos(tok))
    }
    this.loc.word('limit')
    const at: Pos = this.loc.here()
    const v = values[0]
    if (str(get(v, 'type')) === 'origin' && str(get(v, 'value'))?.toLowerCase() === 'all') return null
    const n = get(v, 'value')
    const num = typeof n === 'number' ? n : Number(str(n) ?? 'x')
    if (str(get(v, 'type')) !== 'number' || !Number.isInteger(num) || num < 0) {
      return this.syntax('LIMIT must be a non-negative integer', at)
    }
    this.loc.find((t) => t.kind === 'number')
    return num
  }
}
