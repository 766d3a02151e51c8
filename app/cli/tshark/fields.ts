/**
 * `-T fields` output: one line per packet, the values of the named fields as tshark prints them —
 * empty when absent, several occurrences joined (',' by default), fields separated by a tab.
 */
import type { DissectedPacket } from '../../dissect/model';

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

// The values of named fields (and _ws.col.* columns), shared with the engine's packet list columns.
import { collectFields } from '../../dissect/field-values';
export { collectFields };

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
