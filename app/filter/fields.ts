/**
 * Which names a display filter may use, and of what kind each is: Wireshark's field registry
 * (generated from tshark 4.0, for the protocols Sievecap dissects). A name in the registry that the
 * dissectors do not (yet) emit is valid and simply never present, as in Wireshark.
 */
import type { FieldKind } from './field-kinds';
import { WIRESHARK_FIELDS } from './wireshark-fields';

let registry: Map<string, FieldKind> | undefined;

function load(): Map<string, FieldKind> {
  const map = new Map<string, FieldKind>();
  for (const [kind, names] of Object.entries(WIRESHARK_FIELDS) as [FieldKind, string][]) {
    for (const name of names.split(' ')) if (name) map.set(name, kind);
  }
  // Fields the dissectors emit that tshark's registry spells differently or lacks.
  for (const [name, kind] of EXTRA_FIELDS) if (!map.has(name)) map.set(name, kind);
  return map;
}

/**
 * Names the dissectors emit that tshark 4.0's registry lacks (newer Wireshark names, or Sievecap's
 * own); tests/filter-parser.test.ts checks that every name emitted over the corpus is known.
 */
const EXTRA_FIELDS: [string, FieldKind][] = [
  ['ipv6.fraghdr', 'protocol'],
  ['ip.opt.data', 'bytes'],
  ['pppoes.version', 'int'],
  ['pppoes.type', 'int'],
  ['pppoes.code', 'int'],
  ['pppoes.session_id', 'int'],
  ['pppoes.payload_length', 'int'],
  ['fr.ethertype', 'int'],
  ['pim.reserved', 'int'],
  ['arista', 'protocol'],
  ['arista.subtype', 'int'],
  ['arista.version', 'int'],
  ['arista.type', 'int'],
  ['arista.timestamp', 'other'],
  ['geneve.option_len', 'int'],
  ['erspan.granularity', 'int'],
  ['ipoib.src', 'other'],
  ['ipoib.dst', 'other'],
  ['cmd.option', 'other'],
  ['openflow_1_0.type', 'int'],
  // Wireshark's expert items (_ws.expert: a pseudo-protocol every dissector's items share).
  ['_ws.expert', 'protocol'],
  // Wireshark's show_exception items: a dissection ended by a malformed packet or by the snap length.
  ['_ws.malformed', 'protocol'],
  ['_ws.short', 'protocol'],
  ['_ws.expert.message', 'string'],
  ['_ws.expert.severity', 'int'],
  ['_ws.expert.group', 'int'],
];

/** The kind of a field or protocol name, or undefined when neither Wireshark nor Sievecap knows it. */
export function fieldKind(name: string): FieldKind | undefined {
  registry ??= load();
  return registry.get(name);
}

/** True when the word is spelled like a field name (so an unknown one is reported as a field). */
export function looksLikeFieldName(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/.test(word) && /[a-z]/i.test(word) && !/^[0-9a-f]{1,2}(-[0-9a-f]{1,2})+$/i.test(word);
}
