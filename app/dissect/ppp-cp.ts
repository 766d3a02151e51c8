/**
 * PPP's control protocols as tshark 4.0 shows them: LCP (0xc021, RFC 1661) and IPCP (0x8021,
 * RFC 1332) — code, identifier and length (`ppp.code`, `ppp.identifier`, `ppp.length`), the options
 * of Configure-Request/Ack/Nak/Reject (type and length of each, the values of the common ones), the
 * magic number and data of Echo and Discard requests, the rejected protocol of a Protocol-Reject.
 * Protocol "PPP LCP" / "PPP IPCP", Info the code's name. An option whose length runs past the
 * options ends them; a packet cut short is truncated or malformed as LayerBuilder marks it.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { ipv4Text } from './format';
import type { PacketState } from './packet-state';

export const PPP_LCP = 0xc021;
export const PPP_IPCP = 0x8021;

const CODES: Record<number, string> = {
  1: 'Configuration Request', 2: 'Configuration Ack', 3: 'Configuration Nak', 4: 'Configuration Reject', 5: 'Termination Request',
  6: 'Termination Ack', 7: 'Code Reject', 8: 'Protocol Reject', 9: 'Echo Request', 10: 'Echo Reply', 11: 'Discard Request', 12: 'Identification',
  13: 'Time Remaining',
};

const LCP_OPTIONS: Record<number, string> = {
  1: 'Maximum Receive Unit', 2: 'Async Control Character Map', 3: 'Authentication Protocol', 4: 'Quality Protocol', 5: 'Magic Number',
  7: 'Protocol Field Compression', 8: 'Address and Control Field Compression', 13: 'Callback', 17: 'Multilink MRRU',
  18: 'Multilink Short Sequence Number Header', 19: 'Multilink Endpoint Discriminator',
};
const IPCP_OPTIONS: Record<number, string> = {
  1: 'IP Addresses', 2: 'IP Compression Protocol', 3: 'IP Address', 4: 'Mobile Node\'s Home Address', 129: 'Primary DNS Server IP Address',
  130: 'Primary NBNS Server Address', 131: 'Secondary DNS Server IP Address', 132: 'Secondary NBNS Server Address',
};

interface Kind { protocol: 'lcp' | 'ipcp'; title: string; column: string; options: Record<number, string> }
const KINDS: Record<number, Kind> = {
  [PPP_LCP]: { protocol: 'lcp', title: 'PPP Link Control Protocol', column: 'PPP LCP', options: LCP_OPTIONS },
  [PPP_IPCP]: { protocol: 'ipcp', title: 'PPP IP Control Protocol', column: 'PPP IPCP', options: IPCP_OPTIONS },
};

export function dissectPppControl(_d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, pppProtocol: number): void {
  const kind = KINDS[pppProtocol]!;
  const b = new LayerBuilder(data, kind.protocol, kind.title, offset, end, p.selection);
  let code = -1;
  dissectSafely(b, () => {
    code = b.u8(offset, 'code');
    b.add('ppp.code', () => `Code: ${CODES[code] ?? 'Unknown'} (${code})`, code, offset, 1);
    const id = b.u8(offset + 1, 'identifier');
    b.add('ppp.identifier', () => `Identifier: ${id} (${hex(id, 2)})`, id, offset + 1, 1);
    const length = b.u16(offset + 2, 'length');
    b.add('ppp.length', () => `Length: ${length}`, length, offset + 2, 2);
    const stop = offset + Math.max(length, 4);
    const body = offset + 4;
    if (code >= 1 && code <= 4) {
      if (stop > body) options(b, kind, body, stop);
    } else if (kind.protocol === 'lcp' && (code === 9 || code === 10 || code === 11 || code === 12 || code === 13)) {
      const magic = b.u32(body, 'magic number');
      b.add('lcp.magic_number', () => `Magic Number: ${hex(magic, 8)}`, magic, body, 4, () => hex(magic, 8));
      if (code === 13) {
        const secs = b.u32(body + 4, 'seconds remaining');
        b.add('lcp.secs_remaining', () => `Seconds Remaining: ${secs}`, secs, body + 4, 4);
      } else if (stop > body + 4) {
        b.need(body + 4, stop - body - 4, 'data');
        const field = code === 12 ? 'lcp.message' : 'lcp.data';
        const value = code === 12 ? data.toString('latin1', body + 4, stop) : data.subarray(body + 4, stop);
        b.add(field, () => `${code === 12 ? 'Message' : 'Data'}: ${code === 12 ? value : data.toString('hex', body + 4, stop)}`, value, body + 4, stop - body - 4, () => (code === 12 ? (value as string) : data.toString('hex', body + 4, stop)));
      }
    } else if (kind.protocol === 'lcp' && code === 8) {
      const rejected = b.u16(body, 'rejected protocol');
      b.add('lcp.rej_proto', () => `Rejected Protocol: ${hex(rejected, 4)}`, rejected, body, 2, () => hex(rejected, 4));
      if (stop > body + 2) {
        b.need(body + 2, stop - body - 2, 'rejected information');
        b.add('lcp.data', () => `Rejected Information: ${data.toString('hex', body + 2, stop)}`, data.subarray(body + 2, stop), body + 2, stop - body - 2, () => data.toString('hex', body + 2, stop));
      }
    } else if (stop > body) {
      b.need(body, stop - body, 'data');
      b.add(`${kind.protocol}.data`, () => `Data: ${data.toString('hex', body, stop)}`, data.subarray(body, stop), body, stop - body, () => data.toString('hex', body, stop));
    }
    // Bytes after the packet's length are not shown (tshark hands nothing on).
    b.setLength(stop - offset);
  });
  p.addLayer(b.layer);
  p.setProtocol(kind.column, CODES[code] ?? (code >= 0 ? `Unknown (${code})` : ''));
}

function options(b: LayerBuilder, kind: Kind, start: number, stop: number): void {
  const data = b.data;
  const names: string[] = [];
  for (let at = start; at + 2 <= Math.min(stop, data.length); ) {
    const len = data[at + 1]!;
    if (len < 2 || at + len > stop) break;
    names.push(kind.options[data[at]!] ?? `Unknown (${hex(data[at]!, 2)})`);
    at += len;
  }
  b.group('', () => `Options: (${stop - start} bytes)${names.length ? `, ${names.join(', ')}` : ''}`, null, start, stop - start, () => {
    for (let at = start; at < stop; ) {
      const type = b.u8(at, 'option type');
      const len = b.u8(at + 1, 'option length');
      const name = kind.options[type] ?? `Unknown (${hex(type, 2)})`;
      if (len < 2 || at + len > stop) {
        b.add('', () => `${name} (option length = ${len} bytes says option goes past end of options)`, null, at, stop - at);
        break;
      }
      b.need(at, len, 'option');
      const optAt = at;
      b.group('', () => name, null, at, len, () => {
        b.add(`${kind.protocol}.opt.type`, () => `Type: ${name} (${type})`, type, optAt, 1);
        b.add(`${kind.protocol}.opt.length`, () => `Length: ${len}`, len, optAt + 1, 1);
        optionValue(b, kind, type, optAt + 2, len - 2);
      });
      at += len;
    }
  });
}

function optionValue(b: LayerBuilder, kind: Kind, type: number, at: number, len: number): void {
  const data = b.data;
  if (kind.protocol === 'lcp') {
    if (type === 1 && len === 2) b.add('lcp.opt.mru', () => `Maximum Receive Unit: ${data.readUInt16BE(at)}`, data.readUInt16BE(at), at, 2);
    else if (type === 2 && len === 4) b.add('lcp.opt.asyncmap', () => `Async Control Character Map: ${hex(data.readUInt32BE(at), 8)}`, data.readUInt32BE(at), at, 4, () => hex(data.readUInt32BE(at), 8));
    else if (type === 3 && len >= 2) b.add('lcp.opt.auth_protocol', () => `Authentication Protocol: ${hex(data.readUInt16BE(at), 4)}`, data.readUInt16BE(at), at, 2, () => hex(data.readUInt16BE(at), 4));
    else if (type === 4 && len >= 2) b.add('lcp.opt.quality_protocol', () => `Quality Protocol: ${hex(data.readUInt16BE(at), 4)}`, data.readUInt16BE(at), at, 2, () => hex(data.readUInt16BE(at), 4));
    else if (type === 5 && len === 4) b.add('lcp.opt.magic_number', () => `Magic Number: ${hex(data.readUInt32BE(at), 8)}`, data.readUInt32BE(at), at, 4, () => hex(data.readUInt32BE(at), 8));
    else if (type === 13 && len >= 1) b.add('lcp.opt.operation', () => `Operation: ${data[at]}`, data[at]!, at, 1);
    else if (type === 17 && len === 2) b.add('lcp.opt.mrru', () => `MRRU: ${data.readUInt16BE(at)}`, data.readUInt16BE(at), at, 2);
    else if (type === 19 && len >= 1) b.add('lcp.opt.ep_disc_class', () => `Class: ${data[at]}`, data[at]!, at, 1);
  } else if ((type === 3 || type === 4 || (type >= 129 && type <= 132)) && len === 4) {
    const field = { 3: 'ipcp.opt.ip_address', 4: 'ipcp.opt.mobilenodehomeaddress', 129: 'ipcp.opt.pri_dns_address', 130: 'ipcp.opt.pri_nbns_address', 131: 'ipcp.opt.sec_dns_address', 132: 'ipcp.opt.sec_nbns_address' }[type]!;
    const addr = ipv4Text(data, at);
    b.add(field, () => `${kind.options[type]}: ${addr}`, addr, at, 4);
  } else if (type === 2 && len >= 2) {
    b.add('ipcp.opt.compress_proto', () => `IP Compression Protocol: ${hex(data.readUInt16BE(at), 4)}`, data.readUInt16BE(at), at, 2, () => hex(data.readUInt16BE(at), 4));
  }
}
