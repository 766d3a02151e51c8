/**
 * The OSI network layer as Wireshark's "osi" protocol multiplexes it: the first byte (the NLPID)
 * picks the protocol, which reads that byte itself. It adds no tree of its own, only its name to
 * frame.protocols. IS-IS (0x83) is dissected; other NLPIDs are data.
 */
import type { Dissector } from './dissector';
import { dissectIsis, NLPID_ISIS } from './isis';
import type { PacketState } from './packet-state';

/** LLC SAP of the ISO network layer. */
export const SAP_OSI = 0xfe;

export function dissectOsi(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  p.protocols.push('osi');
  if (offset < end && offset < data.length && data[offset] === NLPID_ISIS) return dissectIsis(d, p, data, offset, end);
  if (offset < end && offset < data.length) p.setProtocol('ISO', `Unknown ISO protocol (${data[offset]!.toString(16).padStart(2, '0')})`);
  d.data(p, data, offset, end);
  return end;
}

/** NLPIDs whose protocols read the NLPID themselves (Wireshark's osinl.incl table): CLNP, ES-IS, IS-IS, IDRP. */
const INCLUDING_NLPIDS = new Set([0x81, 0x82, 0x83, 0x85]);

/**
 * OSI over Cisco HDLC (protocol 0xfefe): routers put a padding byte before the PDU, which tshark
 * shows as "CLNS Padding" and skips whenever the first byte is not one of those NLPIDs.
 */
export function dissectOsiChdlc(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  if (osiPadded(data, offset, end)) offset++;
  return dissectOsi(d, p, data, offset, end);
}

/** True when OSI over Cisco HDLC at `offset` starts with a padding byte (not one of those NLPIDs). */
export function osiPadded(data: Buffer, offset: number, end: number): boolean {
  return offset < end && offset < data.length && !INCLUDING_NLPIDS.has(data[offset]!);
}
