/** IPv4 (RFC 791): header, options, checksum status as tshark reports it, fragment reassembly. */
import { addExpertTo } from './expert';
import { hex, LayerBuilder, StopDissection, stopped } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, bytesHex, ipv4Text, setText } from './format';
import { dscpText, dsSummary, ecnText, ipProtocolName } from './ip-common';
import type { PacketState } from './packet-state';
import type { Layer } from './model';
import type { Reassembled } from './reassembly';

const OPTION_NAMES: Record<number, string> = {
  0: 'End of Options List (EOL)', 1: 'No Operation (NOP)', 7: 'Record Route (RR)', 68: 'Time Stamp (TS)',
  131: 'Loose Source Route (LSR)', 137: 'Strict Source Route (SSR)', 130: 'Security (SEC)', 148: 'Router Alert (RTRALT)',
};

export function dissectIpv4(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'ip', 'Internet Protocol Version 4', offset, end, p.selection);
  let payload = -1;
  let payloadEnd = -1;
  let proto = -1;
  let reassembled: Reassembled | null = null;
  let fragmentInfo = '';
  let bogusSix = false;
  try {
    header: {
      const vhl = b.u8(offset, 'version');
      const version = vhl >> 4;
      const hlen = (vhl & 0x0f) * 4;
      if (b.wants('ip.version')) b.add('ip.version', () => `${bitPicture(vhl, 0xf0, 8)} = Version: ${version}`, version, offset, 1);
      // tshark: "Bogus IPv4 version"; a 6 there goes on to the IPv6 dissector.
      if (version === 6) {
        bogusSix = true;
        break header;
      }
      if (version !== 4) throw new StopDissection('malformed', `IP version ${version} in an IPv4 header`);
      if (b.wants('ip.hdr_len')) b.add('ip.hdr_len', () => `${bitPicture(vhl, 0x0f, 8)} = Header Length: ${hlen} bytes (${vhl & 0x0f})`, hlen, offset, 1);
      if (hlen < 20) throw new StopDissection('malformed', `IPv4 header length ${hlen} is below 20 bytes`);
      const ds = b.u8(offset + 1);
      if (b.wantsAny('ip.dsfield')) b.group('ip.dsfield', () => `Differentiated Services Field: ${hex(ds, 2)} (${dsSummary(ds)})`, ds, offset + 1, 1, () => {
        b.add('ip.dsfield.dscp', () => `${bitPicture(ds, 0xfc, 8)} = Differentiated Services Codepoint: ${dscpText(ds >> 2)}`, ds >> 2, offset + 1, 1);
        b.add('ip.dsfield.ecn', () => `${bitPicture(ds, 0x03, 8)} = Explicit Congestion Notification: ${ecnText(ds & 3)}`, ds & 3, offset + 1, 1);
      }, () => hex(ds, 2));
      let totalLen = b.u16(offset + 2, 'total length');
      // 0 means TCP segmentation offload: Wireshark takes the length from the frame.
      const offloaded = totalLen === 0;
      if (offloaded) totalLen = end - offset;
      if (b.wants('ip.len')) b.add('ip.len', () => (offloaded ? `[Total Length: ${totalLen} bytes (reported as 0, presumed to be because of "TCP segmentation offload" (TSO))]` : `Total Length: ${totalLen}`), totalLen, offset + 2, 2);
      const id = b.u16(offset + 4, 'identification');
      if (b.wants('ip.id')) b.add('ip.id', () => `Identification: ${hex(id, 4)} (${id})`, id, offset + 4, 2, () => hex(id, 4));
      const flagsFrag = b.u16(offset + 6, 'flags');
      const flags = flagsFrag >> 13;
      const df = (flags & 2) !== 0;
      const mf = (flags & 1) !== 0;
      const fragOffset = flagsFrag & 0x1fff;
      const flagsLabel = (): string => {
        const names = [(flags & 4) && 'Reserved bit', df && "Don't fragment", mf && 'More fragments'].filter(Boolean).join(', ');
        return `${bitPicture(flagsFrag >> 8, 0xe0, 8)} = Flags: ${hex(flags, 1)}${names ? ', ' + names : ''}`;
      };
      if (b.wantsAny('ip.flags')) b.group('ip.flags', flagsLabel, flags, offset + 6, 1, () => {
        b.add('ip.flags.rb', () => `${bitPicture(flags << 5, 0x80, 8)} = Reserved bit: ${setText((flags & 4) !== 0)}`, (flags & 4) !== 0, offset + 6, 1);
        b.add('ip.flags.df', () => `${bitPicture(flags << 5, 0x40, 8)} = Don't fragment: ${setText(df)}`, df, offset + 6, 1);
        b.add('ip.flags.mf', () => `${bitPicture(flags << 5, 0x20, 8)} = More fragments: ${setText(mf)}`, mf, offset + 6, 1);
      }, () => hex(flags, 2));
      if (b.wants('ip.frag_offset')) b.add('ip.frag_offset', () => `${bitPicture(flagsFrag, 0x1fff, 16)} = Fragment Offset: ${fragOffset * 8}`, fragOffset, offset + 6, 2);
      const ttl = b.u8(offset + 8);
      if (!p.quoted) p.ttl = ttl;
      const ttlField = b.add('ip.ttl', () => `Time to Live: ${ttl}`, ttl, offset + 8, 1);
      proto = b.u8(offset + 9);
      // Wireshark's notes on the TTL (tshark 4.0 makes them in a datagram an ICMP error quotes too):
      // to the Local Network Control Block (224.0.0.0/24) a TTL other than the one RFC 3171 wants
      // (1; 255 for VRRP, GLBP and mDNS; any for LLMNR), elsewhere one that cannot reach far (not
      // to multicast, not for PIM or OSPF).
      if (offset + 20 <= data.length) {
        const dst0 = data[offset + 16]!;
        if (dst0 === 224 && data[offset + 17] === 0 && data[offset + 18] === 0) {
          const wanted = lncbTtl(data[offset + 19]!);
          // mDNS wants 255; tshark 4.0 says nothing of the TTL of 1 some responders send (the corpus).
          if (wanted >= 0 && ttl !== wanted && !(data[offset + 19] === 251 && ttl === 1)) {
            addExpertTo(b, ttlField, 'ip.ttl.lncb', 'Note', 'Sequence', `"Time To Live" != ${wanted} for a packet sent to the Local Network Control Block (see RFC 3171)`);
          }
        } else if (ttl < 5 && (dst0 < 224 || dst0 > 239) && proto !== 103 && proto !== 89) addExpertTo(b, ttlField, 'ip.ttl.too_small', 'Note', 'Sequence', `"Time To Live" only ${ttl}`);
      }
      if (b.wants('ip.proto')) b.add('ip.proto', () => `Protocol: ${ipProtocolName(proto)} (${proto})`, proto, offset + 9, 1);
      const checksum = b.u16(offset + 10, 'header checksum');
      if (b.wants('ip.checksum')) b.add('ip.checksum', () => `Header Checksum: ${hex(checksum, 4)} [validation disabled]`, checksum, offset + 10, 2, () => hex(checksum, 4));
      if (b.wants('ip.checksum.status')) b.add('ip.checksum.status', '[Header checksum status: Unverified]', 2, offset + 10, 0);
      b.need(offset + 12, 8, 'addresses');
      const src = ipv4Text(data, offset + 12);
      const dst = ipv4Text(data, offset + 16);
      if (b.building) addAddress(d, b, 'ip.src', 'ip.src_host', 'Source Address', src, offset + 12);
      if (b.building) addAddress(d, b, 'ip.dst', 'ip.dst_host', 'Destination Address', dst, offset + 16);
      if (b.tree) b.title(() => `Internet Protocol Version 4, Src: ${d.hostLabel(src)}, Dst: ${d.hostLabel(dst)}`);
      p.setColumns(src, dst);
      p.netSrc = src;
      p.netDst = dst;
      if (!p.quoted) p.setIpLayout(offset, 4, proto, src, dst);
      p.tap('ip', src, dst);
      if (hlen > 20) dissectOptions(b, offset + 20, offset + hlen);
      b.setLength(hlen);
      if (totalLen < hlen) throw new StopDissection('malformed', `IPv4 total length ${totalLen} is shorter than its header (${hlen})`);
      payload = offset + hlen;
      payloadEnd = Math.min(offset + totalLen, end);
      // An ICMP error quotes the start of a datagram: its total length is the original's.
      if (offset + totalLen > end && !p.quoted) b.mark('malformed', `IPv4 total length ${totalLen} exceeds the ${end - offset} bytes of the frame`);
      // tshark reassembles a fragment only when all its bytes were captured; a first fragment cut
      // short (or claiming more than the frame holds) has its payload dissected as it is.
      const whole = offset + totalLen <= Math.min(end, data.length);
      if ((mf || fragOffset !== 0) && (whole || fragOffset !== 0)) {
        if (!p.quoted) p.fragment = true;
        fragmentInfo = `Fragmented IP protocol (proto=${ipProtocolName(proto)} ${proto}, off=${fragOffset * 8}, ID=${id.toString(16).padStart(4, '0')})`;
        if (!p.quoted && whole) {
          const key = `${src}|${dst}|${id}|${proto}`;
          reassembled = d.ipv4Fragments.add(key, p.frame.number, fragOffset * 8, data.subarray(payload, payloadEnd), mf);
          if (reassembled) addReassemblyFields(b, 'ip', 'IPv4', reassembled);
          // tshark's -2 names the frame the datagram is put together in.
          const later = laterReassembly(d, b, 'ip', 'IPv4', key, p.frame.number, reassembled);
          if (later !== undefined) fragmentInfo += ` [Reassembled in #${later}]`;
        }
      }
    }
  } catch (err) {
    stopped(b, err);
  }
  p.addLayer(b.layer);
  if (bogusSix) {
    b.setLength(1);
    d.byEthertype(p, 0x86dd, data, offset, end);
    return;
  }
  if (payload < 0) return;
  if (fragmentInfo && !reassembled) {
    p.setProtocol('IPv4', fragmentInfo);
    d.data(p, data, payload, payloadEnd);
    return payloadEnd;
  }
  if (!p.quoted) p.setProtocol('IPv4', '');
  if (reassembled) {
    const wasReassembled = p.reassembled;
    p.reassembled = true;
    const wasData = p.reassembledData;
    p.reassembledData = (reassembled as Reassembled).data;
    d.byIpProtocol(p, proto, (reassembled as Reassembled).data, 0, (reassembled as Reassembled).data.length, 4);
    p.reassembled = wasReassembled;
    p.reassembledData = wasData;
  } else d.byIpProtocol(p, proto, data, payload, payloadEnd, 4);
  return payloadEnd;
}

function addAddress(d: Dissector, b: LayerBuilder, abbrev: string, hostAbbrev: string, label: string, text: string, at: number): void {
  // With network name resolution: `name (address)`, and the *_host fields hold the name.
  const host = d.hostName === undefined ? text : d.hostName(text);
  b.add(abbrev, () => `${label}: ${d.hostLabel(text)}`, text, at, 4);
  b.add('ip.addr', () => `Source or Destination Address: ${d.hostLabel(text)}`, text, at, 4).hidden = true;
  b.add(hostAbbrev, () => `${label.replace(" Address", "")} Host: ${host}`, host, at, 4).hidden = true;
  b.add('ip.host', () => `Source or Destination Host: ${host}`, host, at, 4).hidden = true;
}

function dissectOptions(b: LayerBuilder, start: number, stop: number): void {
  b.group('', () => `Options: (${stop - start} bytes)`, null, start, stop - start, () => {
    for (let at = start; at < stop; ) {
      const type = b.u8(at, 'option type');
      const name = OPTION_NAMES[type] ?? `Unknown (0x${type.toString(16).padStart(2, '0')})`;
      if (type === 0 || type === 1) {
        b.group('ip.opt.type', () => `IP Option - ${name}`, type, at, 1, () => undefined, () => String(type));
        at += 1;
        if (type === 0) break;
        continue;
      }
      const len = b.u8(at + 1, 'option length');
      if (len < 2 || at + len > stop) {
        b.mark('malformed', `IPv4 option ${type} has a bad length ${len}`);
        return;
      }
      b.group('ip.opt.type', () => `IP Option - ${name} (${len} bytes)`, type, at, len, () => {
        b.add('ip.opt.len', () => `Length: ${len}`, len, at + 1, 1);
        if (len > 2) b.add('ip.opt.data', 'Data', b.data.subarray(at + 2, at + len), at + 2, len - 2, () => bytesHex(b.data, at + 2, len - 2)).hidden = true;
      }, () => String(type));
      at += len;
    }
  });
}

/**
 * tshark's -2: the first pass notes which frame completed the datagram of each fragment; the
 * second shows it on the fragments before ("[Reassembled IPv4 in frame: N]").
 */
export function laterReassembly(d: Dissector, b: LayerBuilder, prefix: 'ip' | 'ipv6', name: string, key: string, frame: number, r: Reassembled | null, into?: Layer): number | undefined {
  const hindsight = d.hindsight;
  if (hindsight === undefined) return undefined;
  if (r !== null) for (const part of r.parts) hindsight.link(`${prefix}.reassembled_in`, `${part.frame}:${key}`, frame);
  const later = hindsight.later(`${prefix}.reassembled_in`, `${frame}:${key}`);
  if (later === undefined || later === frame) return undefined;
  const field = b.add(prefix === 'ip' ? 'ip.reassembled_in' : 'ipv6.reassembled.in', () => `[Reassembled ${name} in frame: ${later}]`, later, 0, 0);
  if (into === undefined || field.abbrev === '') return later;
  // IPv6: in the IPv6 tree, after its Fragment Header (the layer `b` builds, nested in it).
  b.layer.fields.splice(b.layer.fields.indexOf(field), 1);
  field.trailing = true;
  into.fields.push(field);
  return later;
}

/** The fields Wireshark adds on the frame that completed a datagram (prefix 'ip' or 'ipv6'). */
export function addReassemblyFields(b: LayerBuilder, prefix: string, name: string, r: Reassembled): void {
  if (!b.building) return;
  const list = (): string => r.parts.map((part) => `#${part.frame}(${part.length})`).join(', ');
  // IPv4's is a bytes field (the datagram, in -T fields and JSON); IPv6's has no value (FT_NONE).
  const bytes = prefix === 'ip';
  b.group(`${prefix}.fragments`, () => `[${r.parts.length} ${name} Fragments (${r.data.length} bytes): ${list()}]`, bytes ? r.data : null, 0, 0, () => {
    for (const part of r.parts) {
      b.add(`${prefix}.fragment`, () => `[Frame: ${part.frame}, payload: ${part.offset}-${part.offset + part.length - 1} (${part.length} bytes)]`, part.frame, 0, 0, () => String(part.frame));
    }
    b.add(`${prefix}.fragment.count`, () => `[Fragment count: ${r.parts.length}]`, r.parts.length, 0, 0);
    b.add(`${prefix}.reassembled.length`, () => `[Reassembled ${name} length: ${r.data.length}]`, r.data.length, 0, 0);
    b.add(`${prefix}.reassembled.data`, () => `[Reassembled ${name} data: ${bytesHex(r.data, 0, Math.min(36, r.data.length))}…]`, r.data, 0, 0, () => bytesHex(r.data, 0, r.data.length));
  }, bytes ? () => bytesHex(r.data, 0, r.data.length) : '');
}

/** The TTL packet-ip.c expects to 224.0.0.<last> (-1: any). */
function lncbTtl(last: number): number {
  if (last === 18 || last === 102) return 255; // VRRP, GLBP
  if (last === 251) return 255; // mDNS (RFC 6762)
  if (last === 252) return -1; // LLMNR
  return 1;
}
