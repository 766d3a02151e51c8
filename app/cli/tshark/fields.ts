/**
 * `-T fields` output: one line per packet, the values of the named fields as tshark prints them —
 * empty when absent, several occurrences joined (',' by default), fields separated by a tab.
 */
import type { DissectedPacket, Field } from '../../dissect/model';

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

/** All values of each requested field, in tree order (tshark's occurrence order). */
export function collectFields(packet: DissectedPacket, names: readonly string[]): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const n of names) wanted.set(n, []);
  // Depth-first, preserving tree order.
  const visit = (fields: Field[]) => {
    for (const f of fields) {
      const out = wanted.get(f.abbrev);
      if (out) out.push(f.value === null && f.text === '' ? presentText(f) : f.text);
      if (f.children) visit(f.children);
    }
  };
  for (const layer of packet.layers) {
    // A protocol's own name (`-e udp`): its title, as tshark prints an FT_PROTOCOL field.
    wanted.get(layer.protocol)?.push(layer.title);
    visit(layer.fields);
  }
  for (const n of names) if (n.startsWith('_ws.col.')) wanted.set(n, [columnValue(packet, n)]);
  return wanted;
}

/**
 * A field without a value, present: tshark's print.c prints "1" for an FT_NONE field (so that
 * -T fields can test for it: tcp.analysis.retransmission, http.chat) and the text of an
 * FT_PROTOCOL one (_ws.expert: "Expert Info (Note/Sequence): …", without the brackets).
 */
function presentText(f: Field): string {
  if (f.abbrev !== '_ws.expert') return '1';
  const label = typeof f.label === 'string' ? f.label : '';
  return label.replace(/^\[(.*)\]$/, '$1');
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
