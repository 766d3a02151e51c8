/**
 * A dissected packet as Wireshark's proto_tree: protocols and fields as one tree of nodes, each
 * with the type, parent protocol and bitmask of Wireshark's glossary and the bytes its offsets
 * index (the frame, or a reassembled buffer). -T pdml, ek and jsonraw print this tree; they differ
 * only in how (app/cli/tshark/pdml.ts, ek.ts, raw-json.ts).
 */
import type { DissectedPacket, Field, FieldValue, Layer } from '../../dissect/model';
import { glossaryField } from '../../filter/glossary';
import { displayLayers } from './nesting';

export interface ProtoNode {
  /** Wireshark's abbreviation; '' for a text-only line (Wireshark's hf_text_only, "text"). */
  abbrev: string;
  /** The tree line, without the brackets -V puts around generated items. */
  label: string;
  /** The value as -T fields prints it. */
  text: string;
  value: FieldValue;
  offset: number;
  length: number;
  hidden: boolean;
  /** Wireshark's type name (FT_PROTOCOL for a protocol, FT_NONE for a text-only line). */
  type: string;
  /** The protocol whose field this is ('' for protocols and text-only lines). */
  parent: string;
  bitmask: bigint;
  /** The bytes offset and length index. */
  bytes: Buffer;
  /**
   * A node Wireshark adds without a tvb (expert items and what they hold, a few generated
   * fields): offset and length are 0, PDML places it at its parent's start, jsonraw gives no hex.
   */
  noBytes?: boolean;
  children: ProtoNode[];
}

export function protoTree(packet: DissectedPacket, frame: Buffer): ProtoNode[] {
  const out: ProtoNode[] = [];
  for (const { layer, inner, depths } of displayLayers(packet)) {
    if (layer.fields.length === 0 && inner.length === 0 && layer.title === '') continue;
    const node = layerNode(layer, frame);
    // Fields tshark shows after the nested layers (Field.trailing) go after them; fields it adds
    // to the top-level tree (Field.root) after the layer itself.
    const all = node.children;
    const trailing = all.filter((_, k) => layer.fields[k]!.trailing === true && layer.fields[k]!.root !== true);
    const roots = all.filter((_, k) => layer.fields[k]!.root === true);
    node.children = all.filter((_, k) => layer.fields[k]!.trailing !== true && layer.fields[k]!.root !== true);
    inner.forEach((nested, k) => {
      const parent = depths[k] === 2 ? node.children[node.children.length - 1] : undefined;
      (parent ?? node).children.push(layerNode(nested, frame));
    });
    node.children.push(...trailing);
    out.push(node, ...roots);
  }
  return out;
}

function layerNode(layer: Layer, frame: Buffer): ProtoNode {
  const bytes = layer.source === 'reassembled' && layer.data ? layer.data : frame;
  const info = glossaryField(layer.protocol);
  return {
    abbrev: layer.protocol,
    label: unbracketed(layer.title),
    text: '',
    value: null,
    offset: layer.offset,
    length: layer.length,
    hidden: false,
    // A layer that is a field in Wireshark's tree (tcp.segments: the reassembled segments' list).
    type: info?.type ?? 'FT_PROTOCOL',
    parent: info?.parent ?? '',
    bitmask: 0n,
    bytes,
    children: layer.fields.map((f) => fieldNode(f, layer, layer.data ?? bytes, frame, false)),
  };
}

/** Generated fields Wireshark adds with no tvb (besides expert items and their contents). */
const WITHOUT_BYTES = new Set(['tcp.completeness', 'icmp.resp_to', 'icmp.resptime', 'icmpv6.resp_to', 'icmpv6.resptime', '_ws.malformed']);

function fieldNode(f: Field, layer: Layer, layerBytes: Buffer, frame: Buffer, inExpert: boolean): ProtoNode {
  const info = f.abbrev ? glossaryField(f.abbrev, layer.protocol) : undefined;
  const expert = inExpert || f.abbrev === '_ws.expert';
  const noBytes = expert || WITHOUT_BYTES.has(f.abbrev);
  return {
    abbrev: f.abbrev,
    label: unbracketed(f.label),
    text: f.text,
    value: f.value,
    offset: noBytes ? 0 : f.offset,
    length: noBytes ? 0 : f.length,
    hidden: f.hidden ?? false,
    type: f.abbrev === '' ? 'FT_NONE' : info?.type ?? typeOfValue(f.value),
    parent: f.abbrev === '' ? '' : info?.parent ?? f.abbrev.split('.')[0]!,
    bitmask: info?.bitmask ?? 0n,
    bytes: f.source === 'reassembled' || layer.source === 'reassembled' ? layerBytes : frame,
    ...(noBytes ? { noBytes: true } : {}),
    children: (f.children ?? []).map((c) => fieldNode(c, layer, layerBytes, frame, expert)),
  };
}

/** For the few names Wireshark 4.0's glossary lacks (Sievecap's own or newer ones). */
function typeOfValue(value: FieldValue): string {
  if (value === null) return 'FT_NONE';
  if (typeof value === 'boolean') return 'FT_BOOLEAN';
  if (typeof value === 'number' || typeof value === 'bigint') return 'FT_UINT32';
  if (Buffer.isBuffer(value)) return 'FT_BYTES';
  return 'FT_STRING';
}

function unbracketed(label: string): string {
  return label.length >= 2 && label.startsWith('[') && label.endsWith(']') ? label.slice(1, -1) : label;
}

/**
 * The value as Wireshark shows it in PDML's show, JSON and EK (fvalue_to_string_repr): -T fields'
 * text, except bytes, which are colon-separated there; null when the node has none.
 */
export function displayValue(node: ProtoNode): string | null {
  if (node.type === 'FT_NONE' || node.type === 'FT_PROTOCOL') return null;
  if (node.type === 'FT_BYTES' || node.type === 'FT_UINT_BYTES') {
    // An empty FT_UINT_BYTES that allows zero prints "<none>" in -T fields, nothing here.
    if (node.text === '<none>') return '';
    // The field's bytes where its text is not them (a protocol in name only, e.g. tcp.options.mss).
    const hex = /^([0-9a-f]{2})*$/.test(node.text) && (node.text !== '' || node.length === 0) ? node.text : hexValue(node);
    return hex.replace(/(..)(?=.)/g, '$1:');
  }
  // A string's value keeps its line ends and tabs (-T fields' text has them escaped, as tshark prints them there).
  // An expert's message is its label's text, escapes and all.
  if ((node.type.startsWith('FT_STRING') || node.type === 'FT_UINT_STRING') && node.abbrev !== '_ws.expert.message') {
    // (Where -T fields' text escapes backspace and form feed too, the string value says so.)
    if (typeof node.value === 'string' && node.text.includes('\\') && node.text.replace(/\\([rntbf])/g, (_, c: string) => CONTROL[c]!) === node.value) return node.value;
    return node.text.replace(/\\([rnt])/g, (_, c: string) => CONTROL[c]!);
  }
  return node.text;
}

const CONTROL: Record<string, string> = { r: '\r', n: '\n', t: '\t', b: '\b', f: '\f' };

/** The node's bytes in hex ('' past the captured bytes), as PDML's value and -T jsonraw print them. */
export function hexValue(node: ProtoNode): string {
  if (node.length <= 0) return '';
  if (node.offset + node.length > node.bytes.length) return 'field length invalid!';
  return node.bytes.toString('hex', node.offset, node.offset + node.length);
}

/** A bitmask field's value in upper-case hex (PDML's value, jsonraw's first element). */
export function maskedValueHex(node: ProtoNode): string {
  const v = node.value;
  const n = typeof v === 'boolean' ? (v ? 1n : 0n) : typeof v === 'number' ? BigInt(Math.trunc(v)) : typeof v === 'bigint' ? v : BigInt(/^\d+$/.test(node.text) ? node.text : Number.parseInt(node.text, 16) || 0);
  return (n < 0n ? BigInt.asUintN(32, n) : n).toString(16).toUpperCase();
}
