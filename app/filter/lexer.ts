/**
 * Tokens of Wireshark's display-filter language. Columns are 1-based, as error messages show them.
 *
 * An unquoted word is anything made of letters, digits and `_ . : / -` (a field name, a number, an
 * IPv4/IPv6 address or network, a MAC address, a byte string); whether it is a field or a literal
 * is decided by the parser, as Wireshark does. A word stops before `..` so that `1..100` in a set
 * is a range.
 */
export class DisplayFilterError extends Error {
  override name = 'DisplayFilterError';
  constructor(
    readonly filter: string,
    /** 1-based column where the problem is. */
    readonly column: number,
    readonly reason: string,
  ) {
    super(`invalid display filter "${filter}": column ${column}: ${reason}`);
  }
}

export type TokenKind =
  | 'word' // field name or unquoted literal
  | 'string' // "..." (value unescaped)
  | 'op' // comparison: == != < <= > >=
  | 'and'
  | 'or'
  | 'not'
  | 'contains'
  | 'matches'
  | 'in'
  | '('
  | ')'
  | '{'
  | '}'
  | ','
  | '..'
  | '['
  | ']'
  | 'end';

export interface Token {
  kind: TokenKind;
  /** For 'op': the canonical operator (== != < <= > >=); for words and strings: the text. */
  text: string;
  column: number;
  /** Length in the source, for error carets. */
  length: number;
}

const KEYWORDS: Record<string, { kind: TokenKind; text?: string }> = {
  and: { kind: 'and' },
  or: { kind: 'or' },
  not: { kind: 'not' },
  contains: { kind: 'contains' },
  matches: { kind: 'matches' },
  in: { kind: 'in' },
  eq: { kind: 'op', text: '==' },
  ne: { kind: 'op', text: '!=' },
  lt: { kind: 'op', text: '<' },
  le: { kind: 'op', text: '<=' },
  gt: { kind: 'op', text: '>' },
  ge: { kind: 'op', text: '>=' },
};

const SYMBOLS: [string, TokenKind, string][] = [
  ['==', 'op', '=='],
  ['!=', 'op', '!='],
  ['<=', 'op', '<='],
  ['>=', 'op', '>='],
  ['&&', 'and', '&&'],
  ['||', 'or', '||'],
  ['..', '..', '..'],
  ['<', 'op', '<'],
  ['>', 'op', '>'],
  ['!', 'not', '!'],
  ['(', '(', '('],
  [')', ')', ')'],
  ['{', '{', '{'],
  ['}', '}', '}'],
  [',', ',', ','],
  ['[', '[', '['],
  [']', ']', ']'],
];

const WORD_CHAR = /[A-Za-z0-9_.:/\-]/;

export function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, reason: string): never => {
    throw new DisplayFilterError(filter, at + 1, reason);
  };
  while (i < filter.length) {
    const c = filter[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const start = i;
      const value = readString(filter, i, fail);
      i = value.end;
      tokens.push({ kind: 'string', text: value.text, column: start + 1, length: i - start });
      continue;
    }
    if (WORD_CHAR.test(c) && !filter.startsWith('..', i)) {
      const start = i;
      while (i < filter.length && WORD_CHAR.test(filter[i]!) && !filter.startsWith('..', i)) i++;
      const text = filter.slice(start, i);
      const keyword = KEYWORDS[text.toLowerCase()];
      if (keyword) tokens.push({ kind: keyword.kind, text: keyword.text ?? text.toLowerCase(), column: start + 1, length: text.length });
      else tokens.push({ kind: 'word', text, column: start + 1, length: text.length });
      continue;
    }
    const symbol = SYMBOLS.find(([s]) => filter.startsWith(s, i));
    if (!symbol) fail(i, `unexpected character '${c}'`);
    const [s, kind, text] = symbol!;
    tokens.push({ kind, text, column: i + 1, length: s.length });
    i += s.length;
  }
  tokens.push({ kind: 'end', text: '', column: filter.length + 1, length: 0 });
  return tokens;
}

/** Reads a double-quoted string starting at `start`; escapes as Wireshark's: \" \\ \n \t \r \xhh \ooo. */
function readString(filter: string, start: number, fail: (at: number, reason: string) => never): { text: string; end: number } {
  let i = start + 1;
  let text = '';
  while (i < filter.length) {
    const c = filter[i]!;
    if (c === '"') return { text, end: i + 1 };
    if (c !== '\\') {
      text += c;
      i++;
      continue;
    }
    const e = filter[i + 1];
    if (e === undefined) break;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (simple[e] !== undefined) {
      text += simple[e];
      i += 2;
    } else if (e === 'x' && /^[0-9a-fA-F]{1,2}/.test(filter.slice(i + 2, i + 4))) {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(filter.slice(i + 2, i + 4))![0];
      text += String.fromCharCode(parseInt(hex, 16));
      i += 2 + hex.length;
    } else if (/[0-7]/.test(e)) {
      const oct = /^[0-7]{1,3}/.exec(filter.slice(i + 1, i + 4))![0];
      text += String.fromCharCode(parseInt(oct, 8) & 0xff);
      i += 1 + oct.length;
    } else {
      fail(i, `unknown escape '\\${e}' in string (use \\\\ for a backslash)`);
    }
  }
  return fail(start, 'unterminated string: add the closing "');
}
