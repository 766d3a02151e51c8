/**
 * Novell IPX (LLC SAP 0xE0, or Novell's raw 802.3) as tshark 4.0 shows it: the 30-byte header, network.node addresses
 * as the Source and Destination columns, then by packet type and socket the three protocols
 * Wireshark calls without adding them to frame.protocols: SAP (socket 0x452), RIP (0x453) and
 * NetBIOS over IPX (0x455, or packet type 0x14). They set the Protocol and Info columns. NMPI
 * (socket 0x553, also not in frame.protocols) carrying a mailslot write, and NBIPX directed
 * datagrams, hand an SMB mailslot browser datagram to nbdgm.ts's SMB/browser dissection.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { be16, be32, macText } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';
import { dissectSmbMailslot } from './nbdgm';
import { describe } from './nbns';

export const SAP_IPX = 0xe0;
const HEADER_LENGTH = 30;
const PACKET_TYPE_NETBIOS = 0x14;
const SOCKET_SAP = 0x0452;
const SOCKET_RIP = 0x0453;
const SOCKET_NETBIOS = 0x0455;
const SOCKET_SMB_MAILSLOT = 0x0553;
/** NMPI: eight IPX networks, opcode, name type, message ID, two 16-byte NetBIOS names. */
const NMPI_LENGTH = 68;
const NMPI_MAILSLOT_WRITE = 0xfc;

const PACKET_TYPES: Record<number, string> = {
  0x00: 'IPX', 0x01: 'RIP', 0x02: 'Echo', 0x03: 'Error', 0x04: 'PEP (Packet Exchange Protocol)', 0x05: 'SPX', 0x11: 'NCP',
  0x14: 'NetBIOS Broadcast', 0x68: 'NMPI',
};
const SOCKETS: Record<number, string> = {
  0x0001: 'Routing Information Packet', 0x0002: 'Echo Protocol Packet', 0x0003: 'Error Handler Packet', 0x0451: 'NCP', 0x0452: 'SAP',
  0x0453: 'RIP', 0x0455: 'NetBIOS', 0x0456: 'Diagnostic', 0x0457: 'Serialization', 0x0551: 'NWLink SMB Name Query',
  0x0553: 'NWLink SMB Mailslot Datagram', 0x4008: 'NetWare 386 or later Print Server', 0x400c: 'HP LaserJet/QuickSilver', 0x85be: 'Cisco EIGRP for IPX',
  0x9001: 'NLSP', 0x9004: 'IPXWAN',
};
const SAP_TYPES: Record<number, string> = { 1: 'General Query', 2: 'General Response', 3: 'Nearest Query', 4: 'Nearest Response' };
const RIP_TYPES: Record<number, string> = { 1: 'Request', 2: 'Response' };
const NBIPX_TYPES: Record<number, string> = {
  1: 'Find name', 2: 'Name recognized', 3: 'Check name', 4: 'Name in use', 5: 'Deregister name', 6: 'Session data', 7: 'Session end',
  8: 'Session end ACK', 9: 'Status query', 10: 'Status response', 11: 'Directed datagram',
};

/** An IPX network as tshark prints FT_IPXNET in -T fields. */
function netText(data: Buffer, at: number): string {
  return hex(be32(data, at), 8);
}

/** network.node as the address columns and ipx.src / ipx.dst show it: "a8f87967.000000000001". */
function addressText(data: Buffer, at: number): string {
  return `${data.toString('hex', at, at + 4)}.${data.toString('hex', at + 4, at + 10)}`;
}

export function dissectIpx(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'ipx', 'Internetwork Packet eXchange', offset, end, p.selection);
  let length = 0;
  let type = 0;
  let dstSocket = 0;
  let srcSocket = 0;
  dissectSafely(b, () => {
    b.need(offset, HEADER_LENGTH, 'IPX header');
    const checksum = be16(data, offset);
    b.add('ipx.checksum', () => `Checksum: ${hex(checksum, 4)}`, checksum, offset, 2, () => hex(checksum, 4));
    const src = addressText(data, offset + 18);
    const dst = addressText(data, offset + 6);
    b.add('ipx.src', `Source Address: ${src}`, src, offset + 18, 10).hidden = true;
    b.add('ipx.addr', `Src/Dst Address: ${src}`, src, offset + 18, 10).hidden = true;
    b.add('ipx.dst', `Destination Address: ${dst}`, dst, offset + 6, 10).hidden = true;
    b.add('ipx.addr', `Src/Dst Address: ${dst}`, dst, offset + 6, 10).hidden = true;
    length = be16(data, offset + 2);
    b.add('ipx.len', () => `Length: ${length} bytes`, length, offset + 2, 2);
    const hops = data[offset + 4]!;
    b.add('ipx.hops', () => `Transport Control: ${hops} hops`, hops, offset + 4, 1);
    type = data[offset + 5]!;
    b.add('ipx.packet_type', () => `Packet Type: ${PACKET_TYPES[type] ?? 'Unknown'} (${hex(type, 2)})`, type, offset + 5, 1, () => hex(type, 2));
    dstSocket = be16(data, offset + 16);
    srcSocket = be16(data, offset + 28);
    endpoint(d, b, 'dst', 'Destination', offset + 6, dstSocket);
    endpoint(d, b, 'src', 'Source', offset + 18, srcSocket);
    if (p.columns) {
      p.setColumns(src, dst);
      p.setProtocol('IPX', `${SOCKETS[dstSocket] ?? 'Unknown'} (${hex(dstSocket, 4)})`);
    }
    if (length < HEADER_LENGTH) b.mark('malformed', `IPX length ${length} is shorter than the header`);
  });
  b.setLength(HEADER_LENGTH);
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') {
    if (p.columns) p.setProtocol(p.protocolColumn, p.info + statusSuffix(b.layer));
    return;
  }
  const stop = Math.min(end, offset + length);
  const payload = offset + HEADER_LENGTH;
  const low = Math.min(dstSocket, srcSocket);
  const high = Math.max(dstSocket, srcSocket);
  const bySocket = (socket: number) => low === socket || high === socket;
  if (bySocket(SOCKET_SMB_MAILSLOT) && stop - payload > NMPI_LENGTH && data[payload + 32] === NMPI_MAILSLOT_WRITE && dissectNmpi(p, data, payload, stop)) return;
  if (type === PACKET_TYPE_NETBIOS) dissectNbipx(d, p, data, payload, stop, type);
  else if (bySocket(SOCKET_SAP)) dissectSap(d, p, data, payload, stop, dstSocket === SOCKET_SAP);
  else if (bySocket(SOCKET_RIP)) dissectRip(p, data, payload, stop);
  else if (bySocket(SOCKET_NETBIOS)) dissectNbipx(d, p, data, payload, stop, type);
  else d.data(p, data, payload, stop);
  return stop;
}

function endpoint(d: Dissector, b: LayerBuilder, which: 'src' | 'dst', title: string, at: number, socket: number): void {
  const data = b.data;
  const net = netText(data, at);
  const node = macText(data, at + 4);
  b.add(`ipx.${which}.net`, () => `${title} Network: ${net}`, be32(data, at), at, 4, net);
  b.add('ipx.net', () => `Source or Destination Network: ${net}`, be32(data, at), at, 4, net).hidden = true;
  b.add(`ipx.${which}.node`, () => `${title} Node: ${d.macLabel(node)}`, node, at + 4, 6);
  b.add('ipx.node', () => `Source or Destination Node: ${d.macLabel(node)}`, node, at + 4, 6).hidden = true;
  const socketText = hex(socket, 4);
  b.add(`ipx.${which}.socket`, () => `${title} Socket: ${SOCKETS[socket] ?? 'Unknown'} (${socketText})`, socket, at + 10, 2, socketText);
  b.add('ipx.socket', () => `Source or Destination Socket: ${SOCKETS[socket] ?? 'Unknown'} (${socketText})`, socket, at + 10, 2, socketText).hidden = true;
}

/** Service Advertisement Protocol: the packet type, then 64-byte server entries. */
function dissectSap(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, toSapSocket: boolean): void {
  const b = new LayerBuilder(data, 'ipxsap', 'Service Advertisement Protocol', offset, end, p.selection);
  let operation = -1;
  dissectSafely(b, () => {
    operation = b.u16(offset, 'SAP packet type');
    // tshark calls a SAP packet a request when it goes to the SAP socket, whatever its type.
    const request = toSapSocket;
    b.add(request ? 'ipxsap.request' : 'ipxsap.response', request ? 'Request: True' : 'Response: True', true, offset, 2).hidden = true;
    b.add('ipxsap.packet_type', () => `SAP packet type: ${SAP_TYPES[operation] ?? 'Unknown'} (${operation})`, operation, offset, 2);
    if (operation !== 2 && operation !== 4) return;
    for (let at = offset + 2; at + 64 <= end; at += 64) {
      b.need(at, 64, 'server entry');
      const serverType = be16(data, at);
      const nul = data.indexOf(0, at + 2);
      const name = data.toString('latin1', at + 2, nul >= 0 && nul < at + 50 ? nul : at + 50);
      b.group('ipxsap.server', () => `Server: ${name}`, null, at, 64, () => {
        b.add('ipxsap.server.type', () => `Server Type: ${hex(serverType, 4)}`, serverType, at, 2, () => hex(serverType, 4));
        b.add('ipxsap.server.name', () => `Server Name: ${name}`, name, at + 2, 48);
        const net = netText(data, at + 50);
        b.add('ipxsap.server.network', () => `Network: ${net}`, be32(data, at + 50), at + 50, 4, net);
        const node = macText(data, at + 54);
        b.add('ipxsap.server.node', () => `Node: ${d.macLabel(node)}`, node, at + 54, 6);
        const socket = be16(data, at + 60);
        b.add('ipxsap.server.socket', () => `Socket: ${SOCKETS[socket] ?? 'Unknown'} (${hex(socket, 4)})`, socket, at + 60, 2, () => hex(socket, 4));
        const hops = be16(data, at + 62);
        b.add('ipxsap.server.intermediate_networks', () => `Intermediate Networks: ${hops}`, hops, at + 62, 2);
      }, '');
    }
  });
  p.addLayer(b.layer, '');
  p.setProtocol('IPX SAP', (SAP_TYPES[operation] ?? 'Unknown Packet Type') + statusSuffix(b.layer));
}

/** IPX RIP: the operation, then 8-byte route vectors. */
function dissectRip(p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'ipxrip', 'IPX Routing Information Protocol', offset, end, p.selection);
  let operation = -1;
  dissectSafely(b, () => {
    operation = b.u16(offset, 'RIP packet type');
    const request = operation === 1;
    b.add(request ? 'ipxrip.request' : 'ipxrip.response', request ? 'Request: True' : 'Response: True', true, offset, 2).hidden = true;
    b.add('ipxrip.packet_type', () => `RIP packet type: ${RIP_TYPES[operation] ?? 'Unknown'} (${operation})`, operation, offset, 2);
    for (let at = offset + 2; at + 8 <= end; at += 8) {
      b.need(at, 8, 'route vector');
      const net = netText(data, at);
      b.add('ipxrip.route_vector', () => `Route Vector: ${net}`, be32(data, at), at, 4, net);
      const hops = be16(data, at + 4);
      b.add('ipxrip.hops', () => `Hops: ${hops}`, hops, at + 4, 2);
      const ticks = be16(data, at + 6);
      b.add('ipxrip.ticks', () => `Ticks: ${ticks * (1000 / 18)} ms`, ticks, at + 6, 2);
    }
  });
  p.addLayer(b.layer, '');
  p.setProtocol('IPX RIP', (RIP_TYPES[operation] ?? 'Unknown Packet Type') + statusSuffix(b.layer));
}

/**
 * NetBIOS over IPX: the name operations (Info "Find name NAME<1e>") and the session and datagram
 * operations by their names. Eight IPX networks come first in broadcasts (packet type 0x14) and in
 * 50-byte name replies.
 */
function dissectNbipx(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, ipxType: number): void {
  const b = new LayerBuilder(data, 'nbipx', 'NetBIOS over IPX', offset, end, p.selection);
  let info = '';
  let payload = -1;
  dissectSafely(b, () => {
    let at = offset;
    const isName = (t: number) => t >= 1 && t <= 5;
    if (ipxType === PACKET_TYPE_NETBIOS || (end - offset === 50 && isName(b.u8(offset + 33, 'packet type')))) at += 32;
    const type = b.u8(at + 1, 'packet type');
    info = NBIPX_TYPES[type] ?? 'Unknown';
    // tshark registers no NBIPX fields: these are tree lines only.
    const first = data[at]!;
    b.add('', () => `${isName(type) ? 'Name type flag' : 'Connection control'}: ${hex(first, 2)}`, first, at, 1);
    b.add('', () => `Packet Type: ${info} (${hex(type, 2)})`, type, at + 1, 1);
    if (isName(type)) {
      b.need(at + 2, 16, 'NetBIOS name');
      const name = netbiosNameText(data, at + 2);
      b.add('', () => `Name: ${name}`, name, at + 2, 16);
      info += ` ${name}`;
      b.setLength(at + 18 - offset);
    } else if (type >= 6 && type <= 8) {
      // Session packets: an 18-byte header, then NetBIOS session data (shown as data).
      payload = at + 18;
    } else if (type === 11) {
      // Directed datagrams: receiver's and sender's names, then the datagram (SMB in tshark; data here).
      payload = at + 34;
    }
  });
  if (payload >= 0) b.setLength(Math.max(0, Math.min(payload, end) - offset));
  p.addLayer(b.layer, '');
  p.setProtocol('NBIPX', info + statusSuffix(b.layer));
  if (b.layer.status === 'ok' && payload >= 0 && payload < end && !smbPayload(p, data, payload, end)) d.data(p, data, payload, end);
}

/** A datagram's payload that is an SMB mailslot write (NetBIOS's SMB heuristic): its layers and columns; false when it is not one. */
function smbPayload(p: PacketState, data: Buffer, offset: number, end: number): boolean {
  const smb = dissectSmbMailslot(data, offset, end, p.selection);
  if (smb === null) return false;
  smb.layers.forEach((layer, k) => p.addLayer(layer, smb.chain[k] ?? ''));
  p.setProtocol(smb.protocolColumn, smb.info);
  return true;
}

const NMPI_OPCODES: Record<number, string> = {
  0xf1: 'Claim name', 0xf2: 'Delete name', 0xf3: 'Query name', 0xf4: 'Name found', 0xf5: 'Messenger hangup', 0xfc: 'Mailslot write',
  0xfd: 'Find mailslot name', 0xfe: 'Mailslot name found',
};
const NMPI_NAME_TYPES: Record<number, string> = { 1: 'Machine', 2: 'Workgroup', 3: 'Browser' };

/**
 * Name Management Protocol over IPX (socket 0x553) carrying a mailslot write, as tshark shows it
 * (not in frame.protocols): the layer covers the eight networks and the header; the SMB mailslot
 * datagram follows. False (nothing added) when the payload is no SMB mailslot write.
 */
function dissectNmpi(p: PacketState, data: Buffer, offset: number, end: number): boolean {
  const smbAt = offset + NMPI_LENGTH;
  const smb = dissectSmbMailslot(data, smbAt, end, p.selection);
  if (smb === null) return false;
  const b = new LayerBuilder(data, 'nmpi', 'Name Management Protocol over IPX', offset, end, p.selection);
  b.setLength(NMPI_LENGTH);
  const at = offset + 32;
  const opcode = data[at]!;
  const nameType = data[at + 1]!;
  const messageId = be16(data, at + 2);
  b.add('nmpi.opcode', () => `Opcode: ${NMPI_OPCODES[opcode] ?? 'Unknown'} (${hex(opcode, 2)})`, opcode, at, 1, () => hex(opcode, 2));
  b.add('nmpi.name_type', () => `Name Type: ${NMPI_NAME_TYPES[nameType] ?? 'Unknown'} (${hex(nameType, 2)})`, nameType, at + 1, 1, () => hex(nameType, 2));
  b.add('nmpi.messageid', () => `Message ID: ${hex(messageId, 4)}`, messageId, at + 2, 2, () => hex(messageId, 4));
  for (const [title, nameAt] of [['Requested name', at + 4], ['Source name', at + 20]] as const) {
    const full = netbiosNameText(data, nameAt);
    const type = data[nameAt + 15]!;
    const described = describe({ text: full, nameType: type, length: 16 });
    const plain = full.slice(0, full.lastIndexOf('<'));
    b.group('', () => `${title}: ${full}${described}`, null, nameAt, 16, () => {
      b.add('netbios.nb_name', () => plain, plain, nameAt, 15);
      b.add('netbios.nb_name_type', () => `${hex(type, 2)}${described}`, type, nameAt + 15, 1, () => hex(type, 2));
    });
  }
  p.addLayer(b.layer, '');
  smb.layers.forEach((layer, k) => p.addLayer(layer, smb.chain[k] ?? ''));
  p.setProtocol(smb.protocolColumn, smb.info);
  return true;
}

/** A 16-byte NetBIOS name as Wireshark prints it: unprintable bytes as <xx>, trailing spaces dropped, then the type "<1e>". */
export function netbiosNameText(data: Buffer, at: number): string {
  let name = '';
  for (let i = 0; i < 15; i++) {
    const c = data[at + i]!;
    name += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `<${c.toString(16).padStart(2, '0')}>`;
  }
  return `${name.replace(/ +$/, '')}<${data[at + 15]!.toString(16).padStart(2, '0')}>`;
}
