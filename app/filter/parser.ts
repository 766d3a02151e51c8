/**
 * Display filter → syntax tree. Precedence as in Wireshark 4.0: `not` binds tightest, then
 * `and`, then `or`; parentheses group.
 *
 *   expr    := or
 *   or      := and (('or' | '||') and)*
 *   and     := unary (('and' | '&&') unary)*
 *   unary   := ('not' | '!') unary | '(' expr ')' | test
 *   test    := operand [ relop operand | 'contains' operand | 'matches' operand | ['not'] 'in' set ]
 *   set     := '{' element (',' element)* '}'      element := operand ['..' operand]
 *   operand := word | string
 *
 * Whether a word is a field or a literal is decided later, by the compiler, which knows the fields.
 */
import { DisplayFilterError, tokenize, type Token } from './lexer';

export type RelOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Operand {
  /** 'word': unquoted (field name or literal); 'string': quoted literal. */
  kind: 'word' | 'string';
  text: string;
  column: number;
  length: number;
}

export interface SetElement {
  low: Operand;
  /** Set for a range `low..high`. */
  high?: Operand;
}

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'exists'; operand: Operand }
  | { type: 'compare'; op: RelOp; left: Operand; right: Operand }
  | { type: 'contains' | 'matches'; left: Operand; right: Operand }
  | { type: 'in'; left: Operand; elements: SetElement[]; column: number };

const DESCRIBE: Record<string, string> = {
  end: 'the end of the filter',
  op: 'a comparison',
};

export function parseDisplayFilter(filter: string): FilterNode {
  if (filter.trim() === '') throw new DisplayFilterError(filter, 1, 'the filter is empty');
  const tokens = tokenize(filter);
  let at = 0;
  const peek = (): Token => tokens[at]!;
  const next = (): Token => tokens[at++]!;
  const describe = (t: Token) => (t.kind === 'end' ? DESCRIBE.end! : t.kind === 'string' ? `"${t.text}"` : `'${t.text}'`);
  const fail = (t: Token, reason: string): never => {
    throw new DisplayFilterError(filter, t.column, reason);
  };
  const expect = (kind: Token['kind'], what: string): Token => {
    const t = peek();
    if (t.kind !== kind) fail(t, `expected ${what}, found ${describe(t)}`);
    return next();
  };

  const operand = (what = 'a value'): Operand => {
    const t = peek();
    if (t.kind === 'end') fail(t, `expected ${what}`);
    if (t.kind !== 'word' && t.kind !== 'string') fail(t, `expected ${what}, found ${describe(t)}`);
    next();
    return { kind: t.kind as Operand['kind'], text: t.text, column: t.column, length: t.length };
  };

  const set = (): SetElement[] => {
    expect('{', "'{' to start the set");
    const elements: SetElement[] = [];
    for (;;) {
      const low = operand('a value in the set');
      let high: Operand | undefined;
      if (peek().kind === '..') {
        next();
        high = operand('the end of the range');
      }
      elements.push(high ? { low, high } : { low });
      const t = peek();
      if (t.kind === '}') {
        next();
        return elements;
      }
      if (t.kind !== ',') fail(t, `expected ',' or '}' in the set, found ${describe(t)} (separate set elements with commas)`);
      next();
    }
  };

  const test = (): FilterNode => {
    const left = operand('a field, a value or \'(\'');
    const t = peek();
    if (t.kind === 'op') {
      next();
      return { type: 'compare', op: t.text as RelOp, left, right: operand() };
    }
    if (t.kind === 'contains' || t.kind === 'matches') {
      next();
      return { type: t.kind, left, right: operand() };
    }
    if (t.kind === 'in') {
      next();
      return { type: 'in', left, elements: set(), column: t.column };
    }
    if (t.kind === 'not' && t.text === 'not' && tokens[at + 1]?.kind === 'in') {
      at += 2;
      return { type: 'not', operand: { type: 'in', left, elements: set(), column: t.column } };
    }
    return { type: 'exists', operand: left };
  };

  const unary = (): FilterNode => {
    const t = peek();
    if (t.kind === 'not') {
      next();
      return { type: 'not', operand: unary() };
    }
    if (t.kind === '(') {
      next();
      const inner = or();
      expect(')', "')' to close the '(' at column " + t.column);
      return inner;
    }
    return test();
  };

  const and = (): FilterNode => {
    let left = unary();
    while (peek().kind === 'and') {
      next();
      left = { type: 'and', left, right: unary() };
    }
    return left;
  };

  const or = (): FilterNode => {
    let left = and();
    while (peek().kind === 'or') {
      next();
      left = { type: 'or', left, right: and() };
    }
    return left;
  };

  const tree = or();
  const rest = peek();
  if (rest.kind !== 'end') fail(rest, `unexpected ${describe(rest)}: expected 'and', 'or' or the end of the filter`);
  return tree;
}
