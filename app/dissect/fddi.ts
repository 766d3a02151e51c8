/**
 * FDDI (pcap link type 10) as tshark 4.0 reads it: "FDDI with bit-swapped MAC addresses"
 * (packet-fddi.c, dissect_fddi_bitswapped). The 13-byte MAC header (frame control, destination,
 * source), the addresses shown with each byte's bits reversed; async LLC frames go to 802.2 LLC,
 * every other frame type is data.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, macText } from './format';
import { dissectLlc } from './llc';
import type { PacketState } from './packet-state';

export const LINKTYPE_FDDI = 10;

const FDDI_HEADER_LENGTH = 13;

/** packet-fddi.c's clf_vals: the Class/Length/Format nibble. */
const CLF_NAMES: Record<number, string> = {
  0x0: 'Void', 0x4: 'SMT', 0x5: 'Async LLC', 0x6: 'Implementor Async', 0x8: 'Nonrestricted Token', 0xc: 'MAC', 0xd: 'Sync LLC', 0xe: 'Implementor Sync',
};

/** fddifc_to_str: the frame control byte as the title and the Info column name it. */
export function fddiFrameControlText(fc: number): string {
  switch (fc) {
    case 0x00: return 'Void frame';
    case 0x80: return 'Nonrestricted token';
    case 0xc0: return 'Restricted token';
    case 0x41: return 'SMT info';
    case 0x4f: return 'SMT Next station address';
    case 0xc2: return 'MAC beacon';
    case 0xc3: return 'MAC claim token';
  }
  const control = (fc & 0x0f).toString(16);
  switch (fc & 0xf0) {
    case 0xc0: return `MAC frame, control ${control}`;
    case 0x40: return `SMT frame, control ${control}`;
    case 0x50: return fc & 0x08 ? `Async LLC frame, control ${control}` : `Async LLC frame, priority ${fc & 0x07}`;
    case 0xd0: return fc & 0x0f ? `Sync LLC frame, control ${control}` : 'Sync LLC frame';
    case 0x60: return `Implementor async frame, control ${control}`;
    case 0xe0: return `Implementor sync frame, control ${control}`;
    default: return 'Unknown frame type';
  }
}

/** Each byte's bits in reverse order (FDDI sends an address's bits the other way round). */
const BIT_REVERSED = Uint8Array.from({ length: 256 }, (_, n) => {
  let r = 0;
  for (let bit = 0; bit < 8; bit++) if (n & (1 << bit)) r |= 0x80 >> bit;
  return r;
});

function swappedMacText(data: Buffer, at: number): string {
  return macText(Buffer.from(Array.from(data.subarray(at, at + 6), (byte) => BIT_REVERSED[byte]!)), 0);
}

const SMT_SUBTYPES: Record<number, string> = { 0x1: 'Info', 0xf: 'Next Station Address' };
const MAC_SUBTYPES: Record<number, string> = { 0x2: 'Beacon', 0x3: 'Claim' };

/**
 * An address with the hidden items packet-fddi.c adds after it: fddi.addr, then the bit-swapped
 * form of both (for a bit-swapped capture the same address again).
 */
function addAddress(d: Dissector, b: LayerBuilder, abbrev: 'fddi.dst' | 'fddi.src', label: string, text: string, at: number): void {
  b.add(abbrev, () => `${label}: ${d.macLabel(text)}`, text, at, 6);
  b.add('fddi.addr', () => `Source or Destination Address: ${d.macLabel(text)}`, text, at, 6).hidden = true;
  b.add(abbrev, () => `${label}: ${d.macLabel(text)}`, text, at, 6).hidden = true;
  b.add('fddi.addr', () => `Source or Destination Address: ${d.macLabel(text)}`, text, at, 6).hidden = true;
}

export function dissectFddi(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'fddi', 'Fiber Distributed Data Interface', offset, end, p.selection);
  let fc = -1;
  dissectSafely(b, () => {
    fc = b.u8(offset, 'frame control');
    const fcText = fddiFrameControlText(fc);
    if (p.columns) p.setProtocol('FDDI', fcText);
    if (b.tree) b.title(`Fiber Distributed Data Interface, ${fcText}`);
    b.group('fddi.fc', () => `Frame Control: ${hex(fc, 2)} (${fcText})`, fc, offset, 1, () => {
      const clf = fc >> 4;
      b.add('fddi.fc.clf', () => `${bitPicture(fc, 0xf0, 8)} = Class/Length/Format: ${CLF_NAMES[clf] ?? 'Unknown'} (0x${clf.toString(16)})`, clf, offset, 1, () => hex(clf, 2));
      const zzzz = fc & 0x0f;
      if ((fc & 0xf0) === 0x40) {
        b.add('fddi.fc.smt_subtype', () => `${bitPicture(fc, 0x0f, 8)} = SMT Subtype: ${SMT_SUBTYPES[zzzz] ?? 'Unknown'} (${zzzz})`, zzzz, offset, 1);
      } else if ((fc & 0xf0) === 0xc0 && fc !== 0xc0) {
        b.add('fddi.fc.mac_subtype', () => `${bitPicture(fc, 0x0f, 8)} = MAC Subtype: ${MAC_SUBTYPES[zzzz] ?? 'Unknown'} (${zzzz})`, zzzz, offset, 1);
      } else if ((fc & 0xf0) === 0x50 && (fc & 0x08) === 0) {
        b.add('fddi.fc.prio', () => `${bitPicture(fc, 0x07, 8)} = Priority: ${fc & 0x07}`, fc & 0x07, offset, 1);
      }
    }, () => hex(fc, 2));
    b.need(offset + 1, 12, 'FDDI addresses');
    const dst = swappedMacText(data, offset + 1);
    const src = swappedMacText(data, offset + 7);
    p.setColumns(src, dst);
    if (b.building) {
      addAddress(d, b, 'fddi.dst', 'Destination', dst, offset + 1);
      addAddress(d, b, 'fddi.src', 'Source', src, offset + 7);
    }
    b.setLength(FDDI_HEADER_LENGTH);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  if ((fc & 0xf0) === 0x50) dissectLlc(d, p, data, offset + FDDI_HEADER_LENGTH, end);
  else d.data(p, data, offset + FDDI_HEADER_LENGTH, end);
}
