/**
 * PROBE, RFC 8335's Extended Echo (ICMP types 42/43, ICMPv6 160/161), as tshark 4.0 shows it: the
 * request's identifier, 8-bit sequence number and L bit, then the ICMP Multi-Part Extensions
 * (RFC 4884) that name the probed interface — an Interface Identification Object (class 3: by name,
 * index or address) or an Interface Information Object (class 2, RFC 5837); the reply's state and
 * A/4/6 bits. Objects are stepped by their own length; one that runs past the message is
 * "(truncated)" and shows its remaining bytes, as tshark does. The extensions' fields are ICMP's
 * (`icmp.ext.*`, `icmp.int_ident.*`, `icmp.int_info.*`), so over ICMPv6 they form an `icmp` layer.
 */
import { hex, type LayerBuilder } from './builder';
import { onesComplementSum } from './checksum';
import { bitPicture, ipv4Text, ipv6Text } from './format';

export const EXTENDED_ECHO_CODES: Record<number, Record<number, string>> = {
  42: { 0: 'No error' },
  43: { 0: 'No error', 1: 'Malformed Query', 2: 'No Such Interface', 3: 'No Such Table Entry', 4: 'Multiple Interfaces Satisfy Query' },
};

const STATES: Record<number, string> = { 0: 'Reserved', 1: 'Incomplete', 2: 'Reachable', 3: 'Stale', 4: 'Delay', 5: 'Probe', 6: 'Failed' };
const ROLES: Record<number, string> = {
  0: 'IP interface upon which datagram arrived', 1: 'Sub-IP component of an IP interface upon which datagram arrived',
  2: 'IP interface through which datagram would be forwarded', 3: 'IP next-hop to which datagram would be forwarded',
};
const IDENT_CTYPES: Record<number, string> = { 1: 'Identifies Interface By Name', 2: 'Identifies Interface By Index', 3: 'Identifies Interface By Address' };

const setText = (v: number) => (v ? 'Set' : 'Not set');

/**
 * The 4 bytes after type, code and checksum of an Extended Echo message: identifier (ICMP: BE and
 * LE; ICMPv6: one hex field), sequence number, and the request's L bit or the reply's state bits.
 */
export function extendedEchoHeader(b: LayerBuilder, prefix: 'icmp' | 'icmpv6', at: number, request: boolean): void {
  const id = b.u16(at, 'identifier');
  if (prefix === 'icmp') {
    const idLe = ((id & 0xff) << 8) | (id >> 8);
    b.add('icmp.ident', () => `Identifier (BE): ${id} (${hex(id, 4)})`, id, at, 2);
    b.add('icmp.ident_le', () => `Identifier (LE): ${idLe} (${hex(idLe, 4)})`, idLe, at, 2);
  } else {
    b.add('icmpv6.echo.identifier', () => `Identifier: ${hex(id, 4)}`, id, at, 2, () => hex(id, 4));
  }
  const seq = b.u8(at + 2, 'sequence number');
  b.add(`${prefix}.ext.echo.seq`, () => `Sequence ${prefix === 'icmp' ? 'Number' : 'number'}: ${seq} (${hex(seq, 2)})`, seq, at + 2, 1);
  const bits = b.u8(at + 3, 'flags');
  const f = `${prefix}.ext.echo`;
  if (request) {
    b.add(`${f}.req.res`, () => `${bitPicture(bits, 0xfe, 8)} = Reserved: ${hex(bits >> 1, 2)}`, bits >> 1, at + 3, 1, () => hex(bits >> 1, 2));
    b.add(`${f}.req.local`, () => `${bitPicture(bits, 0x01, 8)} = Local bit: ${setText(bits & 1)}`, bits & 1, at + 3, 1);
  } else {
    const state = bits >> 5;
    b.add(`${f}.rsp.state`, () => `${bitPicture(bits, 0xe0, 8)} = State: ${STATES[state] ?? 'Unknown'} (${state})`, state, at + 3, 1);
    b.add(`${f}.rsp.res`, () => `${bitPicture(bits, 0x18, 8)} = Reserved: ${hex((bits >> 3) & 3, 1)}`, (bits >> 3) & 3, at + 3, 1, () => hex((bits >> 3) & 3, 2));
    b.add(`${f}.rsp.active`, () => `${bitPicture(bits, 0x04, 8)} = Active bit: ${setText(bits & 4)}`, (bits >> 2) & 1, at + 3, 1);
    b.add(`${f}.rsp.ipv4`, () => `${bitPicture(bits, 0x02, 8)} = IPv4 bit: ${setText(bits & 2)}`, (bits >> 1) & 1, at + 3, 1);
    b.add(`${f}.rsp.ipv6`, () => `${bitPicture(bits, 0x01, 8)} = IPv6 bit: ${setText(bits & 1)}`, bits & 1, at + 3, 1);
  }
}

/** The Multi-Part Extensions from `at` to the end of the message (into `b`, an `icmp` layer's builder). */
export function icmpExtensions(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  const stop = Math.min(end, data.length);
  b.need(at, 4, 'extension header');
  b.group('icmp.ext', 'ICMP Multi-Part Extensions', null, at, end - at, () => {
    const first = data.readUInt16BE(at);
    const version = first >> 12;
    const reserved = first & 0x0fff;
    b.add('icmp.ext.version', () => `Version: ${version}`, version, at, 1);
    b.add('icmp.ext.res', () => `${bitPicture(first, 0x0fff, 16).slice(0, 19)} = Reserved: ${hex(reserved, 3)}`, reserved, at, 2, () => hex(reserved, 4));
    const checksum = data.readUInt16BE(at + 2);
    const whole = end <= data.length;
    // The checksum covers bytes the capture cut: tshark stops there (ICMP truncated).
    if (!whole) b.need(at, end - at, 'ICMP extensions');
    const good = whole && onesComplementSum(data, at, end) === 0xffff;
    // What the field should hold: the complement of the sum with the field itself left out.
    const expected = whole ? ~onesComplementSum(data, at + 4, end, onesComplementSum(data, at, at + 2)) & 0xffff : 0;
    b.add('icmp.ext.checksum', () => (good ? `Checksum: ${hex(checksum, 4)} [correct]` : `Checksum: ${hex(checksum, 4)} incorrect, should be ${hex(expected, 4)}`), checksum, at + 2, 2, () => hex(checksum, 4));
    if (whole) b.add('icmp.ext.checksum.status', () => `[Checksum Status: ${good ? 'Good' : 'Bad'}]`, good ? 1 : 0, at + 2, 0);
    let obj = at + 4;
    while (obj + 4 <= stop) {
      const length = data.readUInt16BE(obj);
      const cls = data[obj + 2]!;
      const ctype = data[obj + 3]!;
      const objAt = obj;
      const truncated = obj + length > stop || length < 4;
      const objEnd = length < 4 ? stop : Math.min(obj + length, stop);
      const name = cls === 1 ? 'MPLS Stack Entry' : cls === 2 ? 'Interface Information Object' : cls === 3 ? 'Interface Identification Object' : `Unknown object (${cls}/${ctype})`;
      b.group('', () => `${name}${truncated ? ' (truncated)' : ''}`, null, objAt, objEnd - objAt, () => {
        b.add('icmp.ext.length', () => `Length: ${length}`, length, objAt, 2);
        const clsName = cls === 1 ? 'MPLS Label Stack Class' : cls === 2 ? 'Interface Information Object' : cls === 3 ? 'Interface Identification Object' : 'Unknown';
        b.add('icmp.ext.class', () => `Class: ${clsName} (${cls})`, cls, objAt + 2, 1);
        const body = objAt + 4;
        if (cls === 1 && ctype === 1) {
          // RFC 4950: the label stack the probe carried when it expired.
          b.add('icmp.ext.ctype', () => `C-Type: ${ctype}`, ctype, objAt + 3, 1);
          for (let e = body; e + 4 <= objEnd; e += 4) mplsEntry(b, e);
        } else if (cls === 3 && IDENT_CTYPES[ctype] && !truncated) {
          b.add('icmp.ext.ctype', () => `C-Type: ${ctype} (${IDENT_CTYPES[ctype]})`, ctype, objAt + 3, 1);
          identification(b, ctype, body, objAt + length);
        } else if (cls === 2) {
          const parts = [`Interface Role: ${ROLES[ctype >> 6]}`, ...[[8, 'ifIndex'], [4, 'IP Address'], [2, 'Interface Name'], [1, 'MTU']].filter(([bit]) => ctype & (bit as number)).map(([, n]) => n)];
          b.group('icmp.ext.ctype', () => `C-Type: ${ctype}, ${parts.join(', ')}`, ctype, objAt + 3, 1, () => {
            const role = ctype >> 6;
            b.add('icmp.int_info.role', () => `${bitPicture(ctype, 0xc0, 8)} = Interface Role: ${ROLES[role]} (${role})`, role, objAt + 3, 1);
            b.add('icmp.int_info.reserved', () => `${bitPicture(ctype, 0x30, 8)} = Reserved: ${(ctype >> 4) & 3}`, (ctype >> 4) & 3, objAt + 3, 1);
            b.add('icmp.int_info.ifindex', () => `${bitPicture(ctype, 0x08, 8)} = ifIndex: ${ctype & 8 ? 'True' : 'False'}`, (ctype >> 3) & 1, objAt + 3, 1);
            b.add('icmp.int_info.ipaddr', () => `${bitPicture(ctype, 0x04, 8)} = IP Address: ${ctype & 4 ? 'Present' : 'Not Present'}`, (ctype >> 2) & 1, objAt + 3, 1);
            b.add('icmp.int_info.name_present', () => `${bitPicture(ctype, 0x02, 8)} = Interface Name: ${ctype & 2 ? 'Present' : 'Not Present'}`, (ctype >> 1) & 1, objAt + 3, 1);
            b.add('icmp.int_info.mtu_present', () => `${bitPicture(ctype, 0x01, 8)} = MTU: ${ctype & 1 ? 'Present' : 'Not Present'}`, ctype & 1, objAt + 3, 1);
          });
          information(b, ctype, body);
        } else {
          b.add('icmp.ext.ctype', () => `C-Type: ${ctype}`, ctype, objAt + 3, 1);
          if (objEnd > body) b.add('icmp.ext.data', () => `Data: ${data.toString('hex', body, objEnd)}`, data.subarray(body, objEnd), body, objEnd - body, () => data.toString('hex', body, objEnd));
        }
      });
      if (length < 4) break;
      obj += length;
    }
  });
}

/** Class 3 (RFC 8335): the interface by name, by ifIndex or by address. */
function identification(b: LayerBuilder, ctype: number, at: number, end: number): void {
  const data = b.data;
  if (ctype === 1) {
    let stop = end;
    while (stop > at && data[stop - 1] === 0) stop--;
    const name = data.toString('latin1', at, stop);
    b.add('icmp.int_ident.name', () => `Name: ${name}`, name, at, end - at);
  } else if (ctype === 2) {
    const index = b.u32(at, 'interface index');
    b.add('icmp.int_ident.index', () => `Interface Index: ${index}`, index, at, 4);
  } else {
    const afi = b.u16(at, 'address family');
    const length = b.u8(at + 2, 'address length');
    b.add('icmp.int_ident.afi', () => `Address Family Identifier: ${afi}`, afi, at, 2);
    b.add('icmp.int_ident.addr_length', () => `Address Length: ${length}`, length, at + 2, 1);
    b.add('icmp.int_ident.reserved', () => `Reserved: ${data.toString('hex', at + 3, at + 4)}`, data.subarray(at + 3, at + 4), at + 3, 1, () => data.toString('hex', at + 3, at + 4));
    const addr = at + 4;
    if (afi === 1 && length === 4) {
      b.need(addr, 4, 'IPv4 address');
      b.add('icmp.int_ident.ipv4', () => `Address: ${ipv4Text(data, addr)}`, ipv4Text(data, addr), addr, 4);
    } else if (afi === 2 && length === 16) {
      b.need(addr, 16, 'IPv6 address');
      b.add('icmp.int_ident.ipv6', () => `Address: ${ipv6Text(data, addr)}`, ipv6Text(data, addr), addr, 16);
    } else {
      b.need(addr, length, 'address');
      b.add('icmp.int_ident.address', () => `Address: ${data.toString('hex', addr, addr + length)}`, data.subarray(addr, addr + length), addr, length, () => data.toString('hex', addr, addr + length));
    }
  }
}

/** Class 2 (RFC 5837): the fields the C-Type's bits announce, in order. */
function information(b: LayerBuilder, ctype: number, at: number): void {
  const data = b.data;
  let p = at;
  if (ctype & 8) {
    const index = b.u32(p, 'interface index');
    b.add('icmp.int_info.index', () => `Interface Index: ${index}`, index, p, 4);
    p += 4;
  }
  if (ctype & 4) {
    const afi = b.u16(p, 'address family');
    const start = p;
    const size = afi === 1 ? 8 : afi === 2 ? 20 : 4;
    b.group('', 'IP Address Sub-Object', null, start, size, () => {
      b.add('icmp.int_info.afi', () => `Address Family Identifier: ${afi}`, afi, start, 2);
      b.need(start + 2, 2, 'reserved field');
      b.add('icmp.reserved', () => `Reserved: ${data.toString('hex', start + 2, start + 4)}`, data.subarray(start + 2, start + 4), start + 2, 2, () => data.toString('hex', start + 2, start + 4));
      const addr = start + 4;
      if (afi === 1) {
        b.need(addr, 4, 'IPv4 address');
        b.add('icmp.int_info.ipv4', () => `Source: ${ipv4Text(data, addr)}`, ipv4Text(data, addr), addr, 4);
      } else if (afi === 2) {
        b.need(addr, 16, 'IPv6 address');
        b.add('icmp.int_info.ipv6', () => `Source: ${ipv6Text(data, addr)}`, ipv6Text(data, addr), addr, 16);
      }
    });
    p = start + size;
  }
  if (ctype & 2) {
    const length = b.u8(p, 'name length');
    const start = p;
    // tshark 4.0 shows the sub-object and its length, not the name inside.
    b.group('', 'Interface Name Sub-Object', null, start, length, () => {
      b.add('icmp.int_info.name_length', () => `Name Length: ${length}`, length, start, 1);
    });
    p += length;
  }
  if (ctype & 1) {
    const mtu = b.u32(p, 'MTU');
    b.add('icmp.int_info.mtu', () => `Maximum Transmission Unit: ${mtu}`, mtu, p, 4);
  }
}

/** One RFC 4950 label stack entry: label, experimental bits, bottom of stack, TTL. */
function mplsEntry(b: LayerBuilder, at: number): void {
  const data = b.data;
  const word = data.readUInt32BE(at);
  const top = word >>> 8;
  const label = word >>> 12;
  const exp = (word >>> 9) & 7;
  const s = (word >>> 8) & 1;
  const ttl = word & 0xff;
  b.group('', () => `Label: ${label}, Exp: ${exp}, S: ${s}, TTL: ${ttl}`, null, at, 4, () => {
    b.add('icmp.mpls.label', () => `${bitPicture(top, 0xfffff0, 24)} = Label: ${label}`, label, at, 3);
    b.add('icmp.mpls.exp', () => `${bitPicture(top, 0x0e, 24)} = Experimental: ${exp}`, exp, at, 3);
    b.add('icmp.mpls.s', () => `${bitPicture(top, 0x01, 24)} = Stack bit: ${s ? 'Set' : 'Not set'}`, s === 1, at, 3);
    b.add('icmp.mpls.ttl', () => `Time to live: ${ttl}`, ttl, at + 3, 1);
  });
}
