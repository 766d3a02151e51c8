/**
 * Wireshark's glossary for the protocols Sievecap dissects (wireshark-field-registry.ts, generated
 * from `tshark -G fields` and `tshark -G protocols`): each field's type, parent protocol and
 * bitmask, which tshark's -T pdml, ek and jsonraw print, and the lines `sievecap -G` prints.
 * The table is large (about 20,000 lines), so it is loaded only by the outputs that need it.
 */

export interface GlossaryField {
  /** Wireshark's type name, e.g. 'FT_UINT16', 'FT_BOOLEAN', 'FT_PROTOCOL'. */
  type: string;
  /** The protocol the field belongs to ('' for a protocol). */
  parent: string;
  bitmask: bigint;
}

type GlossaryModule = typeof import('./wireshark-field-registry');

let loaded: GlossaryModule | undefined;
/** Every entry of a name: a few are registered by more than one protocol (ip.version by IPv4 and IPv6, with different bitmasks). */
let byName: Map<string, GlossaryField[]> | undefined;

export async function loadGlossary(): Promise<GlossaryModule> {
  loaded ??= await import('./wireshark-field-registry');
  return loaded;
}

/**
 * A field's or protocol's entry, the one `protocol` registered when several did; loadGlossary()
 * must have run. Undefined for names tshark 4.0 lacks.
 */
export function glossaryField(abbrev: string, protocol?: string): GlossaryField | undefined {
  if (!byName) {
    if (!loaded) throw new Error('the field glossary is not loaded (loadGlossary)');
    byName = new Map();
    for (const line of loaded.FIELD_GLOSSARY) {
      const cols = line.split('\t');
      // A "protocol in name only" (tcp.options.mss, ip.options.nop) is a field of bytes in the tree.
      const protocolType = cols[0] === 'P' ? (cols[2]!.includes('.') ? 'FT_BYTES' : 'FT_PROTOCOL') : undefined;
      const entry = protocolType ? { type: protocolType, parent: '', bitmask: 0n } : { type: cols[3]!, parent: cols[4]!, bitmask: BigInt(cols[6] || '0') };
      const entries = byName.get(cols[2]!);
      if (entries) entries.push(entry);
      else byName.set(cols[2]!, [entry]);
    }
    for (const [name, entry] of SAME_NAME_ENTRIES) byName.get(name)?.push(entry);
    for (const [name, entry] of WIRESHARK_OWN) if (!byName.has(name)) byName.set(name, [entry]);
  }
  const entries = byName.get(abbrev);
  return entries && (entries.length === 1 ? entries[0] : entries.find((e) => e.parent === protocol) ?? entries[0]);
}

/**
 * Second registrations of a name, which `tshark -G fields` leaves out (it prints a name once):
 * IPv6's ip.version is a 4-bit field of its first byte.
 */
const SAME_NAME_ENTRIES: ReadonlyArray<[string, GlossaryField]> = [['ip.version', { type: 'FT_UINT8', parent: 'ipv6', bitmask: 0xf0n }]];

/**
 * Wireshark's own protocols and fields (`_ws.*`, epan/expert.c and epan/proto.c), which every
 * dissector may add: the expert item is a protocol with its fields inside, as -T ek and PDML nest it.
 */
const WIRESHARK_OWN: ReadonlyArray<[string, GlossaryField]> = [
  ['_ws.expert', { type: 'FT_PROTOCOL', parent: '', bitmask: 0n }],
  ['_ws.expert.message', { type: 'FT_STRING', parent: '_ws.expert', bitmask: 0n }],
  ['_ws.expert.group', { type: 'FT_UINT32', parent: '_ws.expert', bitmask: 0n }],
  ['_ws.expert.severity', { type: 'FT_UINT32', parent: '_ws.expert', bitmask: 0n }],
  ['_ws.malformed', { type: 'FT_PROTOCOL', parent: '', bitmask: 0n }],
  ['_ws.short', { type: 'FT_PROTOCOL', parent: '', bitmask: 0n }],
  ['_ws.unreassembled', { type: 'FT_PROTOCOL', parent: '', bitmask: 0n }],
];

/**
 * Wireshark 4.0's `enum ftenum` (epan/ftypes/ftypes.h): the number -T jsonraw prints as a field's
 * type.
 */
const FTENUM: readonly string[] = [
  'FT_NONE', 'FT_PROTOCOL', 'FT_BOOLEAN', 'FT_CHAR', 'FT_UINT8', 'FT_UINT16', 'FT_UINT24', 'FT_UINT32', 'FT_UINT40',
  'FT_UINT48', 'FT_UINT56', 'FT_UINT64', 'FT_INT8', 'FT_INT16', 'FT_INT24', 'FT_INT32', 'FT_INT40', 'FT_INT48', 'FT_INT56',
  'FT_INT64', 'FT_IEEE_11073_SFLOAT', 'FT_IEEE_11073_FLOAT', 'FT_FLOAT', 'FT_DOUBLE', 'FT_ABSOLUTE_TIME',
  'FT_RELATIVE_TIME', 'FT_STRING', 'FT_STRINGZ', 'FT_UINT_STRING', 'FT_ETHER', 'FT_BYTES', 'FT_UINT_BYTES', 'FT_IPv4',
  'FT_IPv6', 'FT_IPXNET', 'FT_FRAMENUM', 'FT_GUID', 'FT_OID', 'FT_EUI64', 'FT_AX25', 'FT_VINES', 'FT_REL_OID',
  'FT_SYSTEM_ID', 'FT_STRINGZPAD', 'FT_FCWWN', 'FT_STRINGZTRUNC',
];

export function ftypeNumber(type: string): number {
  const n = FTENUM.indexOf(type);
  return n < 0 ? FTENUM.indexOf('FT_BYTES') : n;
}
