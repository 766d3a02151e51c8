/**
 * LDP (RFC 5036; UDP and TCP 646) as tshark 4.0 shows it (epan/dissectors/packet-ldp.c): the PDU
 * header (version, PDU length, LSR ID, label space), then its messages (U bit, type, length, ID)
 * and their TLVs (U/F bits, type, length) with the values of Common Hello Parameters, IPv4
 * Transport Address, Status, Common Session Parameters, Address List, FEC (IPv4 prefix elements),
 * Generic Label, Hop Count and Path Vector; other TLVs show their value as bytes.
 * Info: each message's name and a space ("Hello Message "). Over TCP the PDUs are put together
 * from segments (tshark desegments by default), each PDU's messages replacing the Info of the one before.
 * Left out: the values of the other TLVs (CR-LDP, pseudowires, ATM and Frame Relay parameters).
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import { ipv4Text, ipv6Text } from './app-format';
import { bitPicture } from './format';
import type { AppDissector, AppResult, PduSplit } from './model';
import { lengthPrefixedPdus } from './tcp-pdus';

export const LDP_PORT = 646;
/** Version and PDU length: the PDU length counts what follows them. */
const PDU_PREFIX = 4;
const HEADER = 10;

const MESSAGES: Record<number, string> = {
  0x1: 'Notification Message', 0x100: 'Hello Message', 0x200: 'Initialization Message', 0x201: 'Keep Alive Message', 0x202: 'Capability Message',
  0x300: 'Address Message', 0x301: 'Address Withdrawal Message', 0x400: 'Label Mapping Message', 0x401: 'Label Request Message',
  0x402: 'Label Withdrawal Message', 0x403: 'Label Release Message', 0x404: 'Label Abort Request Message', 0x500: 'Call Setup Message',
  0x501: 'Call Release Message', 0x700: 'RG Connect Message', 0x701: 'RG Disconnect Message', 0x702: 'RG Notification Message',
  0x703: 'RG Application Data Message', 0x3e00: 'Vendor-Private Message', 0x3f00: 'Experimental Message',
};
const TLVS: Record<number, string> = {
  0x1: 'Sequence Number TLV', 0x100: 'FEC', 0x101: 'Address List', 0x103: 'Hop Count', 0x104: 'Path Vector', 0x200: 'Generic Label',
  0x201: 'ATM Label', 0x202: 'Frame Relay Label', 0x203: 'FT Protection TLV', 0x204: 'LDP Upstream-Assigned Label TLV',
  0x205: 'LDP Upstream-Assigned Label Request TLV', 0x206: 'Entropy Label Capability TLV', 0x300: 'Status', 0x301: 'Extended Status',
  0x302: 'Returned PDU', 0x303: 'Returned Message', 0x304: 'Returned TLVs', 0x400: 'Common Hello Parameters', 0x401: 'IPv4 Transport Address',
  0x402: 'Configuration Sequence Number', 0x403: 'IPv6 Transport Address', 0x404: 'MAC TLV', 0x405: 'Cryptographic Authentication TLV',
  0x406: 'MAC Flush Parameters TLV', 0x500: 'Common Session Parameters', 0x501: 'ATM Session Parameters', 0x502: 'Frame Relay Session Parameters',
  0x503: 'FT Session TLV', 0x504: 'FT Ack TLV', 0x505: 'FT Cork TLV', 0x506: 'Dynamic Capability Announcement',
  0x507: 'LDP Upstream Label Assignment Capability TLV', 0x508: 'P2MP Capability Parameter', 0x509: 'MP2MP Capability Parameter',
  0x50a: 'MBB Capability Parameter', 0x50b: 'Typed Wildcard FEC Capability', 0x50c: 'Multi-Topology Capability',
  0x50d: 'State Advertisement Control Capability', 0x50f: 'Targeted Application Capability', 0x600: 'Label Request Message ID', 0x601: 'MTU TLV',
  0x603: 'Unrecognized Notification Capability', 0x700: 'ICCP capability TLV', 0x701: 'Dual-Stack capability', 0x800: 'Explicit Route TLV',
  0x810: 'Traffic Parameters TLV', 0x820: 'Preemption TLV', 0x821: 'LSPID TLV', 0x822: 'Resource Class TLV', 0x823: 'Route Pinning TLV',
  0x901: 'Diff-Serv TLV', 0x96a: 'PW Status TLV', 0x96b: 'PW Interface Parameters TLV', 0x96c: 'PW Group ID TLV',
};
const UNKNOWN_BITS = ['Known TLV, do not Forward', 'Known TLV, do Forward', 'Unknown TLV, do not Forward', 'Unknown TLV, do Forward'];
const STATUS: Record<number, string> = {
  0x0: 'Success', 0x1: 'Bad LDP Identifier', 0x2: 'Bad Protocol Version', 0x3: 'Bad PDU Length', 0x4: 'Unknown Message Type', 0x5: 'Bad Message Length',
  0x6: 'Unknown TLV', 0x7: 'Bad TLV Length', 0x8: 'Malformed TLV Value', 0x9: 'Hold Timer Expired', 0xa: 'Shutdown', 0xb: 'Loop Detected',
  0xc: 'Unknown FEC', 0xd: 'No Route', 0xe: 'No Label Resources', 0xf: 'Label Resources/Available', 0x10: 'Session Rejected/No Hello',
  0x11: 'Session Rejected/Parameters Advertisement Mode', 0x12: 'Session Rejected/Parameters Max PDU Length', 0x13: 'Session Rejected/Parameters Label Range',
  0x14: 'KeepAlive Timer Expired', 0x15: 'Label Request Aborted', 0x16: 'Missing Message Parameters', 0x17: 'Unsupported Address Family',
  0x18: 'Session Rejected/Bad KeepAlive Time', 0x19: 'Internal Error', 0x1a: 'No LDP Session', 0x20: 'Temporary Shutdown', 0x2e: 'Unsupported Capability',
  0x2f: 'End-of-LIB',
};
const FEC_TYPES: Record<number, string> = {
  1: 'Wildcard FEC', 2: 'Prefix FEC', 3: 'Host Address FEC', 4: 'CR LSP FEC', 5: 'Typed Wildcard FEC Element', 6: 'P2MP', 7: 'MP2MP-up',
  8: 'MP2MP-down', 128: 'PWid FEC Element', 129: 'Generalized PWid FEC Element',
};
const FAMILIES: Record<number, string> = { 0: 'Reserved', 1: 'IPv4', 2: 'IPv6', 3: 'NSAP' };

export const ldpDissector: AppDissector = {
  protocol: 'ldp',
  udpPorts: [LDP_PORT],
  tcpPorts: [LDP_PORT],
  dissect: (data, offset, end, ctx) => dissectLdp(data, offset, end, ctx.fields),
  desegment: (data, offset, end): PduSplit => ({
    ...lengthPrefixedPdus(data, offset, end, PDU_PREFIX, (at) => PDU_PREFIX + data.readUInt16BE(at + 2)),
    replaceInfo: true,
  }),
};

export function dissectLdp(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const b = new LayerBuilder(data, 'ldp', 'Label Distribution Protocol', offset, end, selection);
  let info = '';
  dissectSafely(b, () => {
    const version = b.u16(offset, 'version');
    b.add('ldp.hdr.version', () => `Version: ${version}`, version, offset, 2);
    const pduLength = b.u16(offset + 2, 'PDU length');
    b.add('ldp.hdr.pdu_len', () => `PDU Length: ${pduLength}`, pduLength, offset + 2, 2);
    b.need(offset + 4, 6, 'LDP identifier');
    const lsr = ipv4Text(data, offset + 4);
    b.add('ldp.hdr.ldpid.lsr', () => `LSR ID: ${lsr}`, lsr, offset + 4, 4);
    const space = data.readUInt16BE(offset + 8);
    b.add('ldp.hdr.ldpid.lsid', () => `Label Space ID: ${space}`, space, offset + 8, 2);
    // The messages run to the PDU's end, or to the end of the datagram or segment.
    const stop = Math.min(offset + PDU_PREFIX + pduLength, end);
    let at = offset + HEADER;
    while (at < stop) {
      const rest = stop - at;
      if (rest < 8) {
        info += 'Bad Message';
        b.add('', 'Error processing Message', null, at, rest);
        break;
      }
      b.need(at, 4, 'message header');
      const word = data.readUInt16BE(at);
      const type = word & 0x7fff;
      const length = data.readUInt16BE(at + 2);
      if (length < 4) {
        info += 'Bad Message Length ';
        b.add('', `Error processing Message Length: length is ${length}, should be >= 4`, null, at, rest);
        break;
      }
      const shown = Math.min(length, rest - 4);
      const name = MESSAGES[type];
      info += `${name ?? `Unknown Message (0x${type.toString(16).toUpperCase().padStart(4, '0')})`} `;
      // A message cut by the capture shows nothing of itself (tshark's exception comes first).
      b.need(at, 4 + shown, 'message');
      const msgAt = at;
      b.group('', () => name ?? `Unknown Message type (0x${type.toString(16).toUpperCase().padStart(4, '0')})`, null, at, shown + 4, () => {
        const ubit = word >> 15;
        b.add('ldp.msg.ubit', () => `${bitPicture(word >> 8, 0x80, 8)} = U bit: ${ubit ? 'Unknown bit set' : 'Unknown bit not set'}`, ubit === 1, msgAt, 1);
        b.add('ldp.msg.type', () => `Message Type: ${name ?? 'Unknown Message Type'} (0x${type.toString(16).toUpperCase()})`, type, msgAt, 2, () => hex(type, 4));
        b.add('ldp.msg.len', () => `Message Length: ${length}`, length, msgAt + 2, 2);
        const id = b.u32(msgAt + 4, 'message ID');
        b.add('ldp.msg.id', () => `Message ID: ${hex(id, 8)}`, id, msgAt + 4, 4, () => hex(id, 8));
        tlvs(b, msgAt + 8, msgAt + 4 + shown);
      });
      at += 4 + shown;
    }
  });
  if (b.layer.status === 'truncated') info += '[Packet size limited during capture]';
  else if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  return { layers: [b.layer], protocolColumn: 'LDP', info };
}

function tlvs(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  while (at < end) {
    b.need(at, 4, 'TLV header');
    const word = data.readUInt16BE(at);
    const type = word & 0x3fff;
    const unknown = word >> 14;
    const length = data.readUInt16BE(at + 2);
    const known = TLVS[type] !== undefined;
    const name = TLVS[type] ?? `Unknown TLV type (0x${type.toString(16).toUpperCase().padStart(4, '0')})`;
    const tlvAt = at;
    const valueAt = at + 4;
    const shown = Math.min(length, end - valueAt);
    b.group('', name, null, at, 4 + shown, () => {
      b.add('ldp.msg.tlv.unknown', () => `${bitPicture(word >> 8, 0xc0, 8)} = TLV Unknown bits: ${UNKNOWN_BITS[unknown]} (${hex(unknown, 1)})`, unknown, tlvAt, 1, () => hex(unknown, 2));
      b.add('ldp.msg.tlv.type', () => (known ? `TLV Type: ${name} (0x${type.toString(16).toUpperCase()})` : `TLV Type: ${name}`), type, tlvAt, 2, () => hex(type, 4));
      b.add('ldp.msg.tlv.len', () => `TLV Length: ${length}`, length, tlvAt + 2, 2);
      b.need(valueAt, length, 'TLV value');
      // tshark 4.0 reads past a FEC TLV that ends its message (another TLV after it is fine): the
      // packet is malformed there, before the FEC elements are shown.
      if (type === 0x100 && valueAt + length >= end) throw new StopDissection('malformed', 'FEC TLV ends its message');
      value(b, type, valueAt, length);
    });
    at = valueAt + length;
  }
}

function value(b: LayerBuilder, type: number, at: number, length: number): void {
  const data = b.data;
  switch (type) {
    case 0x400: { // Common Hello Parameters
      if (length < 4) break;
      const hold = data.readUInt16BE(at);
      b.add('ldp.msg.tlv.hello.hold', () => `Hold Time: ${hold}`, hold, at, 2);
      const flags = data.readUInt16BE(at + 2);
      const bit = (mask: number) => (flags & mask) !== 0;
      b.add('ldp.msg.tlv.hello.targeted', () => `${bitPicture(flags, 0x8000, 16)} = Targeted Hello: ${bit(0x8000) ? 'Targeted Hello' : 'Link Hello'}`, bit(0x8000), at + 2, 2);
      b.add('ldp.msg.tlv.hello.requested', () => `${bitPicture(flags, 0x4000, 16)} = Hello Requested: ${bit(0x4000) ? 'Source requests periodic hellos' : 'Source does not request periodic hellos'}`, bit(0x4000), at + 2, 2);
      b.add('ldp.msg.tlv.hello.gtsm', () => `${bitPicture(flags, 0x2000, 16)} = GTSM Flag: ${bit(0x2000) ? 'Set' : 'Not set'}`, bit(0x2000), at + 2, 2);
      b.add('ldp.msg.tlv.hello.res', () => `${bitPicture(flags, 0x1fff, 16)} = Reserved: ${hex(flags & 0x1fff, 4)}`, flags & 0x1fff, at + 2, 2, () => hex(flags & 0x1fff, 4));
      return;
    }
    case 0x401: { // IPv4 Transport Address
      if (length !== 4) break;
      const address = ipv4Text(data, at);
      b.add('ldp.msg.tlv.ipv4.taddr', () => `IPv4 Transport Address: ${address}`, address, at, 4);
      return;
    }
    case 0x300: { // Status
      if (length !== 10) break;
      const code = data.readUInt32BE(at);
      const e = (code >>> 31) === 1;
      const f = ((code >>> 30) & 1) === 1;
      const status = code & 0x3fffffff;
      b.group('', 'Status', null, at, length, () => {
        b.add('ldp.msg.tlv.status.ebit', () => `${bitPicture(data[at]!, 0x80, 8)} = E Bit: ${e ? 'Fatal Error Notification' : 'Advisory Notification'}`, e, at, 1);
        b.add('ldp.msg.tlv.status.fbit', () => `${bitPicture(data[at]!, 0x40, 8)} = F Bit: ${f ? 'Notification should be Forwarded' : 'Notification should NOT be Forwarded'}`, f, at, 1);
        b.add('ldp.msg.tlv.status.data', () => `${bitPicture(code, 0x3fffffff, 32)} = Status Data: ${STATUS[status] ?? 'Unknown'} (0x${status.toString(16).toUpperCase()})`, status, at, 4, () => hex(status, 8));
        const id = data.readUInt32BE(at + 4);
        b.add('ldp.msg.tlv.status.msg.id', () => `Message ID: ${hex(id, 8)}`, id, at + 4, 4, () => hex(id, 8));
        const msgType = data.readUInt16BE(at + 8);
        b.add('ldp.msg.tlv.status.msg.type', () => `Message Type: ${MESSAGES[msgType] ?? 'Unknown'} (${hex(msgType, 4)})`, msgType, at + 8, 2, () => hex(msgType, 4));
      });
      return;
    }
    case 0x500: { // Common Session Parameters
      if (length !== 14) break;
      b.group('', 'Parameters', null, at, length, () => {
        const version = data.readUInt16BE(at);
        b.add('ldp.msg.tlv.sess.ver', () => `Session Protocol Version: ${version}`, version, at, 2);
        const keepalive = data.readUInt16BE(at + 2);
        b.add('ldp.msg.tlv.sess.ka', () => `Session KeepAlive Time: ${keepalive}`, keepalive, at + 2, 2);
        const flags = data[at + 4]!;
        const a = (flags & 0x80) !== 0;
        const d = (flags & 0x40) !== 0;
        b.add('ldp.msg.tlv.sess.advbit', () => `${bitPicture(flags, 0x80, 8)} = Session Label Advertisement Discipline: ${a ? 'Downstream On Demand proposed' : 'Downstream Unsolicited proposed'}`, a, at + 4, 1);
        b.add('ldp.msg.tlv.sess.ldetbit', () => `${bitPicture(flags, 0x40, 8)} = Session Loop Detection: ${d ? 'Loop Detection Enabled' : 'Loop Detection Disabled'}`, d, at + 4, 1);
        const limit = data[at + 5]!;
        b.add('ldp.msg.tlv.sess.pvlim', () => `Session Path Vector Limit: ${limit}`, limit, at + 5, 1);
        const maxPdu = data.readUInt16BE(at + 6);
        b.add('ldp.msg.tlv.sess.mxpdu', () => `Session Max PDU Length: ${maxPdu}`, maxPdu, at + 6, 2);
        const lsr = ipv4Text(data, at + 8);
        b.add('ldp.msg.tlv.sess.rxlsr', () => `Session Receiver LSR Identifier: ${lsr}`, lsr, at + 8, 4);
        const space = data.readUInt16BE(at + 12);
        b.add('ldp.msg.tlv.sess.rxls', () => `Session Receiver Label Space Identifier: ${space}`, space, at + 12, 2);
      });
      return;
    }
    case 0x101: { // Address List
      if (length < 2) break;
      const family = data.readUInt16BE(at);
      b.add('ldp.msg.tlv.addrl.addr_family', () => `Address Family: ${FAMILIES[family] ?? 'Unknown'} (${family})`, family, at, 2);
      const size = family === 1 ? 4 : family === 2 ? 16 : 0;
      if (size === 0) break;
      b.group('', 'Addresses', null, at + 2, length - 2, () => {
        let n = 1;
        for (let k = at + 2; k + size <= at + length; k += size, n++) {
          const address = size === 4 ? ipv4Text(data, k) : ipv6Text(data, k);
          const index = n;
          b.add('ldp.msg.tlv.addrl.addr', () => `Address ${index}: ${address}`, address, k, size);
        }
      });
      return;
    }
    case 0x100: { // FEC
      b.group('', 'FEC Elements', null, at, length, () => fecElements(b, at, at + length));
      return;
    }
    case 0x200: { // Generic Label
      if (length !== 4) break;
      const word = data.readUInt32BE(at);
      const label = word & 0xfffff;
      b.add('ldp.msg.tlv.generic.label', () => `${bitPicture(word, 0xfffff, 32)} = Generic Label: ${label} (0x${label.toString(16).padStart(5, '0')})`, label, at, 4);
      return;
    }
    case 0x103: { // Hop Count
      if (length !== 1) break;
      const count = data[at]!;
      b.add('ldp.msg.tlv.hc.value', () => `Hop Count Value: ${count}`, count, at, 1);
      return;
    }
    case 0x104: { // Path Vector
      b.group('', 'LSR IDs', null, at, length, () => {
        let n = 1;
        for (let k = at; k + 4 <= at + length; k += 4, n++) {
          const lsr = ipv4Text(data, k);
          const index = n;
          b.add('ldp.msg.tlv.pv.lsrid', () => `LSR Id ${index}: ${lsr}`, lsr, k, 4);
        }
      });
      return;
    }
  }
  if (length > 0) {
    const bytes = data.subarray(at, at + length);
    b.add('ldp.msg.tlv.value', () => `TLV Value: ${bytes.toString('hex')}`, bytes, at, length, () => bytes.toString('hex'));
  }
}

/**
 * FEC elements: IPv4 prefix elements. Each element is read with its type, address family and length
 * (4 bytes): an element cut by the TLV's end makes the packet malformed, as tshark's reads past its
 * bytes do (a wildcard element alone included). Other element types end the list.
 */
function fecElements(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  let n = 1;
  while (at < end) {
    if (at + 4 > end) throw new StopDissection('malformed', 'FEC element runs past its TLV');
    const type = data[at]!;
    const index = n++;
    const family = data.readUInt16BE(at + 1);
    const bits = data[at + 3]!;
    const size = Math.ceil(bits / 8);
    if (type !== 2 || family !== 1 || size > 4) return;
    if (at + 4 + size > end) throw new StopDissection('malformed', 'FEC prefix runs past its TLV');
    const elementAt = at;
    const address = Buffer.alloc(4);
    data.copy(address, 0, at + 4, at + 4 + size);
    const text = ipv4Text(address, 0);
    b.group('', `FEC Element ${index}`, null, at, 4 + size, () => {
      b.add('ldp.msg.tlv.fec.type', () => `FEC Element Type: ${FEC_TYPES[type]} (${type})`, type, elementAt, 1);
      b.add('ldp.msg.tlv.fec.af', () => `FEC Element Address Type: ${FAMILIES[family]} (${family})`, family, elementAt + 1, 2);
      b.add('ldp.msg.tlv.fec.len', () => `FEC Element Length: ${bits}`, bits, elementAt + 3, 1);
      b.add('ldp.msg.tlv.fec.pfval', () => `Prefix: ${text}`, text, elementAt + 4, size);
    });
    at += 4 + size;
  }
}
