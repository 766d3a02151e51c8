/**
 * RTP, RFC 2833 RTP events and RTCP as tshark 4.0 finds them. Its RTP heuristic is off by default,
 * so RTP is decoded only on the media endpoints an SDP offer/answer announced (MediaRegistry,
 * filled by sip.ts: the address of c= and the port of m=, RTCP on that port + 1), shown with the
 * set-up ("[Stream setup by SDP (frame N)]"). RTCP is also found by tshark's UDP heuristic, which
 * is on by default: version 2, a first packet type of SR, RR, BYE, APP or PSFB and a length that
 * is a multiple of four (tshark 4.0 does not ask for an odd port).
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import type { AppContext, AppDissector, AppResult, Layer } from './model';
import { be16, be32 } from './format';

/** Static payload types (tshark's rtp_payload_type_vals). */
const PAYLOAD_TYPES: Record<number, string> = {
  0: 'ITU-T G.711 PCMU', 1: 'USA Federal Standard FS-1016', 2: 'ITU-T G.721', 3: 'GSM 06.10', 4: 'ITU-T G.723',
  5: 'DVI4 8000 samples/s', 6: 'DVI4 16000 samples/s', 7: 'Experimental linear predictive encoding from Xerox PARC',
  8: 'ITU-T G.711 PCMA', 9: 'ITU-T G.722', 10: '16-bit uncompressed audio, stereo', 11: '16-bit uncompressed audio, monaural',
  12: 'Qualcomm Code Excited Linear Predictive coding', 13: 'Comfort noise', 14: 'MPEG-I/II Audio', 15: 'ITU-T G.728',
  16: 'DVI4 11025 samples/s', 17: 'DVI4 22050 samples/s', 18: 'ITU-T G.729', 19: 'Comfort noise (old)',
  25: 'Sun CellB video encoding', 26: 'JPEG-compressed video', 28: "'nv' program", 31: 'ITU-T H.261', 32: 'MPEG-I/II Video',
  33: 'MPEG-II transport streams', 34: 'ITU-T H.263',
};

/** The name tshark gives a payload type number (SDP's media formats use the same). */
export function payloadTypeName(pt: number): string {
  const known = PAYLOAD_TYPES[pt];
  if (known !== undefined) return known;
  if (pt >= 96 && pt <= 127) return `DynamicRTP-Type-${pt}`;
  if (pt >= 72 && pt <= 76) return 'Reserved for RTCP conflict avoidance';
  return 'Unassigned';
}

const EVENTS: Record<number, string> = {
  0: 'DTMF Zero 0', 1: 'DTMF One 1', 2: 'DTMF Two 2', 3: 'DTMF Three 3', 4: 'DTMF Four 4', 5: 'DTMF Five 5', 6: 'DTMF Six 6',
  7: 'DTMF Seven 7', 8: 'DTMF Eight 8', 9: 'DTMF Nine 9', 10: 'DTMF Star *', 11: 'DTMF Pound #', 12: 'DTMF A', 13: 'DTMF B',
  14: 'DTMF C', 15: 'DTMF D', 16: 'Flash', 32: 'Fax ANS', 33: 'Fax /ANS', 34: 'Fax ANSam', 35: 'Fax /ANSam', 36: 'Fax CNG',
  64: 'Off Hook', 65: 'On Hook', 66: 'Dial tone', 70: 'Ringing tone', 72: 'Busy tone',
};

const RTCP_TYPES: Record<number, string> = {
  192: 'Full Intra-frame Request (H.261)', 193: 'Negative Acknowledgement (H.261)', 194: 'SMPTE time-code mapping',
  195: 'Extended inter-arrival jitter report', 200: 'Sender Report', 201: 'Receiver Report', 202: 'Source description', 203: 'Goodbye',
  204: 'Application specific', 205: 'Generic RTP Feedback', 206: 'Payload-specific Feedback', 207: 'Extended report (RFC 3611)',
  208: 'AVB RTCP packet (IEEE1733)', 209: 'Receiver Summary Information', 210: 'Port Mapping',
};

const SDES_TYPES: Record<number, string> = {
  0: 'END', 1: 'CNAME (user and domain)', 2: 'NAME (common name)', 3: 'EMAIL (e-mail address)', 4: 'PHONE (phone number)',
  5: 'LOC (geographic location)', 6: 'TOOL (name/version of source app)', 7: 'NOTE (note about source)', 8: 'PRIV (private extensions)',
  9: 'H323-CADDR (H.323 callable address)', 10: 'Application Specific Identifier',
};

/** One announced media endpoint (Wireshark's RTP/RTCP conversation with a wildcard far end). */
export interface MediaSetup {
  /** The frame whose SDP set it up (the offer's) and the first frame it applies to. */
  setupFrame: number;
  activeFrom: number;
  /** The SIP Call-IDs of every set-up of this endpoint so far (tshark lists them all). */
  callIds: string[];
  /** Dynamic payload types of the session: number → encoding name (a=rtpmap). */
  encodings: Map<number, string>;
  /** Names the Payload type item shows for dynamic payload types. */
  labels: Map<number, string>;
  /** The conversation's extended sequence number so far (-1 before its first packet). */
  lastSeq: number;
}

/** The media endpoints SDP announced, shared by the SIP/SDP and RTP/RTCP dissectors of one capture. */
export class MediaRegistry {
  readonly rtp = new Map<string, MediaSetup>();
  readonly rtcp = new Map<string, MediaSetup>();
  private readonly callIds = new Map<string, string[]>();

  /** Remembers that a set-up with this Call-ID announced the endpoint. */
  noteCallId(address: string, port: number, callId: string): void {
    if (!callId) return;
    const key = `${address}|${port}`;
    let list = this.callIds.get(key);
    if (list === undefined) {
      if (this.callIds.size >= 10000) this.callIds.clear();
      this.callIds.set(key, (list = []));
    }
    if (!list.includes(callId)) list.push(callId);
  }

  callIdsOf(address: string, port: number): string[] {
    return this.callIds.get(`${address}|${port}`) ?? [];
  }

  add(kind: 'rtp' | 'rtcp', address: string, port: number, setup: MediaSetup): void {
    const table = kind === 'rtp' ? this.rtp : this.rtcp;
    if (table.size >= 10000) table.clear();
    table.set(`${address}|${port}`, setup);
  }

  /** The set-up of a UDP flow: its source endpoint first, then its destination (find_conversation's order). */
  find(kind: 'rtp' | 'rtcp', ctx: AppContext): MediaSetup | undefined {
    const table = kind === 'rtp' ? this.rtp : this.rtcp;
    if (table.size === 0 || ctx.transport !== 'udp') return undefined;
    for (const key of [`${ctx.src}|${ctx.srcPort}`, `${ctx.dst}|${ctx.dstPort}`]) {
      const setup = table.get(key);
      if (setup !== undefined && setup.activeFrom <= ctx.frameNumber) return setup;
    }
    return undefined;
  }
}

/** RTP and RTCP dissectors on the endpoints of `media`, and RTCP's heuristic. */
export function createRtpDissectors(media: MediaRegistry): AppDissector[] {
  return [
    {
      protocol: 'rtp',
      fieldPrefixes: ['rtpevent'],
      stateful: true,
      conversation: (_data, _offset, _end, ctx) => media.find('rtp', ctx) !== undefined,
      dissect: (data, offset, end, ctx) => dissectRtp(media.find('rtp', ctx), data, offset, end, ctx),
    },
    {
      protocol: 'rtcp',
      stateful: true,
      conversation: (_data, _offset, _end, ctx) => media.find('rtcp', ctx) !== undefined,
      heuristic: (data, offset, end, ctx) => ctx.transport === 'udp' && looksLikeRtcp(data, offset, end),
      dissect: (data, offset, end, ctx) => dissectRtcp(media.find('rtcp', ctx), data, offset, end, ctx),
    },
  ];
}

/** tshark 4.0's dissect_rtcp_heur. */
export function looksLikeRtcp(data: Buffer, offset: number, end: number): boolean {
  if (end - offset < 2 || data.length < offset + 2) return false;
  if (data[offset]! >> 6 !== 2) return false;
  const pt = data[offset + 1]!;
  if (pt !== 200 && pt !== 201 && pt !== 203 && pt !== 204 && pt !== 206) return false;
  return (end - offset) % 4 === 0;
}

function bits(value: number, mask: number): string {
  let s = '';
  for (let bit = 7; bit >= 0; bit--) {
    s += (mask >> bit) & 1 ? String((value >> bit) & 1) : '.';
    if (bit === 4) s += ' ';
  }
  return s;
}

function setupFields(b: LayerBuilder, prefix: 'rtp' | 'rtcp', setup: MediaSetup, offset: number): void {
  b.group(`${prefix}.setup`, () => `[Stream setup by SDP (frame ${setup.setupFrame})]`, null, offset, 0, () => {
    b.add(`${prefix}.setup-frame`, () => `[Setup frame: ${setup.setupFrame}]`, setup.setupFrame, offset, 0);
    b.add(`${prefix}.setup-method`, () => '[Setup Method: SDP]', 'SDP', offset, 0);
    if (prefix === 'rtp') for (const id of setup.callIds) b.add('sip.call_id_generated', () => `[Generated Call-ID: ${id}]`, id, offset, 0);
  }, '');
}

/** Wireshark's calculate_extended_seqno. */
function extendedSeq(previous: number, raw: number): number {
  let seq = (previous & 0xffff0000) + raw;
  if (seq + 0x8000 < previous) seq += 0x10000;
  else if (previous + 0x8000 < seq && seq >= 0x10000) seq -= 0x10000;
  return seq;
}

function dissectRtp(setup: MediaSetup | undefined, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const b = new LayerBuilder(data, 'rtp', 'Real-Time Transport Protocol', offset, end, ctx.fields);
  let info = '';
  let column = 'RTP';
  const layers: Layer[] = [];
  const stop = Math.min(end, data.length);
  let event: Layer | undefined;
  let short = false;
  const layer = dissectSafely(b, () => {
    // tshark reads the whole fixed header before it adds anything: a shorter one shows nothing.
    b.need(offset, Math.min(12, Math.max(1, stop - offset)), 'RTP header');
    if (end - offset < 12) {
      short = true;
      throw new StopDissection('malformed', 'RTP');
    }
    if (setup) setupFields(b, 'rtp', setup, offset);
    const first = b.u8(offset, 'RTP header');
    const version = first >> 6;
    b.add('rtp.version', () => `${bits(first, 0xc0)} = Version: ${version === 2 ? 'RFC 1889 Version' : version === 1 ? 'First Draft Version' : version === 0 ? 'Old VAT Version' : 'Unknown'} (${version})`, version, offset, 1);
    if (version !== 2) {
      // tshark shows only the version of a packet that is no RTP version 2.
      info = `Unknown RTP version ${version}`;
      return;
    }
    const padding = (first & 0x20) !== 0;
    const extension = (first & 0x10) !== 0;
    const cc = first & 0x0f;
    b.add('rtp.padding', () => `${bits(first, 0x20)} = Padding: ${padding ? 'True' : 'False'}`, padding, offset, 1);
    b.add('rtp.ext', () => `${bits(first, 0x10)} = Extension: ${extension ? 'True' : 'False'}`, extension, offset, 1);
    b.add('rtp.cc', () => `${bits(first, 0x0f)} = Contributing source identifiers count: ${cc}`, cc, offset, 1);
    const second = b.u8(offset + 1, 'RTP header');
    const marker = (second & 0x80) !== 0;
    const pt = second & 0x7f;
    b.add('rtp.marker', () => `${bits(second, 0x80)} = Marker: ${marker ? 'True' : 'False'}`, marker, offset + 1, 1);
    const encoding = setup?.encodings.get(pt);
    const ptName = setup?.labels.get(pt) ?? payloadTypeName(pt);
    b.add('rtp.p_type', () => `Payload type: ${ptName} (${pt})`, pt, offset + 1, 1);
    const seq = b.u16(offset + 2, 'sequence number');
    b.add('rtp.seq', () => `Sequence number: ${seq}`, seq, offset + 2, 2);
    let ext = seq;
    if (setup) {
      // The conversation starts as if at 0x10000 (Wireshark's first extended sequence number).
      ext = extendedSeq(setup.lastSeq < 0 ? 0x10000 : setup.lastSeq, seq);
      setup.lastSeq = ext;
    }
    b.add('rtp.extseq', () => `[Extended sequence number: ${ext}]`, ext, offset + 2, 2);
    const timestamp = b.u32(offset + 4, 'timestamp');
    b.add('rtp.timestamp', () => `Timestamp: ${timestamp}`, timestamp, offset + 4, 4);
    const ssrc = b.u32(offset + 8, 'SSRC');
    b.add('rtp.ssrc', () => `Synchronization Source identifier: ${hex(ssrc, 8)} (${ssrc})`, ssrc, offset + 8, 4, () => hex(ssrc, 8));
    let at = offset + 12;
    info = `PT=${ptName}, SSRC=0x${ssrc.toString(16).toUpperCase()}, Seq=${seq}, Time=${timestamp}${marker ? ', Mark' : ''}`;
    if (cc > 0) {
      b.group('', () => 'Contributing Source identifiers', null, at, cc * 4, () => {
        for (let i = 0; i < cc; i++) {
          const csrc = b.u32(at + i * 4, 'CSRC');
          b.add('rtp.csrc.item', () => `CSRC item ${i}: ${hex(csrc, 8)}`, csrc, at + i * 4, 4, () => hex(csrc, 8));
        }
      });
      at += cc * 4;
    }
    if (extension) {
      const profile = b.u16(at, 'header extension');
      const words = b.u16(at + 2, 'header extension');
      b.add('rtp.ext.profile', () => `Defined by profile: ${profile} (${hex(profile, 4)})`, profile, at, 2, () => hex(profile, 4));
      b.add('rtp.ext.len', () => `Extension length: ${words}`, words, at + 2, 2);
      b.need(at + 4, words * 4, 'header extension');
      for (let i = 0; i < words; i++) {
        const word = be32(data, at + 4 + i * 4);
        b.add('rtp.hdr_ext', () => `Header extension: ${hex(word, 8)}`, word, at + 4 + i * 4, 4, () => hex(word, 8));
      }
      at += 4 + words * 4;
    }
    let payloadEnd = stop;
    if (padding && stop > at) {
      const count = data[stop - 1]!;
      payloadEnd = Math.max(at, stop - count);
    }
    if (encoding?.toLowerCase() === 'telephone-event' && payloadEnd - at >= 4) {
      b.add('rtp.payload', 'Payload', data.subarray(at, payloadEnd), at, payloadEnd - at, () => data.toString('hex', at, payloadEnd)).hidden = true;
      const ev = dissectRtpEvent(data, at, payloadEnd, ctx);
      event = ev.layer;
      info = ev.info;
      column = 'RTP EVENT';
    } else if (payloadEnd > at) {
      b.addLazy('rtp.payload', () => `Payload: ${data.toString('hex', at, Math.min(payloadEnd, at + 36))}${payloadEnd - at > 36 ? '…' : ''}`, data.subarray(at, payloadEnd), at, payloadEnd - at, () => data.toString('hex', at, payloadEnd));
    }
    if (payloadEnd < stop) {
      const count = data[stop - 1]!;
      if (payloadEnd < stop - 1) b.add('rtp.padding.data', () => `Padding data: ${data.toString('hex', payloadEnd, stop - 1)}`, data.subarray(payloadEnd, stop - 1), payloadEnd, stop - 1 - payloadEnd);
      b.add('rtp.padding.count', () => `Padding count: ${count}`, count, stop - 1, 1);
    }
  });
  layers.push(layer);
  if (event) layers.push(event);
  // A header cut short leaves the columns to UDP (tshark's exception comes before them).
  if (short) return { layers, protocolColumn: 'UDP', info: `${ctx.srcPort} → ${ctx.dstPort} Len=${end - offset}${statusSuffix(layer)}` };
  return { layers, protocolColumn: column, info: info + statusSuffix(layer) };
}

function dissectRtpEvent(data: Buffer, at: number, end: number, ctx: AppContext): { layer: Layer; info: string } {
  const b = new LayerBuilder(data, 'rtpevent', 'RFC 2833 RTP Event', at, end, ctx.fields);
  const id = data[at]!;
  const flags = data[at + 1]!;
  const name = EVENTS[id] ?? `Unknown (${id})`;
  const endBit = (flags & 0x80) !== 0;
  const layer = dissectSafely(b, () => {
    b.add('rtpevent.event_id', () => `Event ID: ${name} (${id})`, id, at, 1);
    b.add('rtpevent.end_of_event', () => `${bits(flags, 0x80)} = End of Event: ${endBit ? 'True' : 'False'}`, endBit, at + 1, 1);
    const reserved = (flags & 0x40) !== 0;
    b.add('rtpevent.reserved', () => `${bits(flags, 0x40)} = Reserved: ${reserved ? 'True' : 'False'}`, reserved, at + 1, 1);
    const volume = flags & 0x3f;
    b.add('rtpevent.volume', () => `${bits(flags, 0x3f)} = Volume: ${volume}`, volume, at + 1, 1);
    const duration = be16(data, at + 2);
    b.add('rtpevent.duration', () => `Event Duration: ${duration}`, duration, at + 2, 2);
  });
  b.setLength(4);
  return { layer, info: `Payload type=RTP Event, ${name}${endBit ? ' (end)' : ''}` };
}

function ntpTime(msw: number, lsw: number): string {
  // tshark shows the NTP timestamp as a UTC date with nanoseconds.
  // An MSW without its top bit is in NTP era 1 (from 2036), as tshark reads it.
  const seconds = msw - 2208988800 + (msw < 0x80000000 ? 2 ** 32 : 0);
  const nanos = Math.floor((lsw * 1e9) / 2 ** 32);
  const date = new Date(seconds * 1000);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')}, ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(nanos, 9)} UTC`;
}

/** A compound RTCP packet: one layer per RTCP packet, as tshark adds one tree per packet. */
function dissectRtcp(setup: MediaSetup | undefined, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const layers: Layer[] = [];
  let info = '';
  let at = offset;
  const stop = Math.min(end, data.length);
  let total = 0;
  while (at < end) {
    const start = at;
    const b = new LayerBuilder(data, 'rtcp', 'Real-time Transport Control Protocol', start, end, ctx.fields);
    let length = 4;
    let bad = false;
    const layer = dissectSafely(b, () => {
      if (setup) setupFields(b, 'rtcp', setup, start);
      const first = b.u8(start, 'RTCP header');
      const pt = b.u8(start + 1, 'RTCP header');
      const version = first >> 6;
      const count = first & 0x1f;
      const padding = (first & 0x20) !== 0;
      const typeName = RTCP_TYPES[pt] ?? `Unknown (${pt})`;
      b.title(() => `Real-time Transport Control Protocol (${typeName})`);
      if (version !== 2) {
        bad = true;
        return;
      }
      info += `${typeName}   `;
      b.add('rtcp.version', () => `${bits(first, 0xc0)} = Version: RFC 1889 Version (2)`, version, start, 1);
      b.add('rtcp.padding', () => `${bits(first, 0x20)} = Padding: ${padding ? 'True' : 'False'}`, padding, start, 1);
      const countField = pt === 202 || pt === 203 ? 'rtcp.sc' : 'rtcp.rc';
      const countName = countField === 'rtcp.sc' ? 'Source count' : 'Reception report count';
      if (pt === 200 || pt === 201 || pt === 202 || pt === 203) b.add(countField, () => `${bits(first, 0x1f)} = ${countName}: ${count}`, count, start, 1);
      b.add('rtcp.pt', () => `Packet type: ${typeName} (${pt})`, pt, start + 1, 1);
      const words = b.u16(start + 2, 'RTCP length');
      length = (words + 1) * 4;
      b.add('rtcp.length', () => `Length: ${words} (${length} bytes)`, words, start + 2, 2);
      const pend = start + length;
      let p = start + 4;
      if (pt === 200 || pt === 201) {
        const ssrc = b.u32(p, 'sender SSRC');
        b.add('rtcp.senderssrc', () => `Sender SSRC: ${hex(ssrc, 8)} (${ssrc})`, ssrc, p, 4, () => hex(ssrc, 8));
        p += 4;
        if (pt === 200) {
          const msw = b.u32(p, 'NTP timestamp');
          const lsw = b.u32(p + 4, 'NTP timestamp');
          b.add('rtcp.timestamp.ntp.msw', () => `Timestamp, MSW: ${msw} (${hex(msw, 8)})`, msw, p, 4);
          b.add('rtcp.timestamp.ntp.lsw', () => `Timestamp, LSW: ${lsw} (${hex(lsw, 8)})`, lsw, p + 4, 4);
          const ntp = ntpTime(msw, lsw);
          b.add('rtcp.timestamp.ntp', () => `[MSW and LSW as NTP timestamp: ${ntp}]`, ntp, p, 8);
          const rtpTs = b.u32(p + 8, 'RTP timestamp');
          b.add('rtcp.timestamp.rtp', () => `RTP timestamp: ${rtpTs}`, rtpTs, p + 8, 4);
          const packets = b.u32(p + 12, 'packet count');
          b.add('rtcp.sender.packetcount', () => `Sender's packet count: ${packets}`, packets, p + 12, 4);
          const octets = b.u32(p + 16, 'octet count');
          b.add('rtcp.sender.octetcount', () => `Sender's octet count: ${octets}`, octets, p + 16, 4);
          p += 20;
        }
        for (let i = 1; i <= count; i++) {
          const blockAt = p;
          b.need(blockAt, 24, 'report block');
          b.group('', () => `Source ${i}`, null, blockAt, 24, () => {
            const id = be32(data, blockAt);
            b.add('rtcp.ssrc.identifier', () => `Identifier: ${hex(id, 8)} (${id})`, id, blockAt, 4, () => hex(id, 8));
            const fraction = data[blockAt + 4]!;
            let lost = ((data[blockAt + 5]! << 16) | be16(data, blockAt + 6));
            if (lost & 0x800000) lost -= 0x1000000;
            b.group('', 'SSRC contents', null, blockAt + 4, 4, () => {
              b.add('rtcp.ssrc.fraction', () => `Fraction lost: ${fraction} / 256`, fraction, blockAt + 4, 1);
              b.add('rtcp.ssrc.cum_nr', () => `Cumulative number of packets lost: ${lost}`, lost, blockAt + 5, 3);
            });
            const extHigh = be32(data, blockAt + 8);
            b.group('rtcp.ssrc.ext_high', () => `Extended highest sequence number received: ${extHigh}`, extHigh, blockAt + 8, 4, () => {
              b.add('rtcp.ssrc.high_cycles', () => `Sequence number cycles count: ${extHigh >>> 16}`, extHigh >>> 16, blockAt + 8, 2);
              b.add('rtcp.ssrc.high_seq', () => `Highest sequence number received: ${extHigh & 0xffff}`, extHigh & 0xffff, blockAt + 10, 2);
            });
            const jitter = be32(data, blockAt + 12);
            b.add('rtcp.ssrc.jitter', () => `Interarrival jitter: ${jitter}`, jitter, blockAt + 12, 4);
            const lsr = be32(data, blockAt + 16);
            b.add('rtcp.ssrc.lsr', () => `Last SR timestamp: ${lsr} (${hex(lsr, 8)})`, lsr, blockAt + 16, 4);
            const dlsr = be32(data, blockAt + 20);
            b.add('rtcp.ssrc.dlsr', () => `Delay since last SR timestamp: ${dlsr} (${Math.round(dlsr / 65.536)} milliseconds)`, dlsr, blockAt + 20, 4);
          });
          p += 24;
        }
        // Profile-specific extensions fill the rest of the packet: type, length, data.
        while (p + 4 <= Math.min(pend, stop)) {
          const extType = be16(data, p);
          const extLength = be16(data, p + 2);
          if (extLength < 4 || p + extLength > stop) break;
          const extAt = p;
          b.group('', 'Payload Specific Extension (Unknown)', null, extAt, extLength, () => {
            b.add('rtcp.profile-specific-extension.type', () => `Extension Type: Unknown (${extType})`, extType, extAt, 2);
            b.add('rtcp.profile-specific-extension.length', () => `Extension Length: ${extLength}`, extLength, extAt + 2, 2);
            if (extLength > 4) b.add('rtcp.profile-specific-extension', () => `Profile-specific extension: ${data.toString('hex', extAt + 4, extAt + extLength)}`, data.subarray(extAt + 4, extAt + extLength), extAt + 4, extLength - 4, () => data.toString('hex', extAt + 4, extAt + extLength));
          });
          p += extLength;
        }
      } else if (pt === 202) {
        for (let i = 1; i <= count && p < pend; i++) {
          const chunkAt = p;
          const id = b.u32(chunkAt, 'SDES chunk');
          let q = chunkAt + 4;
          b.group('', () => `Chunk ${i}, SSRC/CSRC ${hex(id, 8)}`, null, chunkAt, 0, () => {
            b.add('rtcp.ssrc.identifier', () => `Identifier: ${hex(id, 8)} (${id})`, id, chunkAt, 4, () => hex(id, 8));
            b.group('', 'SDES items', null, q, 0, () => {
              for (;;) {
                const type = b.u8(q, 'SDES item');
                b.add('rtcp.sdes.type', () => `Type: ${SDES_TYPES[type] ?? 'Unknown'} (${type})`, type, q, 1);
                q++;
                if (type === 0) break;
                const len = b.u8(q, 'SDES item');
                b.add('rtcp.sdes.length', () => `Length: ${len}`, len, q, 1);
                q++;
                b.need(q, len, 'SDES text');
                const text = data.toString('latin1', q, q + len);
                b.add(type === 8 ? 'rtcp.sdes.prefix.string' : 'rtcp.sdes.text', () => `Text: ${text}`, text, q, len);
                q += len;
              }
            });
          });
          // Chunks end on a 32-bit boundary.
          q = chunkAt + Math.ceil((q - chunkAt) / 4) * 4;
          p = q;
        }
      } else if (pt === 203) {
        for (let i = 0; i < count; i++) {
          const id = b.u32(p, 'BYE SSRC');
          b.add('rtcp.ssrc.identifier', () => `Identifier: ${hex(id, 8)} (${id})`, id, p, 4, () => hex(id, 8));
          p += 4;
        }
        if (p < pend) {
          const len = b.u8(p, 'BYE reason');
          b.add('rtcp.sdes.length', () => `Length: ${len}`, len, p, 1);
          b.need(p + 1, len, 'BYE reason');
          const reason = data.toString('latin1', p + 1, p + 1 + len);
          b.add('rtcp.sdes.text', () => `Text: ${reason}`, reason, p + 1, len);
        }
      }
      b.need(start, length, 'RTCP packet');
    });
    if (bad) {
      layer.length = stop - start;
      layers.push(layer);
      break;
    }
    layer.length = Math.min(length, stop - start);
    layers.push(layer);
    if (layer.status !== 'ok') break;
    total += length;
    at = start + length;
  }
  const last = layers[layers.length - 1];
  if (last && last.status === 'ok') {
    const ok = total === end - offset;
    const check = ok
      ? { abbrev: 'rtcp.length_check', label: `[RTCP frame length check: OK - ${total} bytes]`, value: true, text: '1', offset: at, length: 0 }
      : { abbrev: 'rtcp.length_check', label: `[RTCP frame length check: Wrong (${total} bytes)]`, value: false, text: '0', offset: at, length: 0 };
    if (ctx.fields === undefined || ctx.fields.has('rtcp.length_check')) last.fields.push(check);
  }
  return { layers, protocolColumn: 'RTCP', info: info + (last ? statusSuffix(last) : '') };
}

/** What tshark appends to Info after an exception. */
export function statusSuffix(layer: Layer): string {
  return layer.status === 'malformed' ? '[Malformed Packet]' : layer.status === 'truncated' ? '[Packet size limited during capture]' : '';
}
