/**
 * `-T fields` output: one line per packet, the values of the named fields as tshark prints them —
 * empty when absent, several occurrences joined (',' by default), fields separated by a tab.
 */
import type { DissectedPacket, Field } from '../../dissect/model';
import { fieldKind } from '../../filter/fields';

export interface FieldsOptions {
  /** Between fields (tshark -E separator=, default tab). */
  separator?: string;
  /** Between occurrences of one field (tshark -E aggregator=, default ','). */
  aggregator?: string;
  /** 'a' all occurrences (default), 'f' first, 'l' last (tshark -E occurrence=). */
  occurrence?: 'a' | 'f' | 'l';
  /** Around each present value (tshark -E quote=d|s|n: '"', "'" or '', the default). */
  quote?: string;
}

/** The requested names that are Wireshark FT_NONE fields (tshark prints '1' for each occurrence), per name list. */
const presenceOnly = new WeakMap<readonly string[], ReadonlySet<string>>();

function presenceOnlyNames(names: readonly string[]): ReadonlySet<string> {
  let set = presenceOnly.get(names);
  if (set === undefined) presenceOnly.set(names, (set = new Set(names.filter((n) => fieldKind(n) === 'none'))));
  return set;
}

/** All values of each requested field, in tree order (tshark's occurrence order). */
export function collectFields(packet: DissectedPacket, names: readonly string[]): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const n of names) wanted.set(n, []);
  const presence = presenceOnlyNames(names);
  // Depth-first, preserving tree order.
  const visit = (fields: Field[]) => {
    for (const f of fields) {
      const out = wanted.get(f.abbrev);
      if (out) out.push(f.text === '' && presence.has(f.abbrev) ? '1' : f.text);
      if (f.children) visit(f.children);
    }
  };
  for (const layer of packet.layers) visit(layer.fields);
  for (const n of names) if (n.startsWith('_ws.col.')) wanted.set(n, [columnValue(packet, n)]);
  return wanted;
}

function columnValue(packet: DissectedPacket, name: string): string {
  const s = packet.summary;
  switch (name) {
    case '_ws.col.No.':
    case '_ws.col.number':
      return String(packet.number);
    case '_ws.col.Source':
    case '_ws.col.def_src':
      return s.source;
    case '_ws.col.Destination':
    case '_ws.col.def_dst':
      return s.destination;
    case '_ws.col.Protocol':
    case '_ws.col.protocol':
      return s.protocol;
    case '_ws.col.Length':
    case '_ws.col.packet_length':
      return String(s.length);
    case '_ws.col.Info':
    case '_ws.col.info':
      return s.info;
    default:
      return '';
  }
}

export function fieldsLine(packet: DissectedPacket, names: readonly string[], options: FieldsOptions = {}): string {
  const separator = options.separator ?? '\t';
  const aggregator = options.aggregator ?? ',';
  const occurrence = options.occurrence ?? 'a';
  const quote = options.quote ?? '';
  const values = collectFields(packet, names);
  const cells: string[] = [];
  for (const n of names) {
    const all = values.get(n)!;
    if (all.length === 0) cells.push('');
    else if (occurrence === 'f') cells.push(quoted(all[0]!, quote));
    else if (occurrence === 'l') cells.push(quoted(all[all.length - 1]!, quote));
    else cells.push(quoted(all.join(aggregator), quote));
  }
  return cells.join(separator);
}

/**
 * A present value as tshark writes it (print.c's print_escaped_csv): in the -E quote, with
 * backspace, form feed, line feed, carriage return and tab escaped, so a value stays on its line.
 */
function quoted(value: string, quote: string): string {
  return quote + value.replace(/[\b\f\n\r\t]/g, (c) => ESCAPES[c]!) + quote;
}

const ESCAPES: Record<string, string> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
