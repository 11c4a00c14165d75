/**
 * The code generator behind `compile.ts`: turns a bound `Expr` into one JavaScript expression
 * over `row`, then into a function with `new Function`. With a `leftWidth`, the expression is
 * over a join's combined row read from its two halves instead, `(l, r)`: column `i` is `l[i]`
 * below `leftWidth`, else `r[i - leftWidth]` (so a join condition needs no combined row).
 *
 * SAFETY: the generated source contains only identifiers, operators and numbers made here.
 * Every other value (strings, JSON, sets, regular expressions, helper functions) reaches the
 * code as a closure constant `kN`; column indexes are checked to be integers. No text from the
 * query or from a deserialised graph is ever spliced into the source.
 *
 * Three-valued logic: NULL is JS `null`. `value(e)` yields the SQL value (null for NULL).
 * `isTrue(e)` / `isFalse(e)` yield a JS boolean saying whether `e` is TRUE / FALSE, which lets
 * predicates skip materialising NULLs (`a > 1 AND b` becomes `t0 != null && t0 > 1 && …`).
 */
import type { CallExpr, Expr } from '../graph.ts'
import type { Value } from '../types.ts'
import { assertNever, internalError } from '../errors.ts'
import { castFunction } from './cast.ts'
import { CALLS } from './gen-calls.ts'

/** An evaluated argument: `ref` names its value; `assign` (when present) computes it into `ref`. */
export interface Operand {
  readonly ref: string
  /** `(tN = code)`; null when the operand is a non-null constant needing no evaluation. */
  readonly assign: string | null
  /** The operand is the NULL literal. */
  readonly isNull: boolean
}

export type Mode = 'value' | 'predicate' | 'projection'

/** A compiled expression: over `(row)`, or over `(l, r)` when compiled with a `leftWidth`. */
export type ExprFunction = (row: readonly Value[], right?: readonly Value[]) => unknown

export class Gen {
  private readonly constants: unknown[] = []
  private readonly constantIndex = new Map<unknown, string>()
  private temps = 0

  /**
   * `fold`: evaluate constant subtrees once at compile time. `leftWidth`: compile over `(l, r)`,
   * the two halves of a combined row, instead of `(row)`.
   */
  constructor(private readonly fold = true, private readonly leftWidth: number | null = null) {}

  /** A fresh local variable. */
  temp(): string {
    return `t${this.temps++}`
  }

  /** A closure constant holding `v` (deduplicated by identity). */
  constant(v: unknown): string {
    const known = this.constantIndex.get(v)
    if (known !== undefined) return known
    const name = `k${this.constants.length}`
    this.constants.push(v)
    this.constantIndex.set(v, name)
    return name
  }

  /** Code for a constant value: small scalars inline, everything else by reference. */
  literal(v: Value): string {
    if (v === null) return 'null'
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    if (typeof v === 'number' && Number.isFinite(v)) return Object.is(v, -0) ? '(-0)' : v < 0 ? `(${String(v)})` : String(v)
    return this.constant(v)
  }

  /** The value of `e` when it is known at compile time (a literal or a folded constant subtree). */
  constantValue(e: Expr): Value | undefined {
    return e.kind === 'literal' ? e.value : this.foldConstant(e)
  }

  operand(e: Expr): Operand {
    const lit = this.constantValue(e)
    if (lit !== undefined) {
      return lit === null ? { ref: 'null', assign: null, isNull: true } : { ref: this.literal(lit), assign: null, isNull: false }
    }
    const t = this.temp()
    return { ref: t, assign: `(${t} = ${this.value(e)})`, isNull: false }
  }

  /** NULL if any argument is NULL (evaluated left to right, stopping at the first), else `body`. */
  strict(args: readonly Expr[], body: (refs: string[]) => string): string {
    const ops = args.map((a) => this.operand(a))
    if (ops.some((o) => o.isNull)) return 'null'
    const checks = ops.flatMap((o) => (o.assign === null ? [] : [`${o.assign} == null`]))
    const b = body(ops.map((o) => o.ref))
    return checks.length === 0 ? `(${b})` : `(${checks.join(' || ')} ? null : ${b})`
  }

  /** Predicate form of `strict`: false if any argument is NULL, else the boolean `body`. */
  strictTest(args: readonly Expr[], body: (refs: string[]) => string): string {
    const ops = args.map((a) => this.operand(a))
    if (ops.some((o) => o.isNull)) return 'false'
    const checks = ops.flatMap((o) => (o.assign === null ? [] : [`${o.assign} != null`]))
    return `(${[...checks, body(ops.map((o) => o.ref))].join(' && ')})`
  }

  value(e: Expr): string {
    const folded = this.foldConstant(e)
    if (folded !== undefined) return this.literal(folded)
    switch (e.kind) {
      case 'column':
        return columnRef(e.index, this.leftWidth)
      case 'literal':
        return this.literal(e.value)
      case 'call':
        return callGen(e).value(this, e)
      case 'case':
        return this.caseValue(e)
      case 'cast': {
        const f = castFunction(e.expr.type, e.type)
        if (f === 'identity') return this.value(e.expr)
        const k = this.constant(f)
        return this.strict([e.expr], ([x]) => `${k}(${x})`)
      }
      default:
        return assertNever(e, 'expression kind')
    }
  }

  isTrue(e: Expr): string {
    const folded = this.foldConstant(e)
    if (folded !== undefined) return folded === true ? 'true' : 'false'
    if (e.kind === 'call') {
      const g = callGen(e)
      if (g.isTrue !== undefined) return g.isTrue(this, e)
    }
    return `(${this.value(e)} === true)`
  }

  isFalse(e: Expr): string {
    const folded = this.foldConstant(e)
    if (folded !== undefined) return folded === false ? 'true' : 'false'
    if (e.kind === 'call') {
      const g = callGen(e)
      if (g.isFalse !== undefined) return g.isFalse(this, e)
    }
    return `(${this.value(e)} === false)`
  }

  private caseValue(e: Extract<Expr, { kind: 'case' }>): string {
    const otherwise = e.else === null ? 'null' : this.value(e.else)
    if (e.operand === null) {
      const arms = e.whens.map((w) => `${this.isTrue(w.when)} ? ${this.value(w.then)} : `)
      return `(${arms.join('')}${otherwise})`
    }
    // Simple CASE: the operand once; NULL matches no WHEN (NULL = x is not TRUE).
    const t = this.temp()
    const arms = e.whens.map((w) => `${t} === ${this.value(w.when)} ? ${this.value(w.then)} : `)
    return `((${t} = ${this.value(e.operand)}) == null ? ${otherwise} : ${arms.join('')}${otherwise})`
  }

  /**
   * The value of a constant subtree (no column reads) computed now, or undefined when `e` is
   * not one (or is a bare literal, which needs no folding). Helpers never throw on data, but a
   * failure here only means no folding.
   */
  private foldConstant(e: Expr): Value | undefined {
    if (!this.fold || e.kind === 'literal' || e.kind === 'column' || !isConstant(e)) return undefined
    try {
      return new Gen(false).build([e], 'value')([]) as Value
    } catch {
      return undefined
    }
  }

  /** Wraps generated code for `exprs` into the function for `mode`. */
  build(exprs: readonly Expr[], mode: Mode): ExprFunction {
    let body: string
    switch (mode) {
      case 'value':
        body = this.value(exprs[0]!)
        break
      case 'predicate':
        body = this.isTrue(exprs[0]!)
        break
      case 'projection':
        body = `[${exprs.map((e) => this.value(e)).join(', ')}]`
        break
      default:
        return assertNever(mode, 'mode')
    }
    return this.finish(body)
  }

  /** The source that `build` would compile, for tests and debugging. */
  source(exprs: readonly Expr[], mode: Mode): string {
    const fn = this.build(exprs, mode)
    return fn.toString()
  }

  private finish(body: string): ExprFunction {
    const locals = Array.from({ length: this.temps }, (_, i) => `t${i}`)
    const bindings = this.constants.map((_, i) => `k${i} = k[${i}]`)
    const src = [
      '"use strict";',
      bindings.length > 0 ? `const ${bindings.join(', ')};` : '',
      this.leftWidth === null ? 'return function weirExpr(row) {' : 'return function weirExpr(l, r) {',
      locals.length > 0 ? `  let ${locals.join(', ')};` : '',
      `  return ${body};`,
      '};',
    ].join('\n')
    // Constant folding compiles one-off sources: they stay out of the cache.
    if (!this.fold) return (new Function('k', src) as Compiled['factory'])(this.constants)
    const c = compileSource(src)
    // Without constants every function made from a source is the same: share one.
    if (this.constants.length === 0) return (c.shared ??= c.factory([]))
    return c.factory(this.constants)
  }
}

interface Compiled {
  readonly factory: (k: readonly unknown[]) => ExprFunction
  /** The function of a source without constants, made once. */
  shared?: ExprFunction
}

/** At most this many distinct sources are kept (then the cache starts over). */
const CACHE_SIZE = 1000
const compiled = new Map<string, Compiled>()

/**
 * One factory per distinct source, shared by every query that compiles the same expression
 * (constants are the factory's argument, not source). V8 keeps feedback and optimised code per
 * function, and an operator loop that inlined an expression is deoptimised when that function
 * dies: sharing them lets a restarted or repeated query (a pull query, a bench round) run at full
 * speed at once instead of re-learning every call site.
 */
function compileSource(src: string): Compiled {
  let c = compiled.get(src)
  if (c === undefined) {
    if (compiled.size >= CACHE_SIZE) compiled.clear()
    c = { factory: new Function('k', src) as Compiled['factory'] }
    compiled.set(src, c)
  }
  return c
}

function columnRef(index: number, leftWidth: number | null): string {
  if (!Number.isSafeInteger(index) || index < 0) throw internalError(`bad column index ${JSON.stringify(index)}`)
  if (leftWidth === null) return `row[${index}]`
  return index < leftWidth ? `l[${index}]` : `r[${index - leftWidth}]`
}

function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case 'column':
      return false
    case 'literal':
      return true
    case 'call':
      return e.args.every(isConstant)
    case 'cast':
      return isConstant(e.expr)
    case 'case':
      return (e.operand === null || isConstant(e.operand)) && (e.else === null || isConstant(e.else)) &&
        e.whens.every((w) => isConstant(w.when) && isConstant(w.then))
    default:
      return assertNever(e, 'expression kind')
  }
}

/** How one `fn` compiles. `isTrue`/`isFalse` default to comparing `value` with true/false. */
export interface CallGen {
  value(g: Gen, e: CallExpr): string
  isTrue?(g: Gen, e: CallExpr): string
  isFalse?(g: Gen, e: CallExpr): string
}

function callGen(e: CallExpr): CallGen {
  const g = Object.hasOwn(CALLS, e.fn) ? CALLS[e.fn] : undefined
  if (g === undefined) throw internalError(`cannot compile unknown function ${JSON.stringify(e.fn)}`)
  return g
}
