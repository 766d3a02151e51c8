/**
 * DECnet Phase IV routing layer (ethertype 0x6003) with its NSP messages, as tshark 4.0's
 * dec_dna shows them: the length word (not shown), optional padding, the routing flags, then a
 * routing control message (hellos are decoded; other kinds named), or a long or short data header
 * followed by the NSP message header (message type, node addresses, acknowledgements, segment
 * numbers, connect and disconnect fields). A DECnet address (AA-00-04-00-xx-xx) becomes the
 * Source/Destination columns as "area.node", as Wireshark shows it.
 * Info: "NSP data ACK message(3)", "Routing control, Endnode Hello message", ...
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, bytesHex, macText } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';

export const ETHERTYPE_DEC_DNA = 0x6003;

const RT_MSG_TYPES = [
  'Initialization message', 'Verification message', 'Hello and test message', 'Level 1 routing message', 'Level 2 routing message',
  'Ethernet router hello message', 'Ethernet endnode hello message',
];
const NSP_MSG_TYPES: Record<number, string> = {
  0x00: 'Data segment continuation', 0x04: 'Data acknowledgement message', 0x08: 'NOP', 0x10: 'Link service message',
  0x14: 'Other data acknowledgement message', 0x18: 'Connect initiate', 0x20: 'Beginning of segment message',
  0x24: 'Connect acknowledgement message', 0x28: 'Connect confirm', 0x30: 'Interrupt message', 0x38: 'Disconnect initiate',
  0x40: 'End of segment message', 0x48: 'Disconnect confirm', 0x60: 'Begin of segment / End of segment', 0x68: 'Retransmitted connect initiate',
};
const NODE_TYPES: Record<number, string> = { 1: 'Level 2 router', 2: 'Level 1 router', 3: 'End node' };
const FLOW_CONTROL = ['no change', 'do not send data', 'send data', 'reserved'];
const SERVICES: Record<number, string> = { 0: 'none', 4: 'segment request count', 8: 'Session control message request count', 12: 'reserved' };
const VERSIONS = ['version 3.2', 'version 3.1', 'version 4.0', 'reserved'];
const DISCONNECT_REASONS: Record<number, string> = {
  0: 'no error', 3: 'The node is shutting down', 4: 'The destination end user does not exist',
  5: 'A connect message contains an invalid end user name', 6: 'Destination end user has insufficient resources', 7: 'Unspecified error',
  8: 'A third party has disconnected the link', 9: 'An end user has aborted the logical link', 32: 'The node has insufficient resources',
  33: 'Destination end user has insufficient resources', 34: 'Connect request rejected because incorrect RQSTRID or PASSWORD',
  36: 'Connect request rejected because of unacceptable ACCOUNT info', 38: 'End user has timed out, aborted or cancelled a connect request',
  43: 'Connect request RQSTRID, PASSWORD, ACCOUNT or USRDATA too long',
};

/** "area.node" for a DECnet MAC address (AA-00-04-00-xx-xx), else ''. */
export function decnetAddress(data: Buffer, at: number): string {
  if (data[at] !== 0xaa || data[at + 1] !== 0x00 || data[at + 2] !== 0x04 || data[at + 3] !== 0x00) return '';
  const address = data[at + 4]! | (data[at + 5]! << 8);
  return `${address >> 10}.${address & 0x3ff}`;
}

/** " (1.1)" after a DECnet address in a tree line, as Wireshark appends it. */
function decnetSuffix(data: Buffer, at: number): string {
  const address = decnetAddress(data, at);
  return address ? ` (${address})` : '';
}

/** Bytes of data segments so far in the current message, per Dissector (Wireshark keeps one running total). */
const segmentTotals = new WeakMap<Dissector, number>();

function yesNo(v: boolean): string {
  return v ? 'Yes' : 'No';
}

export function dissectDecDna(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'dec_dna', 'DEC DNA Routing Protocol', offset, end, p.selection);
  const eth = p.layers.find((l) => l.protocol === 'eth');
  if (eth && eth.offset + 12 <= data.length) {
    const src = decnetAddress(data, eth.offset + 6);
    const dst = decnetAddress(data, eth.offset);
    if (src || dst) p.setColumns(src || macText(data, eth.offset + 6), dst || macText(data, eth.offset));
  }
  const info = { text: '' };
  let nspAt = -1;
  dissectSafely(b, () => {
    let at = offset + 2;
    let flags = b.u8(at, 'routing flags');
    if (flags & 0x80) {
      at += flags & 0x7f;
      flags = b.u8(at, 'routing flags');
    }
    const flagsAt = at;
    b.group('dec_dna.flags', () => `Routing flags: ${hex(flags, 2)}`, flags, at, 1, () => {
      if (flags & 0x01) {
        b.add('dec_dna.flags.control', () => `${bitPicture(flags, 0x01, 8)} = Control packet: Yes`, true, flagsAt, 1);
        b.add('dec_dna.rt.msg_type', () => `${bitPicture(flags, 0x0e, 8)} = Routing control message: ${RT_MSG_TYPES[(flags >> 1) & 7] ?? 'Unknown'} (${hex((flags >> 1) & 7, 1)})`, (flags >> 1) & 7, flagsAt, 1, () => hex((flags >> 1) & 7, 2));
      } else {
        const msglen = (flags & 0x06) >> 1;
        b.add('dec_dna.flags.msglen', () => `${bitPicture(flags, 0x06, 8)} = ${flags & 0x04 ? 'Long' : 'Short'} data packet format: ${hex(msglen, 1)}`, msglen, flagsAt, 1, () => hex(msglen, 2));
        b.add('dec_dna.flags.RQR', () => `${bitPicture(flags, 0x08, 8)} = Return to Sender Request: ${yesNo((flags & 0x08) !== 0)}`, (flags & 0x08) !== 0, flagsAt, 1);
        b.add('dec_dna.flags.RTS', () => `${bitPicture(flags, 0x10, 8)} = Packet on return trip: ${yesNo((flags & 0x10) !== 0)}`, (flags & 0x10) !== 0, flagsAt, 1);
        if (flags & 0x04) {
          b.add('dec_dna.flags.intra_eth', () => `${bitPicture(flags, 0x20, 8)} = Intra-ethernet packet: ${yesNo((flags & 0x20) !== 0)}`, (flags & 0x20) !== 0, flagsAt, 1);
          b.add('dec_dna.flags.discard', () => `${bitPicture(flags, 0x40, 8)} = Discarded packet: ${yesNo((flags & 0x40) !== 0)}`, (flags & 0x40) !== 0, flagsAt, 1);
        }
      }
    }, () => hex(flags, 2));
    if (flags & 0x01) {
      const type = (flags >> 1) & 7;
      // Wireshark adds the message type a second time, the already shifted value under the same mask.
      const shown = (type & 0x0e) >> 1;
      b.group('dec_dna.rt.msg_type', () => `${bitPicture(type, 0x0e, 8)} = Routing control message: ${RT_MSG_TYPES[shown] ?? 'Unknown'} (${hex(shown, 1)})`, shown, flagsAt, 1, () => controlMessage(b, type, at + 1, info), () => hex(shown, 2));
      return;
    }
    at++;
    if (flags & 0x04) {
      at += 2;
      b.need(at, 20, 'long data header');
      const dstAt = at;
      const srcAt = at + 8;
      const dst = macText(data, dstAt);
      const src = macText(data, srcAt);
      b.add('dec_dna.dst.address', () => `Destination Address: ${dst}${decnetSuffix(data, dstAt)}`, dst, dstAt, 6);
      b.add('dec_dna.src.addr', () => `Source Address: ${src}${decnetSuffix(data, srcAt)}`, src, srcAt, 6);
      at = srcAt + 6;
      b.add('dec_dna.nl2', 'Next level 2 router: 0x00', 0, at, 1, '0x00');
      const visits = data[at + 1]!;
      b.add('dec_dna.visit_cnt', () => `Visit count: ${hex(visits, 2)}`, visits, at + 1, 1, () => hex(visits, 2));
      b.add('dec_dna.svc_cls', 'Service class: 0x00', 0, at + 2, 1, '0x00');
      b.add('dec_dna.proto_type', 'Protocol type: 0x00', 0, at + 3, 1, '0x00');
      at += 4;
    } else {
      b.need(at, 5, 'short data header');
      nodeField(b, 'dec_dna.dst_node', 'Destination node', at);
      nodeField(b, 'dec_dna.src_node', 'Source node', at + 2);
      const visited = data[at + 4]!;
      b.add('dec_dna.vst_node', () => `Nodes visited ty this package: ${visited}`, visited, at + 4, 1);
      at += 5;
    }
    nspAt = at;
  });
  p.addLayer(b.layer);
  if (nspAt < 0) {
    p.setProtocol('DEC DNA', info.text + statusSuffix(b.layer));
    return end;
  }
  // Wireshark puts the NSP message beside the routing protocol's tree, not under it: a second
  // top-level item of the same protocol, which adds nothing to frame.protocols.
  const n = new LayerBuilder(data, 'dec_dna', 'DNA NSP message', nspAt, end, p.selection);
  dissectSafely(n, () => nspMessage(d, n, nspAt, info));
  p.addLayer(n.layer, '');
  p.setProtocol('DEC DNA', info.text + statusSuffix(n.layer));
  return end;
}

function nodeField(b: LayerBuilder, abbrev: string, label: string, at: number): void {
  b.need(at, 2, label);
  const node = b.data.readUInt16LE(at);
  b.add(abbrev, () => `${label}: ${hex(node, 4)}`, node, at, 2, () => hex(node, 4));
}

function controlMessage(b: LayerBuilder, type: number, at: number, info: { text: string }): void {
  const data = b.data;
  if (type === 0) info.text = 'Routing control, initialization message';
  else if (type === 1) info.text = 'Routing control, verification message';
  else if (type === 2) info.text = 'Routing control, hello/test message';
  else if (type === 3 || type === 4) info.text = `Routing control, Level ${type === 3 ? 1 : 2} routing message`;
  if (type !== 5 && type !== 6) return;
  b.need(at, 3, 'routing layer version');
  b.add('dec_dna.ctl.version', () => `Routing Layer Version: ${data[at]}.${data[at + 1]}.${data[at + 2]}`, null, at, 3);
  at += 3;
  b.need(at, 6, 'transmitting system ID');
  const id = macText(data, at);
  b.add('dec_dna.ctl.id', () => `Transmitting system ID: ${id}${decnetSuffix(data, at)}`, id, at, 6);
  at += 6;
  const iinfo = b.u8(at, 'routing information');
  const iinfoAt = at;
  b.group('dec_dna.ctl.tiinfo', () => `Routing information: ${hex(iinfo, 2)}, Node type: ${NODE_TYPES[iinfo & 3] ?? 'Unknown'}`, iinfo, at, 1, () => {
    b.add('dec_dna.ctl.iinfo.node_type', () => `${bitPicture(iinfo, 0x03, 8)} = Node type: ${NODE_TYPES[iinfo & 3] ?? 'Unknown'} (${hex(iinfo & 3, 1)})`, iinfo & 3, iinfoAt, 1, () => hex(iinfo & 3, 2));
    const bits: [string, number, string][] = [['vrf', 0x04, 'Verification required'], ['rej', 0x08, 'Rejected'], ['verf', 0x10, 'Verification failed'], ['mta', 0x20, 'Accepts multicast traffic'], ['blkreq', 0x40, 'Blocking requested']];
    for (const [name, mask, label] of bits) b.add(`dec_dna.ctl.iinfo.${name}`, () => `${bitPicture(iinfo, mask, 8)} = ${label}: ${yesNo((iinfo & mask) !== 0)}`, (iinfo & mask) !== 0, iinfoAt, 1);
  }, () => hex(iinfo, 2));
  at++;
  b.need(at, 2, 'block size');
  const block = data.readUInt16LE(at);
  b.add('dec_dna.ctl.blk_size', () => `Block size: ${block}`, block, at, 2);
  at += 2;
  if (type === 5) {
    info.text = 'Routing control, Ethernet Router Hello  message';
    const prio = b.u8(at, 'priority');
    b.add('dec_dna.ctl.prio', () => `Routing priority: ${hex(prio, 2)}`, prio, at, 1, () => hex(prio, 2));
    at++;
  }
  at++;
  if (type === 6) {
    info.text = 'Routing control, Endnode Hello message';
    b.need(at, 14, 'seed and neighbor');
    const seed = bytesHex(data, at, 8);
    b.add('dec_dna.ctl.seed', () => `Verification seed: ${seed}`, data.subarray(at, at + 8), at, 8, seed);
    const neighbor = macText(data, at + 8);
    b.add('dec_dna.ctl_neighbor', () => `Neighbor: ${neighbor}${decnetSuffix(data, at + 8)}`, neighbor, at + 8, 6);
    at += 14;
  }
  b.need(at, 2, 'hello timer');
  const timer = data.readUInt16LE(at);
  b.add('dec_dna.ctl.timer', () => `Hello timer(seconds): ${timer}`, timer, at, 2);
}

function nspMessage(d: Dissector, b: LayerBuilder, at: number, info: { text: string }): void {
  const data = b.data;
  const type = b.u8(at, 'NSP message type');
  b.title(() => `DNA NSP message: ${NSP_MSG_TYPES[type] ?? 'Unknown'} (${hex(type, 2)})`);
  b.add('dec_dna.nsp.msg_type', () => `DNA NSP message: ${NSP_MSG_TYPES[type] ?? 'Unknown'} (${hex(type, 2)})`, type, at, 1, () => hex(type, 2)).hidden = true;
  if (type === 0x08) return;
  at++;
  nodeField(b, 'dec_dna.dst_node', 'Destination node', at);
  at += 2;
  if (type === 0x24) {
    info.text = 'NSP connect acknowledgement';
    return;
  }
  nodeField(b, 'dec_dna.src_node', 'Source node', at);
  at += 2;
  const le16 = (where: number, what: string): number => {
    b.need(where, 2, what);
    return data.readUInt16LE(where);
  };
  const segnum = (where: number): void => {
    const v = le16(where, 'segment number');
    b.add('dec_dna.nsp.segnum', () => `${bitPicture(v, 0x0fff, 16)} = Message number: ${v & 0xfff}`, v & 0xfff, where, 2);
    b.add('dec_dna.nsp.delay', () => `${bitPicture(v, 0x1000, 16)} = Delayed ACK allowed: ${yesNo((v & 0x1000) !== 0)}`, (v & 0x1000) !== 0, where, 2);
  };
  const ack = (where: number, label: string, v: number): void => {
    b.add('dec_dna.ctl.acknum', () => `${label} ${v & 0x1000 ? 'negatively' : 'positively'} acknowledged: ${v & 0xfff}`, null, where, 2);
  };
  const cross = (where: number, label: string, v: number): void => {
    b.add('dec_dna.ctl.acknum', () => `Cross sub-channel ${(v & 0x3000) === 0x2000 ? 'ACK' : 'NAK'} of ${label}${v & 0xfff}`, null, where, 2);
  };
  const remaining = (where: number): number => b.end - where;
  switch (type) {
    case 0x00: case 0x20: case 0x40: case 0x60: {
      const first = le16(at, 'acknowledgement');
      if (first & 0x8000) {
        ack(at, 'Last data segment', first);
        at += 2;
        const other = le16(at, 'acknowledgement');
        if (other & 0x8000) {
          cross(at, 'other data msg ', other);
          at += 2;
        }
      }
      const seg = le16(at, 'segment number') & 0xfff;
      if (type === 0x20 || type === 0x60) segmentTotals.set(d, 0);
      info.text += type === 0x20 ? `msg nr. ${seg}: start of segment` : type === 0x00 ? `msg nr. ${seg}: continuation segment ` : type === 0x40 ? `msg nr. ${seg}: end of segment` : `msg nr. ${seg} single segment`;
      segnum(at);
      at += 2;
      const length = Math.max(0, remaining(at));
      const total = (segmentTotals.get(d) ?? 0) + length;
      segmentTotals.set(d, total);
      info.text += `, bytes this segment: ${length}, total so far:${total}`;
      return;
    }
    case 0x30: case 0x10: {
      info.text = type === 0x30 ? 'NSP interrupt message' : 'NSP link control message';
      const first = le16(at, 'acknowledgement');
      if (!(first & 0x8000)) {
        segnum(at);
        return;
      }
      ack(at, 'Last interrupt/link service msg', first);
      at += 2;
      const dat = le16(at, 'acknowledgement');
      if (dat & 0x8000) {
        cross(at, 'data segment msg: ', dat);
        at += 2;
      }
      segnum(at);
      at += 2;
      if (type === 0x30) return;
      const ls = b.u8(at, 'link service flags');
      info.text += ls === 0 ? '(no change)' : ls === 1 ? '(stop)' : ls === 2 ? '(go)' : '';
      const fc = b.u8(at + 1, 'flow control value');
      const lsAt = at;
      b.group('dec_dna.nsp.flow_control', () => `${bitPicture(ls, 0x03, 8)} = Flow control: ${FLOW_CONTROL[ls & 3]} (${hex(ls & 3, 1)})`, ls & 3, at, 1, () => {
        b.add('dec_dna.nsp.fc_val', () => `Request for additional ${fc} ${ls & 0x04 ? 'interrupt' : 'data'} msgs`, null, lsAt, 2);
      }, () => hex(ls & 3, 2));
      return;
    }
    case 0x04: case 0x14: {
      const first = le16(at, 'acknowledgement');
      if (type === 0x04) {
        ack(at, 'Last data segment', first);
        info.text += `NSP data ${first & 0x1000 ? 'NAK' : 'ACK'} message(${first & 0xfff})`;
      } else {
        info.text = 'NSP other data ACK message';
        ack(at, 'Last interrupt/link service msg', first);
      }
      at += 2;
      if (remaining(at) > 0) {
        const next = le16(at, 'acknowledgement');
        if (next & 0x8000) cross(at, type === 0x04 ? 'other data msg ' : 'data msg ', next);
      }
      return;
    }
    case 0x18: case 0x28: {
      info.text = 'NSP connect confirm/initiate message';
      const services = b.u8(at, 'services');
      b.add('dec_dna.nsp.services', () => `${bitPicture(services, 0x0c, 8)} = Requested services: ${SERVICES[services & 0x0c]} (${hex((services & 0x0c) >> 2, 1)})`, (services & 0x0c) >> 2, at, 1, () => hex((services & 0x0c) >> 2, 2));
      const version = b.u8(at + 1, 'version info');
      b.add('dec_dna.nsp.info', () => `${bitPicture(version, 0x03, 8)} = Version info: ${VERSIONS[version & 3]} (${hex(version & 3, 1)})`, version & 3, at + 1, 1, () => hex(version & 3, 2));
      const size = le16(at + 2, 'segment size');
      b.add('dec_dna.nsp.segsize', () => `Maximum data segment size: ${size}`, size, at + 2, 2);
      b.group('dec_dna.sess.conn', 'Session connect data', null, at + 4, Math.max(0, Math.min(b.end, data.length) - at - 4), () => connectContents(b, at + 4));
      return;
    }
    case 0x38: case 0x48: {
      info.text = 'NSP disconnect initiate/confirm message';
      const reason = le16(at, 'disconnect reason');
      b.add('dec_dna.nsp.disc_reason', () => `Reason for disconnect: ${DISCONNECT_REASONS[reason] ?? 'Unknown'} (${hex(reason, 4)})`, reason, at, 2, () => hex(reason, 4));
      return;
    }
  }
}

/** Session control connect data: destination and source end users, then the menu version. */
function connectContents(b: LayerBuilder, at: number): void {
  const data = b.data;
  // Wireshark reads past the end of the NSP message when the packet stops early: malformed.
  const u8 = (where: number, what: string): number => {
    if (where >= b.end) throw new StopDissection('malformed', `${what} runs past the end of the dec_dna data`);
    return b.u8(where, what);
  };
  let dstFormat = 0;
  for (const side of ['dst', 'src'] as const) {
    const format = u8(at, 'end user format');
    if (side === 'dst') dstFormat = format;
    const objType = u8(at + 1, 'object type');
    b.add('dec_dna.sess.obj_type', () => `Session Object type: ${hex(objType, 2)}`, objType, at + 1, 1, () => hex(objType, 2));
    at += 2;
    if (format === 2) {
      b.need(at, 4, 'group and user code');
      const group = data.readUInt16LE(at);
      const user = data.readUInt16LE(at + 2);
      b.add('dec_dna.sess.grp_code', () => `Session Group code: ${hex(group, 4)}`, group, at, 2, () => hex(group, 4));
      b.add('dec_dna.sess.usr_code', () => `Session User code: ${hex(user, 4)}`, user, at + 2, 2, () => hex(user, 4));
      at += 4;
    }
    // Wireshark tests the destination's format for both names.
    if (dstFormat !== 0) {
      const length = u8(at, 'end user name length');
      b.need(at + 1, length, 'end user name');
      const name = data.toString('latin1', at + 1, at + 1 + length);
      b.add(`dec_dna.sess.${side}_name`, () => `Session ${side === 'dst' ? 'Destination' : 'Source'} end user: ${name}`, name, at + 1, length);
      at += 1 + length;
    }
  }
  const menu = u8(at, 'menu version');
  const text = menu === 1 || menu === 3 ? 'Version 1.0: RQSTRID, PASSWRD and ACCOUNT fields included' : menu === 2 ? 'Version 1.0: USRDATA field included' : 'Session control version 1.0';
  b.add('dec_dna.sess.menu_ver', () => `Session Menu version: ${text}`, text, at, 1);
}
