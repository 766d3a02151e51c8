/** UDP (RFC 768): ports, length, checksum (unverified, as tshark by default), stream index, payload hand-off. */
import { hex, LayerBuilder, stopped } from './builder';
import type { Dissector } from './dissector';
import { addExpert } from './expert';
import { be16, bytesHex, nsToSeconds } from './format';
import type { AppContext } from './model';
import type { PacketState } from './packet-state';

interface StreamTimes {
  first: bigint;
  last: bigint;
}
const streamTimes = new WeakMap<Dissector, Map<number, StreamTimes>>();

export function dissectUdp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'udp', 'User Datagram Protocol', offset, end, p.selection);
  let payloadEnd = -1;
  let srcPort = 0;
  let streamKey = '';
  /** A zero checksum over IPv6: packet-udp.c appends " [ILLEGAL CHECKSUM (0)]" to Info. */
  let illegalZero = false;
  let streamIndex = -1;
  let dstPort = 0;
  let badLength = '';
  let infoLength = 0;
  let portsRead = false;
  let lengthRead = false;
  try {
    header: {
      // The header read field by field, as packet-udp.c does: a header cut short still shows its ports.
      b.need(offset, 4, 'UDP ports');
      srcPort = be16(data, offset);
      dstPort = be16(data, offset + 2);
      portsRead = true;
      if (b.tree) b.title(() => `User Datagram Protocol, Src Port: ${d.portLabel('udp', srcPort)}, Dst Port: ${d.portLabel('udp', dstPort)}`);
      const srcTrace = traceroute(srcPort);
      const dstTrace = traceroute(dstPort);
      if (srcTrace !== null) b.group('udp.srcport', () => `Source Port: ${d.portLabel('udp', srcPort)}`, srcPort, offset, 2, () => addExpert(b, 'udp.possible_traceroute', 'Chat', 'Sequence', srcTrace, offset, 2));
      else if (b.wants('udp.srcport')) b.add('udp.srcport', () => `Source Port: ${d.portLabel('udp', srcPort)}`, srcPort, offset, 2);
      if (dstTrace !== null) b.group('udp.dstport', () => `Destination Port: ${d.portLabel('udp', dstPort)}`, dstPort, offset + 2, 2, () => addExpert(b, 'udp.possible_traceroute', 'Chat', 'Sequence', dstTrace, offset + 2, 2));
      else if (b.wants('udp.dstport')) b.add('udp.dstport', () => `Destination Port: ${d.portLabel('udp', dstPort)}`, dstPort, offset + 2, 2);
      if (b.wants('udp.port')) b.add('udp.port', () => `Source or Destination Port: ${srcPort}`, srcPort, offset, 2).hidden = true;
      if (b.wants('udp.port')) b.add('udp.port', () => `Source or Destination Port: ${dstPort}`, dstPort, offset + 2, 2).hidden = true;
      b.need(offset + 4, 2, 'UDP length');
      const length = be16(data, offset + 4);
      // packet-udp.c: a length below 8, or past the IP payload (not in a datagram an ICMP error
      // quotes, nor a fragment), is "bogus": an error on the field, a note in Info, and the IP
      // payload's length is used instead.
      const available = end - offset;
      if (length < 8 && p.quoted === 0) {
        badLength = ` [BAD UDP LENGTH ${length} < 8]`;
        b.group('udp.length', () => `Length: ${length} (bogus, must be >= 8)`, length, offset + 4, 2, () => malformedExpert(b, `Bad length value ${length} < 8`, offset + 4));
      } else if (length > available && p.quoted === 0 && !p.fragment) {
        badLength = ` [BAD UDP LENGTH ${length} > IP PAYLOAD LENGTH]`;
        b.group('udp.length', () => `Length: ${length} (bogus, payload length ${available})`, length, offset + 4, 2, () => malformedExpert(b, `Bad length value ${length} > IP payload length`, offset + 4));
      } else if (b.wants('udp.length')) b.add('udp.length', () => `Length: ${length}`, length, offset + 4, 2);
      infoLength = length - 8;
      lengthRead = true;
      if (length < 8 && p.quoted === 0) {
        // packet-udp.c returns here: no checksum, no stream, no payload.
        p.tapsClosed = true;
        b.setLength(Math.min(8, Math.max(0, end - offset)));
        payloadEnd = -2;
        break header;
      }
      b.need(offset + 6, 2, 'UDP checksum');
      const checksum = be16(data, offset + 6);
      // A zero UDP checksum means "none" over IPv4 (status 3, not present) and is illegal over IPv6
      // (status 4, with an error): packet-udp.c puts the status, and the error, under the checksum.
      // Otherwise the checksum is not verified (tshark's default) and the status is its sibling.
      const zero = checksum === 0;
      // Over IPv6 a zero checksum is illegal, except in a datagram an ICMPv6 error quotes.
      const illegal = zero && p.ipv6Data !== null && p.quoted === 0;
      illegalZero = illegal;
      const status = (): void => {
        if (b.wants('udp.checksum.status')) b.add('udp.checksum.status', () => `[Checksum Status: ${illegal ? 'Illegal' : zero ? 'Not present' : 'Unverified'}]`, illegal ? 4 : zero ? 3 : 2, offset + 6, zero ? 2 : 0);
      };
      if (!zero) {
        if (b.wants('udp.checksum')) b.add('udp.checksum', () => `Checksum: ${hex(checksum, 4)} [unverified]`, checksum, offset + 6, 2, () => hex(checksum, 4));
        status();
      } else if (b.wantsAny('udp.checksum') || (illegal && b.wantsAny('_ws.expert'))) {
        b.group('udp.checksum', () => `Checksum: 0x0000 [zero-value ${illegal ? 'illegal' : 'ignored'}]`, checksum, offset + 6, 2, () => {
          if (illegal) addExpert(b, 'udp.checksum.zero', 'Error', 'Checksum', 'Illegal checksum value (0)', offset + 6, 2);
          status();
        }, () => hex(checksum, 4));
      }
      b.setLength(8);
      if (length < 8) p.tapsClosed = true;
      if (length < 8 || offset + length > end) {
        // An ICMP error quotes a datagram's start: its length is the original's (no mark then).
        if (length < 8) b.mark('malformed', `UDP length ${length} does not fit the IP payload of ${end - offset} bytes`);
        payloadEnd = end;
      } else payloadEnd = offset + length;
      if (badLength !== '' && payloadEnd - offset - 8 <= 0) b.mark('malformed', 'the UDP payload starts past the IP payload');
      // conversationKey's key, and the direction of this datagram in it (FrameLayout.dir).
      const left = `${p.netSrc}|${srcPort}`;
      const right = `${p.netDst}|${dstPort}`;
      const dir = left <= right ? 0 : 1;
      streamKey = dir === 0 ? `${left}|${right}` : `${right}|${left}`;
      const stream = d.udpStream(streamKey);
      streamIndex = stream;
      if (!p.quoted) p.setTransportLayout(srcPort, dstPort, stream, dir);
      p.layout.lastStream = stream;
      p.layout.lastStreamTcp = false;
      p.tap('udp', p.netSrc, p.netDst, srcPort, dstPort, stream);
      if (b.wants('udp.stream')) b.add('udp.stream', () => `[Stream index: ${stream}]`, stream, offset + 8, 0);
      // Conversation times are not kept for a datagram an ICMP error quotes (tshark shows none).
      if (!p.quoted) {
        let times = streamTimes.get(d);
        if (!times) streamTimes.set(d, (times = new Map()));
        const ts = p.frame.tsNs;
        let seen = times.get(stream);
        if (seen === undefined) times.set(stream, (seen = { first: ts, last: ts }));
        const first = seen.first;
        const last = seen.last;
        seen.last = ts;
        if (b.wantsAny('udp.time_')) b.group('', '[Timestamps]', null, offset, 0, () => {
          const rel = ts - first;
          const delta = ts - last;
          b.add('udp.time_relative', () => `[Time since first frame: ${nsToSeconds(rel)} seconds]`, rel, offset, 0, () => nsToSeconds(rel));
          b.add('udp.time_delta', () => `[Time since previous frame: ${nsToSeconds(delta)} seconds]`, delta, offset, 0, () => nsToSeconds(delta));
        });
      }
      const stop = Math.min(payloadEnd, data.length);
      if (stop > offset + 8 && b.wants('udp.payload')) b.add('udp.payload', () => `UDP payload (${stop - offset - 8} byte${stop - offset - 8 === 1 ? '' : 's'})`, data.subarray(offset + 8, stop), offset + 8, stop - offset - 8, () => bytesHex(data, offset + 8, stop - offset - 8));
    }
  } catch (err) {
    stopped(b, err);
  }
  p.addLayer(b.layer);
  if (payloadEnd === -1 && portsRead && b.layer.status !== 'ok') {
    const note = b.layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]';
    // Info has " Len=" once the length was read (packet-udp.c appends it before reading the checksum).
    p.setProtocol('UDP', p.columns ? `${d.portText('udp', srcPort)} → ${d.portText('udp', dstPort)}${badLength}${lengthRead && length8(infoLength) ? ` Len=${infoLength}` : ''}${note}` : '');
    return;
  }
  if (payloadEnd === -2) {
    p.setProtocol('UDP', p.columns ? `${d.portText('udp', srcPort)} → ${d.portText('udp', dstPort)}${badLength}` : '');
    return;
  }
  if (payloadEnd < 0) return;
  // A bogus length with no payload byte left: packet-udp.c's payload tvb of the claimed length
  // starts past the IP payload, an exception.
  const emptyBogus = badLength !== '' && payloadEnd - offset - 8 <= 0;
  p.setProtocol('UDP', p.columns ? `${d.portText('udp', srcPort)} → ${d.portText('udp', dstPort)}${badLength} Len=${badLength ? infoLength : payloadEnd - offset - 8}${illegalZero ? ' [ILLEGAL CHECKSUM (0)]' : ''}${emptyBogus ? '[Malformed Packet]' : ''}` : '');
  if (emptyBogus) return;
  if (payloadEnd <= offset + 8) return;
  if (!p.quoted) p.udpDstPort = dstPort;
  const tunnel = udpTunnel(d, srcPort, dstPort);
  if (tunnel) {
    tunnel(d, p, data, offset + 8, payloadEnd);
    return;
  }
  if (!p.quoted && p.layers[p.layout.transportLayer] === b.layer) {
    p.layout.payloadOffset = offset + 8;
    p.layout.payloadEnd = payloadEnd;
    p.layout.payloadData = data;
  }
  const ctx: AppContext = { transport: 'udp', srcPort, dstPort, frameNumber: p.frame.number, src: p.netSrc, dst: p.netDst, fields: p.selection, columns: p.columns };
  ctx.tsNs = p.frame.tsNs;
  if (d.hindsight !== undefined) ctx.hindsight = d.hindsight;
  if (d.macName !== undefined) ctx.macName = d.macName;
  if (streamKey !== '') {
    ctx.newConversation = () => d.renewUdpStream(streamKey);
    ctx.stream = streamIndex;
  }
  if (p.quoted > 0) ctx.quoted = true;
  d.byPort(p, ctx, data, offset + 8, payloadEnd);
}

/**
 * The tunnel a datagram's ports name, tried as packet-udp.c tries ports: the lower first, so a
 * lower port with an application dissector (DNS from GTP-U's 2152 to 53) keeps the datagram.
 */
function udpTunnel(d: Dissector, srcPort: number, dstPort: number): ReturnType<typeof d.udpTunnels.get> {
  const low = Math.min(srcPort, dstPort);
  const high = Math.max(srcPort, dstPort);
  const lowTunnel = d.udpTunnels.get(low);
  if (lowTunnel) return lowTunnel;
  if (d.udpPorts.has(low)) return undefined;
  return d.udpTunnels.get(high);
}

/**
 * udp.length.bad, in the Malformed group: Wireshark's expert.c follows every Malformed expert item
 * with a hidden _ws.malformed item (the "malformed" filter).
 */
function malformedExpert(b: LayerBuilder, message: string, at: number): void {
  addExpert(b, 'udp.length.bad', 'Error', 'Malformed', message, at, 2);
  b.add('_ws.malformed', 'Malformed Packet', 'Malformed Packet', at, 0, '_ws.malformed').hidden = true;
}

/** A " Len=" Info note for a length that was at least 8. */
function length8(infoLength: number): boolean {
  return infoLength >= 0;
}

/**
 * packet-udp.c's guess at LBL traceroute's probes: ports 33435-33464 (from 32768 + 666, three
 * attempts per hop) get a Chat expert naming the hop and attempt.
 */
function traceroute(port: number): string | null {
  if (port <= 33434 || port > 33464) return null;
  const n = port - 33435;
  return `Possible traceroute: hop #${Math.floor(n / 3) + 1}, attempt #${(n % 3) + 1}`;
}
