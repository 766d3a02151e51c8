/**
 * The tree tshark 4.0's JSON dissector (packet-json.c) gives a body that is a JSON object or
 * array: "Object" and "Array" items, each member a "Member: KEY" holding, for a scalar, its
 * "[Path with value: /a/b:V]", "[Member with value: b:V]" and "String value" / "Number value" /
 * "True value" / "False value" / "Null value", then "Key" and "[Path: /a/b]"; an array's
 * elements under it with "[]" for their name. Strings are unescaped (\uXXXX and surrogate pairs
 * as UTF-8), numbers keep their text. Called only on bytes JSON.parse accepted.
 */
import type { LayerBuilder } from './builder';
import { formatText, namedTruncated } from './app-format';

type JsonNode =
  | { kind: 'object'; start: number; end: number; members: JsonMember[] }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'string' | 'number' | 'true' | 'false' | 'null'; start: number; end: number; text: string };

interface JsonMember {
  key: string;
  keyStart: number;
  keyEnd: number;
  start: number;
  end: number;
  value: JsonNode;
}

/**
 * Adds the tree of the JSON values in data[start, stop) to `b`, one after the other as tshark reads
 * them; returns where the text it could not read starts (after white space; `stop` when all was
 * read), or -1 when the first value is not an object or an array (nothing added).
 */
export function addJsonTree(b: LayerBuilder, data: Buffer, start: number, stop: number): number {
  const parser = new Parser(data, start, stop);
  const roots: JsonNode[] = [];
  let rest = start;
  for (;;) {
    parser.skipSpace();
    rest = parser.offset;
    if (rest >= stop) break;
    let node: JsonNode;
    try {
      node = parser.value();
    } catch {
      break;
    }
    if (node.kind !== 'object' && node.kind !== 'array') break;
    roots.push(node);
  }
  if (roots.length === 0) return -1;
  if (b.wantsAny('json.') || b.wants('')) for (const root of roots) emitValue(b, root, '');
  return rest;
}

function label(text: string): string {
  return formatText(Buffer.from(text, 'utf8'));
}

function emitValue(b: LayerBuilder, node: JsonNode, path: string): void {
  if (node.kind === 'object') {
    b.group('json.object', 'Object', null, node.start, node.end - node.start, () => {
      for (const m of node.members) emitMember(b, m, path);
    }, '');
  } else if (node.kind === 'array') {
    b.group('json.array', 'Array', null, node.start, node.end - node.start, () => {
      for (const item of node.items) {
        if (item.kind === 'object' || item.kind === 'array') emitValue(b, item, `${path}/[]`);
        else emitScalar(b, item, `${path}/[]`, '[]');
      }
    }, '');
  }
}

function emitMember(b: LayerBuilder, m: JsonMember, parentPath: string): void {
  const path = `${parentPath}/${m.key}`;
  b.group('json.member', () => namedTruncated('Member', label(m.key)), m.key, m.start, m.end - m.start, () => {
    if (m.value.kind === 'object' || m.value.kind === 'array') emitValue(b, m.value, path);
    else emitScalar(b, m.value, path, m.key);
    b.add('json.key', () => namedTruncated('Key', label(m.key)), m.key, m.keyStart, m.keyEnd - m.keyStart);
    b.add('json.path', () => `[${namedTruncated('Path', label(path))}]`, path, m.start, 0);
  });
}

function emitScalar(b: LayerBuilder, v: Extract<JsonNode, { text: string }>, path: string, name: string): void {
  const withValue = `${path}:${v.text}`;
  const memberWithValue = `${name}:${v.text}`;
  b.add('json.path_with_value', () => `[${namedTruncated('Path with value', label(withValue))}]`, withValue, v.start, 0);
  b.add('json.member_with_value', () => `[${namedTruncated('Member with value', label(memberWithValue))}]`, memberWithValue, v.start, 0);
  const length = v.end - v.start;
  switch (v.kind) {
    case 'string':
      b.add('json.value.string', () => namedTruncated('String value', label(v.text)), v.text, v.start, length);
      break;
    case 'number':
      b.add('json.value.number', () => namedTruncated('Number value', v.text), v.text, v.start, length);
      break;
    case 'true':
      b.add('json.value.true', 'True value', null, v.start, length, '');
      break;
    case 'false':
      b.add('json.value.false', 'False value', null, v.start, length, '');
      break;
    case 'null':
      b.add('json.value.null', 'Null value', null, v.start, length, '');
      break;
  }
}

/** A recursive-descent reader of JSON text that JSON.parse has already accepted. */
class Parser {
  private at: number;
  constructor(private readonly data: Buffer, start: number, private readonly stop: number) {
    this.at = start;
  }

  get offset(): number {
    return this.at;
  }

  skipSpace(): void {
    this.space();
  }

  private space(): void {
    while (this.at < this.stop) {
      const c = this.data[this.at]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.at++;
    }
  }

  value(): JsonNode {
    this.space();
    const start = this.at;
    const c = this.data[this.at];
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) {
      const text = this.string();
      return { kind: 'string', start, end: this.at, text };
    }
    for (const word of ['true', 'false', 'null'] as const) {
      if (this.data.toString('latin1', this.at, this.at + word.length) === word) {
        this.at += word.length;
        return { kind: word, start, end: this.at, text: word };
      }
    }
    while (this.at < this.stop && /[-+0-9.eE]/.test(String.fromCharCode(this.data[this.at]!))) this.at++;
    if (this.at === start) throw new Error('not a JSON value');
    return { kind: 'number', start, end: this.at, text: this.data.toString('latin1', start, this.at) };
  }

  private object(): JsonNode {
    const start = this.at++;
    const members: JsonMember[] = [];
    this.space();
    if (this.data[this.at] === 0x7d) {
      this.at++;
      return { kind: 'object', start, end: this.at, members };
    }
    for (;;) {
      this.space();
      const keyStart = this.at;
      const key = this.string();
      const keyEnd = this.at;
      this.space();
      if (this.data[this.at++] !== 0x3a) throw new Error('no colon');
      const value = this.value();
      members.push({ key, keyStart, keyEnd, start: keyStart, end: value.end, value });
      this.space();
      const c = this.data[this.at++];
      if (c === 0x7d) return { kind: 'object', start, end: this.at, members };
      if (c !== 0x2c) throw new Error('no comma');
    }
  }

  private array(): JsonNode {
    const start = this.at++;
    const items: JsonNode[] = [];
    this.space();
    if (this.data[this.at] === 0x5d) {
      this.at++;
      return { kind: 'array', start, end: this.at, items };
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const c = this.data[this.at++];
      if (c === 0x5d) return { kind: 'array', start, end: this.at, items };
      if (c !== 0x2c) throw new Error('no comma');
    }
  }

  /** A string at `at` (its opening quote), unescaped; `at` ends after the closing quote. */
  private string(): string {
    if (this.data[this.at] !== 0x22) throw new Error('not a string');
    const from = ++this.at;
    let end = from;
    while (end < this.stop && this.data[end] !== 0x22) end += this.data[end] === 0x5c ? 2 : 1;
    if (end >= this.stop) throw new Error('unterminated string');
    const raw = this.data.toString('utf8', from - 1, end + 1);
    this.at = end + 1;
    const text = JSON.parse(raw) as string;
    // tshark 4.0 loses a \uXXXX escape (or a surrogate pair) that ends a string: "x\u0041" is "x".
    const tail = /(\\+)u[0-9a-fA-F]{4}"$/.exec(raw);
    if (tail !== null && tail[1]!.length % 2 === 1) return Array.from(text).slice(0, -1).join('');
    return text;
  }
}
