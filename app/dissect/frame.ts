/** The "frame" layer: tshark's frame.* fields (numbers, lengths, time stamps, protocol chain). */
import { lazyTextFieldOf, mayHoldFieldsOf, type FieldSelection } from './builder';
import type { Field, FrameInput, Layer } from './model';
import { bitPicture, nsToSeconds } from './format';

/** Wireshark's WTAP_ENCAP_* numbers (frame.encap_type) for the link types we dissect. */
const WTAP_ENCAP: Record<number, number> = {
  105: 20, 127: 23, 0: 15, 1: 1, 12: 7, 14: 7, 101: 7, 108: 15, 113: 25, 228: 129, 229: 130, 276: 210,
  8: 3, 9: 4, 50: 4, 100: 10, 104: 28, 106: 11, 107: 26, 123: 13, 129: 9, 137: 67, 140: 42, 149: 47, 160: 58, 165: 63,
  178: 83, 192: 97, 195: 104, 226: 124, 231: 146, 239: 141, 242: 180, 258: 171, 10: 6,
};

/** Wireshark's names of those encapsulations (wtap_encap_description). */
const ENCAP_NAMES: Record<number, string> = {
  1: 'Ethernet', 7: 'Raw IP', 15: 'NULL/Loopback', 20: 'IEEE 802.11 Wireless LAN', 23: 'IEEE 802.11 plus radiotap radio header',
  25: 'Linux cooked-mode capture v1', 129: 'Raw IPv4', 130: 'Raw IPv6', 210: 'Linux cooked-mode capture v2',
  3: 'SLIP', 4: 'PPP', 10: 'RFC 1483 ATM', 28: 'Cisco HDLC', 11: 'Linux ATM CLIP', 26: 'Frame Relay', 13: 'ATM PDUs', 9: 'Linux ARCNET',
  67: 'Juniper ATM1', 42: 'SS7 MTP2', 47: 'USER 2', 58: 'USER 13', 63: 'BACnet MS/TP', 83: 'Juniper Ethernet',
  97: 'Per-Packet Information header', 104: 'IEEE 802.15.4 Wireless PAN', 124: 'Solaris IPNET', 146: 'D-Bus', 141: 'NFLOG',
  180: 'IP over IB', 171: 'Apple PKTAP', 6: 'FDDI with bit-swapped MAC addresses',
};

/** The epb_flags lines of tshark's "Packet flags" tree: mask, name, value text. */
const PACKET_FLAG_LINES: ReadonlyArray<[mask: number, shift: number, label: string, text: (v: number) => string]> = [
  [0x3, 0, 'Direction', (v) => `${['Unknown', 'Inbound', 'Outbound', 'Unknown'][v]} (0x${v.toString(16)})`],
  [0x1c, 2, 'Reception type', (v) => `${['Not specified', 'Unicast', 'Multicast', 'Broadcast', 'Promiscuous'][v] ?? 'Unknown'} (${v})`],
  [0x1e0, 5, 'FCS length', (v) => String(v)],
  [0xfe00, 9, 'Reserved', (v) => String(v)],
  ...['CRC error', 'Packet too long error', 'Packet too short error', 'Wrong interframe gap error', 'Unaligned frame error', 'Start frame delimiter error', 'Preamble error', 'Symbol error']
    .map((name, i): [number, number, string, (v: number) => string] => [0x1000000 * 2 ** i, 24 + i, name, (v) => (v ? 'Set' : 'Not set')]),
];

/**
 * tshark's lines for the pcapng interface and packet flags, before the encapsulation: section,
 * interface id and name, and the flags when the packet has some.
 */
function interfaceFields(frame: FrameInput): Field[] {
  const iface = frame.iface!;
  const name = iface.name ?? 'unknown';
  const line = (abbrev: string, label: string, value: Field['value'], text: string, children?: Field[]): Field => ({ abbrev, label, value, text, offset: 0, length: 0, ...(children ? { children } : {}) });
  const ifaceChildren = [line('frame.interface_name', `Interface name: ${name}`, name, name)];
  if (iface.description !== undefined) ifaceChildren.push(line('frame.interface_description', `Interface description: ${iface.description}`, iface.description, iface.description));
  const fields = [
    line('frame.section_number', `Section number: ${iface.section + 1}`, iface.section + 1, String(iface.section + 1)),
    line('frame.interface_id', `Interface id: ${iface.id} (${name})`, iface.id, String(iface.id), ifaceChildren),
  ];
  const flags = frame.flags ?? 0;
  if (flags !== 0) {
    const hexText = `0x${flags.toString(16).padStart(8, '0')}`;
    const bits = PACKET_FLAG_LINES.map(([mask, shift, label, text]) => {
      const v = Math.floor(((flags & mask) >>> 0) / 2 ** shift);
      return line('', `${bitPicture(flags, mask, 32)} = ${label}: ${text(v)}`, v, String(v));
    });
    fields.push(line('frame.packet_flags', `Packet flags: ${hexText}`, flags, hexText, bits));
  }
  return fields;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 'Feb  9, 2010 01:18:39.618072000 UTC', as tshark prints frame.time (in UTC). */
export function frameTimeText(tsNs: bigint): string {
  const sec = tsNs / 1_000_000_000n;
  const ns = (tsNs % 1_000_000_000n).toString().padStart(9, '0');
  const d = new Date(Number(sec) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')}, ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${ns} UTC`;
}

interface FrameFacts {
  frame: FrameInput;
  capLen: number;
  relativeNs: bigint;
  deltaNs: bigint;
}

type FrameField = readonly [abbrev: string, value: (f: FrameFacts) => Field['value'], text: (f: FrameFacts) => string, label: (text: string, f: FrameFacts) => string];

const encapOf = (f: FrameFacts): number => WTAP_ENCAP[f.frame.linkType] ?? -1;

/** The frame layer's fields in tree order (frame.protocols, last, is filled in by setProtocols). */
const FRAME_FIELDS: readonly FrameField[] = [
  ['frame.encap_type', encapOf, (f) => String(encapOf(f)), (t, f) => (ENCAP_NAMES[encapOf(f)] ? `Encapsulation type: ${ENCAP_NAMES[encapOf(f)]} (${t})` : `Encapsulation type: ${t} (linktype ${f.frame.linkType})`)],
  ['frame.time', (f) => f.frame.tsNs, (f) => frameTimeText(f.frame.tsNs), (t) => `Arrival Time: ${t}`],
  ['frame.offset_shift', () => 0, () => '0.000000000', () => '[Time shift for this packet: 0.000000000 seconds]'],
  ['frame.time_epoch', (f) => f.frame.tsNs, (f) => nsToSeconds(f.frame.tsNs), (t) => `Epoch Time: ${t} seconds`],
  ['frame.time_delta', (f) => f.deltaNs, (f) => nsToSeconds(f.deltaNs), (t) => `[Time delta from previous captured frame: ${t} seconds]`],
  ['frame.time_delta_displayed', (f) => f.deltaNs, (f) => nsToSeconds(f.deltaNs), (t) => `[Time delta from previous displayed frame: ${t} seconds]`],
  ['frame.time_relative', (f) => f.relativeNs, (f) => nsToSeconds(f.relativeNs), (t) => `[Time since reference or first frame: ${t} seconds]`],
  ['frame.number', (f) => f.frame.number, (f) => String(f.frame.number), (t) => `Frame Number: ${t}`],
  ['frame.len', (f) => f.frame.origLen, (f) => String(f.frame.origLen), (t, f) => `Frame Length: ${t} bytes (${f.frame.origLen * 8} bits)`],
  ['frame.cap_len', (f) => f.capLen, (f) => String(f.capLen), (t, f) => `Capture Length: ${t} bytes (${f.capLen * 8} bits)`],
  ['frame.marked', () => false, () => '0', () => '[Frame is marked: False]'],
  ['frame.ignored', () => false, () => '0', () => '[Frame is ignored: False]'],
  ['frame.protocols', () => '', () => '', () => '[Protocols in frame: ]'],
];

const NONE: readonly FrameField[] = [];
/** Per selection, the frame fields it names (in tree order). */
const selectedFields = new WeakMap<FieldSelection, readonly FrameField[]>();

function selectedFrameFields(selection: FieldSelection): readonly FrameField[] {
  let fields = selectedFields.get(selection);
  if (fields === undefined) selectedFields.set(selection, (fields = FRAME_FIELDS.filter(([abbrev]) => selection.has(abbrev))));
  return fields;
}

/**
 * The frame layer. With a selection (no tree), only the selected fields are built, without
 * labels: time stamps as text cost more than the rest of a small frame's dissection. The time
 * differences are bigints made only when a field shows them (`timing` gives them).
 * frame.protocols, when built, is the last field: setFrameProtocols fills it in at the end.
 */
export function frameLayer(frame: FrameInput, timing: FrameTiming, selection?: FieldSelection): Layer {
  const capLen = frame.data.length;
  const tree = selection === undefined;
  const fields: Field[] = [];
  // Most selections name no frame field: then not even the look-ups per field.
  const wanted = tree ? FRAME_FIELDS : mayHoldFieldsOf(selection, 'frame') ? selectedFrameFields(selection) : NONE;
  if (wanted.length > 0) {
    const facts: FrameFacts = { frame, capLen, relativeNs: timing.relativeNs(), deltaNs: timing.deltaNs() };
    for (const [abbrev, value, text, label] of wanted) {
      if (tree) {
        const t = text(facts);
        fields.push({ abbrev, label: label(t, facts), value: value(facts), text: t, offset: 0, length: 0 });
      } else fields.push(lazyTextFieldOf(abbrev, '', value(facts), 0, 0, text, facts));
    }
  }
  let title = 'Frame';
  if (tree) {
    title = `Frame ${frame.number}: ${frame.origLen} bytes on wire (${frame.origLen * 8} bits), ${capLen} bytes captured (${capLen * 8} bits)`;
    if (frame.iface !== undefined) {
      const direction = ['', ' (inbound)', ' (outbound)', ''][(frame.flags ?? 0) & 3];
      title += ` on interface ${frame.iface.name ?? 'unknown'}, id ${frame.iface.id}${direction}`;
      fields.unshift(...interfaceFields(frame));
    }
  }
  return { protocol: 'frame', title, offset: 0, length: capLen, fields, status: 'ok' };
}

/** The frame's time differences (from the first frame, from the previous one), asked for only when shown. */
export interface FrameTiming {
  relativeNs(): bigint;
  deltaNs(): bigint;
}

/** Fills in the frame layer's frame.protocols, when it was built (the last field), with the chain. */
export function setFrameProtocols(layer: Layer, protocols: readonly string[], tree: boolean): void {
  const fields = layer.fields;
  const field = fields.length > 0 ? fields[fields.length - 1]! : undefined;
  if (field === undefined || field.abbrev !== 'frame.protocols') return;
  const chain = protocols.join(':');
  field.value = chain;
  field.text = chain;
  // A label holds 239 characters: a longer one is marked "[truncated]" and cut to 238.
  if (tree) field.label = chain.length < 220 ? `[Protocols in frame: ${chain}]` : `[${`Protocols in frame [truncated]: ${chain}`.slice(0, 238)}]`;
}
