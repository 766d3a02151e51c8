/**
 * Syntax tree → a tree of closures over a per-packet table of field occurrences. Everything that
 * can be decided once is decided here: which words are fields, how each literal reads for its
 * field's type, which regex; evaluation only walks the packet's fields once and compares.
 *
 * Semantics (Wireshark 4.0): `==`, `<`, `contains`, `matches`, `in` hold when ANY occurrence
 * satisfies them; `a != b` is `!(a == b)` for a present field ("every occurrence differs") and
 * false when the field is absent, as every comparison on an absent field is.
 */
import type { FieldKind } from './field-kinds';
import { fieldKind, looksLikeFieldName } from './fields';
import { DisplayFilterError } from './lexer';
import type { FilterNode, Operand, RelOp, SetElement } from './parser';
import { booleanNamed, integerValueNamed } from './value-names';
import { domainOf, haystack, LiteralError, occurrenceSliceBytes, sliceable, sliceOf, type Domain, type Occurrence } from './values';

export interface EvalContext {
  /** Occurrences per field slot, in tree order. */
  occurrences: Occurrence[][];
  /** The frame's bytes, when known: protocol-level contains/matches/== look at them. */
  frame: Buffer | undefined;
}

export type Test = (ctx: EvalContext) => boolean;

interface FieldRef {
  name: string;
  kind: FieldKind;
  slot: number;
  /** `field[i:j]`: the bytes a slice takes from an occurrence (kind is then 'bytes'). */
  sliced?: (o: Occurrence, frame: Buffer | undefined) => Buffer | undefined;
}

export class FilterCompiler {
  /** Field (or protocol) name → slot in EvalContext.occurrences. */
  readonly slots = new Map<string, number>();

  constructor(private readonly filter: string) {}

  compile(node: FilterNode): Test {
    switch (node.type) {
      case 'and': {
        const [a, b] = [this.compile(node.left), this.compile(node.right)];
        return (c) => a(c) && b(c);
      }
      case 'or': {
        const [a, b] = [this.compile(node.left), this.compile(node.right)];
        return (c) => a(c) || b(c);
      }
      case 'not': {
        const a = this.compile(node.operand);
        return (c) => !a(c);
      }
      case 'exists': {
        const field = this.field(node.operand);
        if (!field) throw this.unknown(node.operand);
        const slot = field.slot;
        const sliced = field.sliced;
        // A slice alone holds when some occurrence has those bytes (tshark: ip.src[3:2] never does).
        if (sliced) return (c) => c.occurrences[slot]!.some((o) => sliced(o, c.frame) !== undefined);
        return (c) => c.occurrences[slot]!.length > 0;
      }
      case 'compare':
        return this.comparison(node.op, node.left, node.right);
      case 'contains':
        return this.contains(node.left, node.right);
      case 'matches':
        return this.matches(node.left, node.right);
      case 'in':
        return this.membership(node.left, node.elements);
    }
  }

  private error(operand: { column: number }, reason: string): DisplayFilterError {
    return new DisplayFilterError(this.filter, operand.column, reason);
  }

  private unknown(o: Operand): DisplayFilterError {
    return this.error(o, `"${o.text}" is neither a field nor a protocol name`);
  }

  /** The field an operand names, or undefined for a literal. */
  private field(o: Operand): FieldRef | undefined {
    if (o.kind !== 'word') return undefined;
    const kind = fieldKind(o.text);
    if (kind === undefined) return undefined;
    let slot = this.slots.get(o.text);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(o.text, slot);
    }
    if (!o.slice) return { name: o.text, kind, slot };
    if (!sliceable(kind)) {
      throw this.error(o, `"${o.text}" is ${KIND_WORDS[kind]} and cannot be sliced into a sequence of bytes`);
    }
    const ranges = o.slice;
    return { name: o.text, kind: 'bytes', slot, sliced: (occ, frame) => {
      const bytes = occurrenceSliceBytes(kind, occ, frame);
      return bytes === undefined ? undefined : sliceOf(bytes, ranges);
    } };
  }

  /** The left side of a test must be a field (a literal on the left is not Wireshark's style). */
  private subject(o: Operand, what: string): FieldRef {
    const f = this.field(o);
    if (f) return f;
    if (o.kind === 'word' && looksLikeFieldName(o.text)) throw this.unknown(o);
    throw this.error(o, `"${o.text}" is a value; ${what} needs a field on its left (e.g. tcp.port == 80)`);
  }

  private domain(f: FieldRef, at: Operand, what: string): Domain<unknown> {
    if (f.sliced) return { ...domainOf('bytes')!, fromOccurrence: f.sliced };
    const d = domainOf(f.kind);
    if (!d) throw this.error(at, `${f.name} has no value to compare; test its presence alone ("${f.name}") instead of using ${what}`);
    return d;
  }

  private literal(d: Domain<unknown>, f: FieldRef, o: Operand): unknown {
    try {
      return d.fromLiteral(o.text, o.kind === 'string');
    } catch (err) {
      if (!(err instanceof LiteralError)) throw err;
      // Not a number: one of the field's value names, as Wireshark shows them (`ip.proto == "TCP"`).
      if (!f.sliced && f.kind === 'bool') {
        const b = booleanNamed(f.name, o.text);
        if (b !== undefined) return b;
      }
      if (!f.sliced && f.kind === 'int' && o.text !== '') {
        try {
          const named = integerValueNamed(f.name, o.text);
          if (named !== undefined) return named;
        } catch (named) {
          if (!(named instanceof LiteralError)) throw named;
          throw this.error(o, `${named.message} (comparing with ${f.name})`);
        }
      }
      if (o.kind === 'word' && looksLikeFieldName(o.text) && !/^(true|false)$/i.test(o.text) && f.kind !== 'string') {
        throw this.error(o, `"${o.text}" is neither a field nor a valid value for ${f.name}`);
      }
      throw this.error(o, `${err.message} (comparing with ${f.name})`);
    }
  }

  private comparison(op: RelOp, leftOperand: Operand, rightOperand: Operand): Test {
    let [l, r] = [leftOperand, rightOperand];
    if (!this.field(l) && this.field(r)) {
      // `80 == tcp.port`: mirror to keep the field on the left.
      [l, r] = [r, l];
      op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<RelOp, RelOp>)[op] ?? op;
    }
    const f = this.subject(l, `'${op}'`);
    const d = this.domain(f, l, `'${op}'`);
    if ((op === '<' || op === '<=' || op === '>' || op === '>=') && !d.compare) throw this.error(l, `${f.name} has no order; use == or !=`);
    const holds = relation(op, d);
    const other = this.field(r);
    const slot = f.slot;
    if (other) {
      if (domainOf(other.kind) !== domainOf(f.kind)) throw this.error(r, `${f.name} and ${other.name} hold different kinds of values and cannot be compared`);
      const otherSlot = other.slot;
      const od = this.domain(other, r, `'${op}'`);
      const anyPair = (c: EvalContext, test: (a: unknown, b: unknown) => boolean): boolean =>
        c.occurrences[slot]!.some((a) => {
          const va = d.fromOccurrence(a, c.frame);
          return va !== undefined && c.occurrences[otherSlot]!.some((b) => {
            const vb = od.fromOccurrence(b, c.frame);
            return vb !== undefined && test(va, vb);
          });
        });
      if (op === '!=') return (c) => c.occurrences[slot]!.length > 0 && c.occurrences[otherSlot]!.length > 0 && !anyPair(c, d.equals);
      return (c) => anyPair(c, holds);
    }
    const value = this.literal(d, f, r);
    if (op === '!=') {
      return (c) => {
        const occ = c.occurrences[slot]!;
        if (occ.length === 0) return false;
        for (const o of occ) {
          const v = d.fromOccurrence(o, c.frame);
          if (v !== undefined && d.equals(v, value)) return false;
        }
        return true;
      };
    }
    return (c) => {
      for (const o of c.occurrences[slot]!) {
        const v = d.fromOccurrence(o, c.frame);
        if (v !== undefined && holds(v, value)) return true;
      }
      return false;
    };
  }

  private searchable(l: Operand, what: string): FieldRef {
    const f = this.subject(l, what);
    if (!['string', 'other', 'bytes', 'protocol', 'ether'].includes(f.kind)) {
      throw this.error(l, `${f.name} is not a text, bytes or protocol field, so it cannot be used with '${what}'`);
    }
    return f;
  }

  private contains(l: Operand, r: Operand): Test {
    const f = this.searchable(l, 'contains');
    const slot = f.slot;
    const kind = f.kind;
    const sliced = f.sliced;
    if (sliced) {
      const needle = this.literal(domainOf('bytes')!, f, r) as Buffer;
      return (c) => c.occurrences[slot]!.some((o) => (sliced(o, c.frame)?.indexOf(needle) ?? -1) >= 0);
    }
    if (kind === 'string' || kind === 'other') {
      const needle = r.text;
      return (c) => c.occurrences[slot]!.some((o) => (haystack(kind, o, c.frame) as string | undefined)?.includes(needle) ?? false);
    }
    const needle = this.literal(domainOf('bytes')!, f, r) as Buffer;
    return (c) =>
      c.occurrences[slot]!.some((o) => {
        const h = haystack(kind, o, c.frame) as Buffer | undefined;
        return h !== undefined && h.indexOf(needle) >= 0;
      });
  }

  private matches(l: Operand, r: Operand): Test {
    const f = this.searchable(l, 'matches');
    const slot = f.slot;
    const kind = f.kind;
    const regex = this.regex(r);
    const asText = (h: string | Buffer | undefined): string | undefined => (Buffer.isBuffer(h) ? h.toString('latin1') : h);
    const sliced = f.sliced;
    return (c) =>
      c.occurrences[slot]!.some((o) => {
        const text = asText(sliced ? sliced(o, c.frame) : haystack(kind, o, c.frame));
        return text !== undefined && regex.test(text);
      });
  }

  /** PCRE-style leading flags such as (?i) become JavaScript flags; the rest is JavaScript syntax. */
  private regex(r: Operand): RegExp {
    let source = r.text;
    let flags = '';
    const m = /^\(\?([imsx]+)\)/.exec(source);
    if (m) {
      if (m[1]!.includes('x')) throw this.error(r, 'the (?x) regex flag is not supported');
      flags = [...new Set(m[1]!)].join('');
      source = source.slice(m[0].length);
    }
    try {
      return new RegExp(source, flags);
    } catch (err) {
      throw this.error(r, `invalid regular expression: ${(err as Error).message}`);
    }
  }

  private membership(l: Operand, elements: SetElement[]): Test {
    const f = this.subject(l, "'in'");
    const d = this.domain(f, l, "'in'");
    const slot = f.slot;
    const tests = elements.map((e): ((v: unknown) => boolean) => {
      const low = this.literal(d, f, e.low);
      if (!e.high) return (v) => d.equals(v, low);
      if (!d.compare) throw this.error(e.low, `${f.name} has no order, so a range cannot hold its values`);
      const high = this.literal(d, f, e.high);
      const compare = d.compare;
      return (v) => compare(v, low) >= 0 && compare(v, high) <= 0;
    });
    return (c) =>
      c.occurrences[slot]!.some((o) => {
        const v = d.fromOccurrence(o, c.frame);
        return v !== undefined && tests.some((t) => t(v));
      });
  }
}

function relation(op: RelOp, d: Domain<unknown>): (a: unknown, b: unknown) => boolean {
  const compare = d.compare ?? (() => NaN);
  switch (op) {
    case '==':
      return d.equals;
    case '!=':
      return (a, b) => !d.equals(a, b);
    case '<':
      return (a, b) => compare(a, b) < 0;
    case '<=':
      return (a, b) => compare(a, b) <= 0;
    case '>':
      return (a, b) => compare(a, b) > 0;
    case '>=':
      return (a, b) => compare(a, b) >= 0;
  }
}

/** What a kind is, in an error's words. */
const KIND_WORDS: Record<FieldKind, string> = {
  protocol: 'a protocol', none: 'a label with no value', int: 'an integer', bool: 'a boolean', float: 'a floating-point number',
  ipv4: 'an IPv4 address', ipv6: 'an IPv6 address', ether: 'a MAC address', bytes: 'a byte sequence', string: 'a character string',
  reltime: 'a time offset', abstime: 'a date and time', other: 'a value',
};
