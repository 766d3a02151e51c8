/**
 * IS-IS (ISO 10589, NLPID 0x83) as tshark 4.0 shows it: the common header ("isis"), then one layer
 * per PDU kind ("isis.hello", "isis.lsp", "isis.csnp", "isis.psnp") with its fixed fields, its
 * TLVs (type and length of each; the contents of the common ones: area addresses, protocols
 * supported, IPv4 interface addresses, hostname, instance identifier, LSP entries) and the Info
 * line ("L2 HELLO, System-ID: 4444.4444.4444", "L1 LSP, LSP-ID: ..., Sequence: 0x..., Lifetime:  1199s").
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { be16, be32, bitPicture, ipv4Text, macText } from './format';
import type { PacketState } from './packet-state';

export const NLPID_ISIS = 0x83;

const PDU_TYPES: Record<number, string> = {
  15: 'L1 HELLO', 16: 'L2 HELLO', 17: 'P2P HELLO', 18: 'L1 LSP', 20: 'L2 LSP', 24: 'L1 CSNP', 25: 'L2 CSNP', 26: 'L1 PSNP', 27: 'L2 PSNP',
};
const CIRCUIT_TYPES: Record<number, string> = { 0: 'Reserved, ignored', 1: 'Level 1 only', 2: 'Level 2 only', 3: 'Level 1 and 2' };
const NLPID_NAMES: Record<number, string> = { 0x81: 'ISO 8473 CLNP', 0x82: 'ISO 9542 ESIS', 0x83: 'ISO 10589 ISIS', 0x8e: 'IPv6', 0xcc: 'IP' };

/** TLV names as the hello, LSP and SNP trees title them. */
const HELLO_TLVS: Record<number, string> = {
  1: 'Area address(es)', 6: 'IS Neighbor(s)', 7: 'Instance Identifier', 8: 'Padding', 10: 'Authentication', 129: 'Protocols Supported',
  132: 'IP Interface address(es)', 211: 'Restart Signaling', 229: 'Multi Topology', 232: 'IPv6 Interface address(es)',
  240: 'Point-to-point Adjacency State',
};
const LSP_TLVS: Record<number, string> = {
  1: 'Area address(es)', 2: 'IS Reachability', 7: 'Instance Identifier', 10: 'Authentication', 22: 'Extended IS reachability',
  128: 'IP Internal reachability', 129: 'Protocols supported', 130: 'IP External reachability', 132: 'IP Interface address(es)',
  134: 'Traffic Engineering Router ID', 144: 'MT-Capability', 135: 'Extended IP Reachability', 137: 'Hostname', 222: 'Multi Topology IS Reachability',
  229: 'Multi Topology', 232: 'IPv6 Interface address(es)', 236: 'IPv6 reachability', 242: 'Router Capability',
};
const SNP_TLVS: Record<number, string> = { 7: 'Instance Identifier', 9: 'LSP entries', 10: 'Authentication' };

/** A system ID as Wireshark prints it: "1111.2222.3333", then ".01" (pseudonode) and "-00" (fragment). */
export function systemIdText(data: Buffer, at: number, length: number): string {
  const h = (i: number) => data[at + i]!.toString(16).padStart(2, '0');
  if (length < 6) return data.toString('hex', at, at + length);
  let s = `${h(0)}${h(1)}.${h(2)}${h(3)}.${h(4)}${h(5)}`;
  if (length >= 7) s += `.${h(6)}`;
  if (length >= 8) s += `-${h(7)}`;
  return s;
}

/** ISO 8473 Fletcher checksum over data[at, at+length) holding its checksum: both sums are 0 when correct. */
export function fletcherCorrect(data: Buffer, at: number, length: number): boolean {
  let c0 = 0;
  let c1 = 0;
  for (let i = at; i < at + length; i++) {
    c0 = (c0 + data[i]!) % 255;
    c1 = (c1 + c0) % 255;
  }
  return c0 === 0 && c1 === 0;
}

export function dissectIsis(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'isis', 'ISO 10589 ISIS InTRA Domain Routeing Information Exchange Protocol', offset, end, p.selection);
  let type = -1;
  let headerLength = 0;
  let idLength = 6;
  let version = 1;
  dissectSafely(b, () => {
    const irpd = b.u8(offset, 'discriminator');
    b.add('isis.irpd', () => `Intradomain Routing Protocol Discriminator: ${irpd === NLPID_ISIS ? 'ISIS' : 'Unknown'} (${hex(irpd, 2)})`, irpd, offset, 1, () => hex(irpd, 2));
    headerLength = b.u8(offset + 1, 'length indicator');
    b.add('isis.len', () => `Length Indicator: ${headerLength}`, headerLength, offset + 1, 1);
    version = b.u8(offset + 2, 'version');
    b.add('isis.version', () => `Version/Protocol ID Extension: ${version}`, version, offset + 2, 1);
    if (version !== 1) return;
    const idField = b.u8(offset + 3, 'ID length');
    b.add('isis.sysid_len', () => `ID Length: ${idField}`, idField, offset + 3, 1);
    idLength = idField === 0 ? 6 : idField === 255 ? 0 : idField;
    const typeByte = b.u8(offset + 4, 'PDU type');
    type = typeByte & 0x1f;
    const reserved = typeByte >> 5;
    b.add('isis.type.reserved', () => `${bitPicture(typeByte, 0xe0, 8)} = Reserved: 0x${reserved.toString(16)}`, reserved, offset + 4, 1, () => hex(reserved, 2));
    b.add('isis.type', () => `${bitPicture(typeByte, 0x1f, 8)} = PDU Type: ${PDU_TYPES[type] ?? 'Unknown'} (${type})`, type, offset + 4, 1);
    const version2 = b.u8(offset + 5, 'version');
    b.add('isis.version2', () => `Version: ${version2}`, version2, offset + 5, 1);
    const reservedByte = b.u8(offset + 6, 'reserved');
    b.add('isis.reserved', () => `Reserved: ${reservedByte}`, reservedByte, offset + 6, 1);
    const maxAreas = b.u8(offset + 7, 'maximum area addresses');
    b.add('isis.max_area_adr', () => `Maximum Area Addresses: ${maxAreas}`, maxAreas, offset + 7, 1);
  });
  b.setLength(Math.min(8, Math.max(0, Math.min(end, data.length) - offset)));
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  if (version !== 1) {
    p.setProtocol('ISIS', `Unknown ISIS version (${version} vs 1)`);
    d.data(p, data, offset + 3, end);
    return end;
  }
  const pdu: Pdu = { offset, headerLength, idLength, type, name: PDU_TYPES[type] ?? '' };
  if (type === 15 || type === 16 || type === 17) return dissectHello(d, p, data, pdu, end);
  if (type === 18 || type === 20) return dissectLsp(p, data, pdu, end);
  if (type >= 24 && type <= 27) return dissectSnp(p, data, pdu, end);
  p.setProtocol('ISIS', '');
  d.data(p, data, offset + 8, end);
  return end;
}

interface Pdu {
  /** Where the IS-IS header starts (the discriminator). */
  offset: number;
  headerLength: number;
  idLength: number;
  type: number;
  name: string;
}

/** The PDU length field: TLVs run from the header's end to where it says (or where the bytes end). */
function pduLength(b: LayerBuilder, prefix: string, pdu: Pdu, at: number, end: number): number {
  const length = b.u16(at, 'PDU length');
  b.add(`${prefix}.pdu_length`, () => `PDU length: ${length}`, length, at, 2);
  if (length < pdu.headerLength) return pdu.offset + pdu.headerLength;
  return Math.min(pdu.offset + length, end);
}

function dissectHello(d: Dissector, p: PacketState, data: Buffer, pdu: Pdu, end: number): number {
  const start = pdu.offset + 8;
  const b = new LayerBuilder(data, 'isis.hello', 'ISIS HELLO', start, end, p.selection);
  const id = pdu.idLength;
  let info = pdu.name;
  let stop = start;
  dissectSafely(b, () => {
    const circuit = b.u8(start, 'circuit type');
    b.add('isis.hello.circuit_type', () => `${bitPicture(circuit, 0x03, 8)} = Circuit type: ${CIRCUIT_TYPES[circuit & 3]} (0x${circuit & 3})`, circuit & 3, start, 1, () => hex(circuit & 3, 2));
    b.add('isis.hello.reserved', () => `${bitPicture(circuit, 0xfc, 8)} = Reserved: ${hex(circuit >> 2, 2)}`, circuit >> 2, start, 1, () => hex(circuit >> 2, 2));
    b.need(start + 1, id, 'source ID');
    const source = systemIdText(data, start + 1, id);
    b.add('isis.hello.source_id', () => `SystemID {Sender of PDU}: ${source}`, source, start + 1, id);
    info = `${pdu.name}, System-ID: ${source}`;
    let at = start + 1 + id;
    const holding = b.u16(at, 'holding timer');
    b.add('isis.hello.holding_timer', () => `Holding timer: ${holding}`, holding, at, 2);
    stop = pduLength(b, 'isis.hello', pdu, at + 2, end);
    at += 4;
    if (pdu.type === 17) {
      const circuitId = b.u8(at, 'local circuit ID');
      b.add('isis.hello.local_circuit_id', () => `Local circuit ID: ${circuitId}`, circuitId, at, 1);
      at += 1;
    } else {
      const priority = b.u8(at, 'priority');
      b.add('isis.hello.priority', () => `${bitPicture(priority, 0x7f, 8)} = Priority: ${priority & 0x7f}`, priority & 0x7f, at, 1);
      b.add('isis.hello.reserved', () => `${bitPicture(priority, 0x80, 8)} = Reserved: ${priority >> 7}`, priority >> 7, at, 1);
      b.need(at + 1, id + 1, 'LAN ID');
      const lan = systemIdText(data, at + 1, id + 1);
      b.add('isis.hello.lan_id', () => `SystemID {Designated IS}: ${lan}`, lan, at + 1, id + 1);
      at += 2 + id;
    }
    tlvs(b, 'isis.hello', HELLO_TLVS, at, stop, (code, v, length) => (code === 6 || code === 211 || code === 240 ? helloTlv(d, b, code, v, length) : commonTlv(b, 'isis.hello', code, v, length)));
  });
  b.setLength(Math.max(0, Math.min(stop, data.length) - start));
  p.addLayer(b.layer);
  p.setProtocol('ISIS HELLO', info);
  return stop;
}

function dissectLsp(p: PacketState, data: Buffer, pdu: Pdu, end: number): number {
  const start = pdu.offset + 8;
  const b = new LayerBuilder(data, 'isis.lsp', 'ISO 10589 ISIS Link State Protocol Data Unit', start, end, p.selection);
  const id = pdu.idLength;
  let info = pdu.name;
  let stop = start;
  dissectSafely(b, () => {
    stop = pduLength(b, 'isis.lsp', pdu, start, end);
    const lifetime = b.u16(start + 2, 'remaining lifetime');
    b.add('isis.lsp.remaining_life', () => `Remaining lifetime: ${lifetime}`, lifetime, start + 2, 2);
    let at = start + 4;
    b.need(at, id + 2, 'LSP ID');
    const lspId = systemIdText(data, at, id + 2);
    b.add('isis.lsp.lsp_id', () => `LSP-ID: ${lspId}`, lspId, at, id + 2);
    at += id + 2;
    const sequence = b.u32(at, 'sequence number');
    b.add('isis.lsp.sequence_number', () => `Sequence number: ${hex(sequence, 8)}`, sequence, at, 4, () => hex(sequence, 8));
    info = `${pdu.name}, LSP-ID: ${lspId}, Sequence: ${hex(sequence, 8)}, Lifetime: ${String(lifetime).padStart(5)}s`;
    const checksum = b.u16(at + 4, 'checksum');
    // The checksum covers the PDU from the LSP ID on. Not checked when the PDU length is shorter
    // than the header ("unverified"), nor for a zero checksum or lifetime ("unused", no status).
    const checkedFrom = start + 4;
    const pduEnd = pdu.offset + be16(data, start);
    const tooShort = pduEnd < pdu.offset + pdu.headerLength;
    const unused = !tooShort && (checksum === 0 || lifetime === 0);
    const checked = !tooShort && !unused && pduEnd <= Math.min(end, data.length);
    const correct = checked && fletcherCorrect(data, checkedFrom, pduEnd - checkedFrom);
    const note = unused ? ' [unused]' : !checked ? ' [unverified]' : correct ? ' [correct]' : ' [incorrect]';
    b.add('isis.lsp.checksum', () => `Checksum: ${hex(checksum, 4)}${note}`, checksum, at + 4, 2, () => hex(checksum, 4));
    const status = checked ? (correct ? 1 : 0) : 2;
    if (!unused) b.add('isis.lsp.checksum.status', () => `[Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, at + 4, 2);
    if (checked && !correct) info += ' [ISIS CHECKSUM INCORRECT]';
    at += 6;
    const block = b.u8(at, 'type block');
    b.group('', () => `Type block(${hex(block, 2)}): Partition Repair:${block >> 7}, Attached bits:${(block >> 3) & 15}, Overload bit:${(block >> 2) & 1}, IS type:${block & 3}`, null, at, 1, () => {
      b.add('isis.lsp.partition_repair', () => `${bitPicture(block, 0x80, 8)} = Partition Repair: ${block & 0x80 ? 'Supported' : 'Not supported'}`, (block & 0x80) !== 0, at, 1);
      b.add('isis.lsp.att', () => `${bitPicture(block, 0x78, 8)} = Attachment: ${(block >> 3) & 15}`, (block >> 3) & 15, at, 1);
      b.add('isis.lsp.overload', () => `${bitPicture(block, 0x04, 8)} = Overload bit: ${block & 4 ? 'Set' : 'Not set'}`, (block & 4) !== 0, at, 1);
      b.add('isis.lsp.is_type', () => `${bitPicture(block, 0x03, 8)} = Type of Intermediate System: ${block & 3}`, block & 3, at, 1);
    });
    at += 1;
    tlvs(b, 'isis.lsp', LSP_TLVS, at, stop, (code, v, length) => {
      if (code === 137) {
        b.need(v, length, 'hostname');
        const name = data.toString('latin1', v, v + length);
        b.add('isis.lsp.hostname', () => `Hostname: ${name}`, name, v, length);
      } else if (code === 144 && length >= 2) {
        // MT Capability: its first word carries an overload bit under the type block's field name.
        const word = b.u16(v, 'MT capability');
        b.add('isis.lsp.overload', () => `${bitPicture(word, 0x8000, 16)} = Overload: ${word & 0x8000 ? 'True' : 'False'}`, (word & 0x8000) !== 0, v, 2);
      } else if (code === 134 && length >= 4) {
        b.need(v, 4, 'router ID');
        const router = ipv4Text(data, v);
        b.add('isis.lsp.clv_te_router_id', () => `Traffic Engineering Router ID: ${router}`, router, v, 4);
      } else {
        commonTlv(b, 'isis.lsp', code, v, length);
      }
    });
  });
  b.setLength(Math.max(0, Math.min(stop, data.length) - start));
  p.addLayer(b.layer);
  p.setProtocol('ISIS LSP', info);
  return stop;
}

function dissectSnp(p: PacketState, data: Buffer, pdu: Pdu, end: number): number {
  const complete = pdu.type === 24 || pdu.type === 25;
  const kind = complete ? 'csnp' : 'psnp';
  const prefix = `isis.${kind}`;
  const start = pdu.offset + 8;
  const title = `ISO 10589 ISIS ${complete ? 'Complete' : 'Partial'} Sequence Numbers Protocol Data Unit`;
  const b = new LayerBuilder(data, prefix, title, start, end, p.selection);
  const id = pdu.idLength;
  let info = pdu.name;
  let stop = start;
  dissectSafely(b, () => {
    stop = pduLength(b, prefix, pdu, start, end);
    b.need(start + 2, id + 1, 'source ID');
    const source = systemIdText(data, start + 2, id);
    b.add(`${prefix}.source_id`, () => `Source-ID: ${source}`, source, start + 2, id);
    const circuit = data.subarray(start + 2 + id, start + 3 + id);
    b.add(`${prefix}.source_circuit`, () => `Source-ID-Circuit: ${circuit.toString('hex')}`, circuit, start + 2 + id, 1, () => circuit.toString('hex'));
    info = `${pdu.name}, Source-ID: ${systemIdText(data, start + 2, id + 1)}`;
    let at = start + 3 + id;
    if (complete) {
      b.need(at, 2 * (id + 2), 'LSP ID range');
      const first = systemIdText(data, at, id + 2);
      const last = systemIdText(data, at + id + 2, id + 2);
      b.add('isis.csnp.start_lsp_id', () => `Start LSP-ID: ${first}`, first, at, id + 2);
      b.add('isis.csnp.end_lsp_id', () => `End LSP-ID: ${last}`, last, at + id + 2, id + 2);
      info += `, Start LSP-ID: ${first}, End LSP-ID: ${last}`;
      at += 2 * (id + 2);
    }
    tlvs(b, prefix, SNP_TLVS, at, stop, (code, v, length) => {
      if (code === 9) lspEntries(b, v, length, id);
      else if (code === 7) instanceId(b, 'isis.csnp', v, length);
    });
  });
  b.setLength(Math.max(0, Math.min(stop, data.length) - start));
  p.addLayer(b.layer);
  p.setProtocol(`ISIS ${kind.toUpperCase()}`, info);
  return stop;
}

/** TLVs from `at` to `stop`: type, length, then `body` for the value; a length past `stop` ends them (tshark's "Short CLV"). */
function tlvs(b: LayerBuilder, prefix: string, names: Record<number, string>, at: number, stop: number, body: (code: number, at: number, length: number) => void): void {
  while (at < stop) {
    const code = b.u8(at, 'TLV type');
    if (at + 1 >= stop) return;
    const length = b.u8(at + 1, 'TLV length');
    // As tshark: nothing after the length byte ends the TLVs, even a TLV of length 0.
    if (at + 2 >= stop || at + 2 + length > stop) return;
    const tlvAt = at;
    b.group('', () => `${names[code] ?? 'Unknown code'} (t=${code}, l=${length})`, null, tlvAt, 2 + length, () => {
      b.add(`${prefix}.clv.type`, () => `Type: ${code}`, code, tlvAt, 1);
      b.add(`${prefix}.clv.length`, () => `Length: ${length}`, length, tlvAt + 1, 1);
      body(code, tlvAt + 2, length);
    });
    at += 2 + length;
  }
}

/**
 * TLVs of hellos alone: IS neighbors (LAN hellos: the neighbors' MAC addresses, with their names)
 * and restart signaling (its flags; the remaining time only with Restart Acknowledgment set, as
 * packet-isis-hello.c reads it).
 */
function helloTlv(d: Dissector, b: LayerBuilder, code: number, at: number, length: number): void {
  const data = b.data;
  if (code === 6) {
    b.need(at, length, 'IS neighbors');
    for (let i = at; i + 6 <= at + length; i += 6) {
      const mac = macText(data, i);
      b.add('isis.hello.is_neighbor', () => `IS Neighbor: ${d.macLabel(mac)}`, mac, i, 6);
    }
    return;
  }
  if (length < 1) return;
  if (code === 240) {
    // Point-to-point adjacency state (RFC 5303): the state, then the circuit IDs when there are more bytes.
    const state = b.u8(at, 'adjacency state');
    b.add('isis.hello.adjacency_state', () => `Adjacency State: ${['Up', 'Initializing', 'Down'][state] ?? 'Unknown'} (${state})`, state, at, 1);
    if (length >= 5) {
      const local = b.u32(at + 1, 'extended local circuit ID');
      b.add('isis.hello.extended_local_circuit_id', () => `Extended Local circuit ID: ${hex(local, 8)}`, local, at + 1, 4, () => hex(local, 8));
    }
    return;
  }
  const flags = b.u8(at, 'restart signaling flags');
  b.group('isis.hello.clv_restart_flags', () => `Restart Signaling Flags: ${hex(flags, 2)}`, flags, at, 1, () => {
    const bit = (abbrev: string, name: string, mask: number): void => {
      b.add(abbrev, () => `${bitPicture(flags, mask, 8)} = ${name}: ${flags & mask ? 'True' : 'False'}`, (flags & mask) !== 0, at, 1);
    };
    bit('isis.hello.clv_restart_flags.sa', 'Suppress Adjacency', 0x04);
    bit('isis.hello.clv_restart_flags.ra', 'Restart Acknowledgment', 0x02);
    bit('isis.hello.clv_restart_flags.rr', 'Restart Request', 0x01);
  }, () => hex(flags, 2));
  if (length >= 3 && flags & 0x02) {
    const hold = b.u16(at + 1, 'remaining holding time');
    b.add('isis.hello.clv_restart.remain_time', () => `Remaining holding time: ${hold} seconds`, hold, at + 1, 2);
  }
}

/** TLVs the hello and LSP PDUs share: area addresses, instance identifier, protocols supported, IPv4 interface addresses. */
function commonTlv(b: LayerBuilder, prefix: string, code: number, at: number, length: number): void {
  const data = b.data;
  if (code === 1) {
    for (let i = at; i < at + length; ) {
      const size = b.u8(i, 'area address length');
      if (i + 1 + size > at + length) return;
      b.need(i + 1, size, 'area address');
      const area = areaText(data, i + 1, size);
      b.add(`${prefix}.area_address`, () => `Area address (${size}): ${area}`, data.subarray(i, i + 1 + size), i, 1 + size, () => data.toString('hex', i, i + 1 + size));
      i += 1 + size;
    }
  } else if (code === 7) {
    instanceId(b, prefix, at, length);
  } else if (code === 129) {
    b.need(at, length, 'protocols supported');
    for (let i = at; i < at + length; i++) {
      const nlpid = data[i]!;
      b.group('', () => `NLPID: ${NLPID_NAMES[nlpid] ?? 'Unknown'} (${hex(nlpid, 2)})`, null, i, 1, () => {
        b.add(`${prefix}.clv_nlpid.nlpid`, () => `NLPID: ${hex(nlpid, 2)}`, nlpid, i, 1, () => hex(nlpid, 2));
      });
    }
  } else if (code === 132) {
    b.need(at, length, 'IP interface addresses');
    for (let i = at; i + 4 <= at + length; i += 4) {
      const address = ipv4Text(data, i);
      b.add(`${prefix}.clv_ipv4_int_addr`, () => `IPv4 interface address: ${address}`, address, i, 4);
    }
  }
}

function instanceId(b: LayerBuilder, prefix: string, at: number, length: number): void {
  if (length < 2) return;
  const iid = b.u16(at, 'instance identifier');
  b.add(`${prefix}.iid`, () => `Instance Identifier: ${iid}`, iid, at, 2);
  for (let i = at + 2; i + 2 <= at + length; i += 2) {
    const itid = b.u16(i, 'supported ITID');
    b.add(`${prefix}.supported_itid`, () => `Supported ITID: ${itid}`, itid, i, 2);
  }
}

/** LSP entries of a CSNP or PSNP (both use the csnp field names, as tshark does). */
function lspEntries(b: LayerBuilder, at: number, length: number, id: number): void {
  const size = id + 10;
  const data = b.data;
  for (let i = at; i + size <= at + length; i += size) {
    b.need(i, size, 'LSP entry');
    const life = be16(data, i);
    const lspId = systemIdText(data, i + 2, id + 2);
    const sequence = be32(data, i + 4 + id);
    const checksum = be16(data, i + 8 + id);
    b.group('', 'LSP Entry', null, i, size, () => {
      b.add('isis.csnp.lsp_seq_num', () => `LSP Sequence Number: ${hex(sequence, 8)}`, sequence, i + 4 + id, 4, () => hex(sequence, 8));
      b.add('isis.csnp.lsp_remain_life', () => `Remaining Lifetime: ${life}`, life, i, 2);
      b.add('isis.csnp.lsp_checksum', () => `LSP checksum: ${hex(checksum, 4)}`, checksum, i + 8 + id, 2, () => hex(checksum, 4));
    });
    b.add('isis.csnp.lsp_id', () => `LSP-ID: ${lspId}`, lspId, i + 2, id + 2);
  }
}

/** An area address as Wireshark prints it: the first byte (AFI), then the rest in groups of two bytes ("49.0001"). */
function areaText(data: Buffer, at: number, length: number): string {
  if (length === 0) return '';
  let s = data.toString('hex', at, at + 1);
  for (let i = 1; i < length; i += 2) s += '.' + data.toString('hex', at + i, Math.min(at + i + 2, at + length));
  return s;
}
