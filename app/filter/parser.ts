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
 *   operand := word [slice] | string
 *   slice   := '[' range (',' range)* ']'    range := i:j | i-j | i | :j | i:   (Wireshark's byte slices)
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
  /** `field[0:3]`: the byte ranges taken from the field's bytes, joined in order. */
  slice?: SliceRange[];
}

/**
 * One range of a slice, as Wireshark 4.0 reads it: `i:j` (from offset i, j bytes), `i-j` (offsets
 * i to j), `i` (one byte), `:j` (the first j), `i:` (from i to the end). A negative offset counts
 * from the end.
 */
export interface SliceRange {
  start: number;
  /** Bytes taken; undefined: to the end. */
  length?: number;
  /** `i-j`: the last offset (same sign as start). */
  last?: number;
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

  const sliceRange = (t: Token): SliceRange => {
    const bad = (why: string): never => fail(t, `Range ${t.text} isn't valid because ${why}`);
    const int = (x: string): number => Number.parseInt(x, 10);
    let m: RegExpExecArray | null;
    if ((m = /^(-?\d+)?:(\d+)?$/.exec(t.text))) {
      const length = m[2] === undefined ? undefined : int(m[2]);
      if (length === 0) bad('length 0 isn\'t positive');
      return { start: m[1] === undefined ? 0 : int(m[1]), ...(length === undefined ? {} : { length }) };
    }
    if ((m = /^(-?\d+)-(-?\d+)$/.exec(t.text))) {
      const [start, last] = [int(m[1]!), int(m[2]!)];
      if (start < 0 !== last < 0) bad(`${start} and ${last} have different signs`);
      if (last < start) bad(`the end ${last} comes before the start ${start}`);
      return { start, last };
    }
    if ((m = /^-?\d+$/.exec(t.text))) return { start: int(t.text), length: 1 };
    return fail(t, `"${t.text}" is not a byte range (write [i:length], [i-j], [i], [:length] or [i:])`);
  };

  const slice = (): SliceRange[] => {
    const open = next();
    const ranges: SliceRange[] = [];
    for (;;) {
      const t = peek();
      if (t.kind !== 'word') fail(t, `expected a byte range in the '[' at column ${open.column}, found ${describe(t)}`);
      next();
      ranges.push(sliceRange(t));
      const after = peek();
      if (after.kind === ']') {
        next();
        return ranges;
      }
      if (after.kind !== ',') fail(after, `expected ',' or ']' to close the '[' at column ${open.column}, found ${describe(after)}`);
      next();
    }
  };

  const operand = (what = 'a value'): Operand => {
    const t = peek();
    if (t.kind === 'end') fail(t, `expected ${what}`);
    if (t.kind !== 'word' && t.kind !== 'string') fail(t, `expected ${what}, found ${describe(t)}`);
    next();
    const o: Operand = { kind: t.kind as Operand['kind'], text: t.text, column: t.column, length: t.length };
    if (t.kind === 'word' && peek().kind === '[') o.slice = slice();
    return o;
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
