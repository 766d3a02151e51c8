/**
 * TCP (RFC 9293): ports, relative sequence numbers and stream index as Wireshark computes them,
 * flags, window scaling, options, and the payload handed to an application dissector.
 */
import { hex, LayerBuilder, stopped } from './builder';
import type { Dissector } from './dissector';
import { be16, be32, bitPicture, bytesHex, nsToSeconds, setText } from './format';
import type { AppContext } from './model';
import type { PacketState } from './packet-state';
import { COMPLETENESS, type TcpConversation, type TcpDirection } from './tcp-streams';
import { dissectTcpPayload, finishAtFin } from './tcp-pdus';
import { A, analysisInfo, analyzeSegment, ANALYSIS_EXPERTS, type AnalysisResult } from './tcp-analysis';
import { addExpert, addExpertTo } from './expert';
import { dissectTcpOptions, type TcpOptionSummary } from './tcp-options';

const FLAG_BITS: Array<[number, string, string, string]> = [
  [0x100, 'tcp.flags.ae', 'Accurate ECN', 'AE'],
  [0x080, 'tcp.flags.cwr', 'Congestion Window Reduced', 'CWR'],
  [0x040, 'tcp.flags.ece', 'ECN-Echo', 'ECE'],
  [0x020, 'tcp.flags.urg', 'Urgent', 'URG'],
  [0x010, 'tcp.flags.ack', 'Acknowledgment', 'ACK'],
  [0x008, 'tcp.flags.push', 'Push', 'PSH'],
  [0x004, 'tcp.flags.reset', 'Reset', 'RST'],
  [0x002, 'tcp.flags.syn', 'Syn', 'SYN'],
  [0x001, 'tcp.flags.fin', 'Fin', 'FIN'],
];
const FLAG_LETTERS = 'RRRACEUAPRSF';
const RETRANSMISSION_TEXT = 'This frame is a (suspected) retransmission';
/** Info-column order of flag names: from the lowest bit up, as Wireshark builds it. */
const INFO_ORDER = [...FLAG_BITS].reverse();

/** The option summary of a header without options (shared: never changed). */
const NO_OPTIONS: Readonly<TcpOptionSummary> = Object.freeze({ info: '', windowShift: -1, mptcp: 0, sackDelivered: -1 });

/** 'SYN, ACK' as the Info column and the flags label list the set flags; '<None>' when none is. */
function flagNames(flags: number): string {
  let names = FLAG_NAMES[flags];
  if (names === undefined) {
    const set = INFO_ORDER.filter(([bit]) => (flags & bit) !== 0).map(([, , , n]) => n);
    if (flags & 0xe00) set.push('Reserved');
    names = set.join(', ') || '<None>';
    FLAG_NAMES[flags] = names;
  }
  return names;
}
/** flagNames() by the 12 flag bits (at most 4,096 strings). */
const FLAG_NAMES: string[] = [];

/** The conversation-completeness value as tshark 4.0 words it (conversation_completeness_fill). */
function completenessText(value: number): string {
  const { SYN, SYN_ACK, ACK, DATA, FIN, RST } = COMPLETENESS;
  const handshake = SYN | SYN_ACK | ACK;
  switch (value) {
    case SYN:
      return `Incomplete, SYN_SENT (${value})`;
    case SYN | SYN_ACK:
      return `Incomplete, CLIENT_ESTABLISHED (${value})`;
    case handshake:
      return `Incomplete, ESTABLISHED (${value})`;
    case handshake | DATA:
      return `Incomplete, DATA (${value})`;
    case handshake | DATA | FIN:
    case handshake | DATA | RST:
    case handshake | DATA | FIN | RST:
      return `Complete, WITH_DATA (${value})`;
    case handshake | FIN:
    case handshake | RST:
    case handshake | FIN | RST:
      return `Complete, NO_DATA (${value})`;
    default:
      return `Incomplete (${value})`;
  }
}

/** tcp.flags.str: '··········S·'. */
function flagLetters(flags: number): string {
  let letters = '';
  for (let i = 11; i >= 0; i--) letters += (flags >> i) & 1 ? FLAG_LETTERS[11 - i] : '·';
  return letters;
}

export function dissectTcp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'tcp', 'Transmission Control Protocol', offset, end, p.selection);
  let payload = -1;
  let mptcpOptions = 0;
  let srcPort = 0;
  let dstPort = 0;
  let flow: TcpDirection | null = null;
  let analysis: AnalysisResult | null = null;
  let relativeSeq = 0;
  let finOnly = false;
  let streamFirstFrame = 0;
  /** The connection, for its heuristic's dissector (not for headers an ICMP error quotes). */
  let connection: TcpConversation | null = null;
  try {
    header: {
      b.need(offset, 4, 'TCP ports');
      srcPort = be16(data, offset);
      dstPort = be16(data, offset + 2);
      if (b.wants('tcp.srcport')) b.add('tcp.srcport', () => `Source Port: ${d.portLabel('tcp', srcPort)}`, srcPort, offset, 2);
      if (b.wants('tcp.dstport')) b.add('tcp.dstport', () => `Destination Port: ${d.portLabel('tcp', dstPort)}`, dstPort, offset + 2, 2);
      if (b.wants('tcp.port')) b.add('tcp.port', () => `Source or Destination Port: ${srcPort}`, srcPort, offset, 2).hidden = true;
      if (b.wants('tcp.port')) b.add('tcp.port', () => `Source or Destination Port: ${dstPort}`, dstPort, offset + 2, 2).hidden = true;
      if (b.tree) b.title(() => `Transmission Control Protocol, Src Port: ${d.portLabel('tcp', srcPort)}, Dst Port: ${d.portLabel('tcp', dstPort)}`);
      p.setProtocol('TCP', p.columns ? `${d.portText('tcp', srcPort)} → ${d.portText('tcp', dstPort)}` : '');
      // An ICMP error quotes the header's first 8 bytes at least: packet-tcp.c shows the ports and
      // the sequence number as it is, and nothing it cannot read (no malformed mark).
      if (p.quoted > 0 && Math.min(end, data.length) - offset < 20) {
        if (Math.min(end, data.length) - offset >= 8 && b.wants('tcp.seq')) {
          const seq = be32(data, offset + 4);
          b.add('tcp.seq', () => `Sequence Number: ${seq}`, seq, offset + 4, 4);
        }
        break header;
      }
      b.need(offset + 4, 16, 'TCP header');
      const seqRaw = be32(data, offset + 4);
      const ackRaw = be32(data, offset + 8);
      const hdrWord = be16(data, offset + 12);
      const hlen = (hdrWord >> 12) * 4;
      const flags = hdrWord & 0xfff;
      const window = be16(data, offset + 14);
      const checksum = be16(data, offset + 16);
      const urgent = be16(data, offset + 18);
      const syn = (flags & 2) !== 0;
      const ack = (flags & 0x10) !== 0;
      const fin = (flags & 1) !== 0;
      const rst = (flags & 4) !== 0;
      // A header length below 20 is bogus: packet-tcp.c still finds the conversation, analyses the
      // segment (its length counted from that header length) and shows the sequence number, then
      // gives up at the header length, with no payload, no tap and no malformed mark.
      const bogus = hlen < 20;
      const segLen = Math.max(0, end - offset - hlen);

      let seq = seqRaw;
      let ackValue = ackRaw;
      let conv: TcpConversation | null = null;
      let dir: 0 | 1 = 0;
      let completeness = 0;
      if (!p.quoted) {
        ({ conv, dir } = d.tcpStreams.lookup(p.netSrc, srcPort, p.netDst, dstPort, syn, ack, seqRaw));
        conv.firstFrame ??= p.frame.number;
        streamFirstFrame = conv.firstFrame;
        connection = conv;
        d.hindsight?.noteTcp(conv);
        const fwd = conv.dirs[dir];
        const rev = conv.dirs[dir === 0 ? 1 : 0];
        // A SYN-ACK whose sequence number is not its side's base: packet-tcp.c keeps the stream,
        // notes the port reuse and counts this side from the new ISN.
        const synAckReused = syn && ack && fwd.baseSet && fwd.baseSeq !== seqRaw;
        // A SYN on a stream whose side already has this base (set by the other side's ACK):
        // packet-tcp.c looks up its analysis, which then shows even with nothing in it.
        const synOnKnownBase = syn && !ack && fwd.baseSet && fwd.baseSeq === seqRaw;
        if (synAckReused) {
          // Its analysis counts in absolute numbers, where a next sequence number of 0 means none
          // yet: what this side expected carries over, counted from the new ISN.
          const rebase = (relative: number): number => {
            const absolute = (relative + fwd.baseSeq) >>> 0;
            return relative === 0 || absolute === 0 ? 0 : (absolute - seqRaw) >>> 0;
          };
          fwd.analysis.nextseq = rebase(fwd.analysis.nextseq);
          fwd.analysis.maxseqtobeacked = rebase(fwd.analysis.maxseqtobeacked);
          for (const segment of fwd.analysis.segments) {
            segment.seq = (segment.seq + fwd.baseSeq - seqRaw) >>> 0;
            segment.nextseq = (segment.nextseq + fwd.baseSeq - seqRaw) >>> 0;
          }
          fwd.analysis.spanKnown = false;
          fwd.baseSeq = seqRaw;
        }
        if (!fwd.baseSet) {
          fwd.baseSeq = syn ? seqRaw : (seqRaw - 1) >>> 0;
          fwd.baseSet = true;
        }
        if (ack && !rev.baseSet) {
          rev.baseSeq = (ackRaw - 1) >>> 0;
          rev.baseSet = true;
        }
        seq = (seqRaw - fwd.baseSeq) >>> 0;
        flow = fwd;
        if (ack) ackValue = (ackRaw - rev.baseSeq) >>> 0;
        completeness = conv.completeness;
        const ts = p.frame.tsNs;
        // The initial RTT as Wireshark takes it: from the latest SYN to the first ACK without SYN
        // (whichever side sends it), once the analysis of this segment is done.
        analysis = analyzeSegment(fwd.analysis, rev.analysis, seq, ackValue, segLen, flags, window, rev.windowShift, conv.irtt, p.frame.number, ts);
        if (syn && !ack) conv.synTs = ts;
        else if (ack && !syn && conv.irtt === 0n && conv.synTs >= 0n) conv.irtt = ts - conv.synTs;
        if (synAckReused) analysis.flags |= A.REUSED_PORTS;
        if (synAckReused || synOnKnownBase) analysis.recorded = true;
        if (conv.reused && syn && !ack) {
          // As packet-tcp.c on port reuse: the SYN's analysis is recorded (its "[SEQ/ACK analysis]"
          // carries the note), and the new conversation shows this SYN already (SYN_SENT).
          analysis.flags |= A.REUSED_PORTS;
          analysis.recorded = true;
          conv.completeness |= COMPLETENESS.SYN;
          completeness = conv.completeness;
          conv.reused = false;
        }
        const stream = conv.index;
        p.setTransportLayout(srcPort, dstPort, stream, conv.flip ? (dir === 0 ? 1 : 0) : dir);
        const layout = p.layout;
        layout.tcpFlags = flags;
        layout.seqRaw = seqRaw;
        layout.ackRaw = ackRaw;
        layout.segmentLength = segLen;
        layout.completenessBefore = completeness;
        layout.lastStream = stream;
        layout.lastStreamTcp = true;
        if (bogus) p.tapsClosed = true;
        else p.tap('tcp', p.netSrc, p.netDst, srcPort, dstPort, stream, flags);
        if (b.wants('tcp.stream')) b.add('tcp.stream', () => `[Stream index: ${stream}]`, stream, offset, 0);
        // tshark's second pass (-2) shows the conversation as the first pass ended it, with what
        // the second pass has added since (where the first frame of a stream counts too).
        const final = d.hindsight?.tcpFinal(stream);
        const shown = final === undefined ? completeness : final.completeness | (conv.laterBits ?? 0);
        if (b.wants('tcp.completeness')) b.add('tcp.completeness', () => `[Conversation completeness: ${completenessText(shown)}]`, shown, offset, 0);
        // tshark shows the bits gathered before this segment; which flag combinations count was
        // checked against tshark 4.0 on nmap's odd probes (SYN|FIN counts as SYN, FIN needs ACK).
        // A SYN-ACK that opens the stream (its SYN not seen) counts for nothing, as in tshark 4.0.
        if (bogus) {
          // (packet-tcp.c gives up before it notes the segment's flags.)
        } else if (syn) {
          // A SYN counts in the frame that opens its stream (one seen after its SYN-ACK does not).
          if (!ack) { if (conv.firstFrame === p.frame.number) conv.completeness |= COMPLETENESS.SYN; }
          else if (conv.firstFrame !== p.frame.number) conv.completeness |= COMPLETENESS.SYN_ACK;
          // A SYN's data (TCP Fast Open) counts.
          if (segLen > 0) conv.completeness |= COMPLETENESS.DATA;
        } else if (conv.firstFrame !== p.frame.number) {
          if (rst) conv.completeness |= COMPLETENESS.RST;
          if (fin && ack) conv.completeness |= COMPLETENESS.FIN;
          if (ack && segLen === 0) conv.completeness |= COMPLETENESS.ACK;
          if (segLen > 0) conv.completeness |= COMPLETENESS.DATA;
        }
        if (final !== undefined && !bogus) {
          let bits = syn ? (ack ? COMPLETENESS.SYN_ACK : COMPLETENESS.SYN) : 0;
          if (!syn) {
            if (rst) bits |= COMPLETENESS.RST;
            if (fin && ack) bits |= COMPLETENESS.FIN;
            if (ack && segLen === 0) bits |= COMPLETENESS.ACK;
          }
          // (A SYN's data too: TCP Fast Open.)
          if (segLen > 0) bits |= COMPLETENESS.DATA;
          conv.laterBits = (conv.laterBits ?? 0) | bits;
        }
      } else {
        // A header an ICMP error quotes: packet-tcp.c finds (or makes) its conversation as well, so
        // its stream index and completeness show and its time stamps count (a quote can open a
        // stream, numbered before later ones), but analyses nothing: no segment length, and the
        // sequence number as sent.
        if (b.wants('tcp.seq')) b.add('tcp.seq', () => `Sequence Number: ${seqRaw}`, seqRaw, offset + 4, 4);
        ({ conv, dir } = d.tcpStreams.lookup(p.netSrc, srcPort, p.netDst, dstPort, syn, ack, seqRaw));
        conv.firstFrame ??= p.frame.number;
        streamFirstFrame = conv.firstFrame;
        const stream = conv.index;
        const shown = conv.completeness;
        const layout = p.layout;
        layout.lastStream = stream;
        layout.lastStreamTcp = true;
        layout.completenessBefore = shown;
        if (b.wants('tcp.stream')) b.add('tcp.stream', () => `[Stream index: ${stream}]`, stream, offset, 0);
        if (b.wants('tcp.completeness')) b.add('tcp.completeness', () => `[Conversation completeness: ${completenessText(shown)}]`, shown, offset, 0);
      }
      if (p.quoted === 0 && b.wants('tcp.len')) b.add('tcp.len', () => `[TCP Segment Len: ${segLen}]`, segLen, offset, 0);
      // -o tcp.relative_sequence_numbers:FALSE: the numbers as sent; the raw fields are still there
      // but hidden from the tree (tcp.ack_raw shows when the ACK flag is not set), as tshark has them.
      // The analysis stays relative.
      const relative = d.relativeSequence;
      relativeSeq = seq;
      if (!relative) {
        seq = seqRaw;
        if (ack) ackValue = ackRaw;
      }
      // (A quoted header's was shown before its stream.)
      if (p.quoted === 0 && b.wants('tcp.seq')) b.add('tcp.seq', () => `Sequence Number: ${seq}${relative ? '    (relative sequence number)' : ''}`, seq, offset + 4, 4);
      if (b.wants('tcp.seq_raw') && p.quoted === 0) {
        const raw = b.add('tcp.seq_raw', () => `Sequence Number (raw): ${seqRaw}`, seqRaw, offset + 4, 4);
        if (!relative) raw.hidden = true;
      }
      if (bogus) {
        b.group('tcp.hdr_len', () => `${bitPicture(hdrWord >> 8, 0xf0, 8)} = Header Length: ${hlen} bytes (${hlen / 4})`, hlen, offset + 12, 1, () => {
          // (Raised inside packet-tcp.c's `if (tree)`: -z expert does not count it.)
          const expert = addExpert(b, 'tcp.bogus_header_length', 'Error', 'Protocol', `Bogus TCP header length (${hlen}, must be at least 20)`, offset + 12, 1).expert;
          if (expert !== undefined) expert.treeOnly = true;
        });
        let scaled = window;
        const shift = conv !== null && !syn ? conv.dirs[dir].windowShift : -1;
        if (shift >= 0) scaled = window * (shift < 31 ? 1 << shift : 2 ** shift);
        if (conv !== null) {
          // The stream's time stamps count this segment (packet-tcp.c takes them before it gives up).
          const ts = p.frame.tsNs;
          if (conv.times === null) conv.times = { first: ts, last: ts };
          else conv.times.last = ts;
        }
        if (p.columns) {
          let info = `${d.portText('tcp', srcPort)} → ${d.portText('tcp', dstPort)} [${flagNames(flags)}] Seq=${seq}`;
          if (ack) info += ` Ack=${ackValue}`;
          p.setProtocol('TCP', `${info} Win=${scaled}, bogus TCP header length (${hlen}, must be at least 20)`);
        }
        if (b.tree) b.layer.title += `, Seq: ${seq}`;
        break header;
      }
      const nextSeq = (seq + segLen + (syn || fin ? 1 : 0)) >>> 0;
      if (b.wants('tcp.nxtseq') && p.quoted === 0) b.add('tcp.nxtseq', () => `[Next Sequence Number: ${nextSeq}${relative ? '    (relative sequence number)' : ''}]`, nextSeq, offset, 0);
      if (b.wants('tcp.ack') || (!ack && ackRaw !== 0 && b.wantsAny('_ws.expert'))) {
        const field = b.add('tcp.ack', () => `Acknowledgment Number: ${ackValue}${ack && relative ? '    (relative ack number)' : ''}`, ackValue, offset + 8, 4);
        if (!ack && ackRaw !== 0) addExpertTo(b, field, 'tcp.ack.nonzero', 'Note', 'Protocol', 'The acknowledgment number field is nonzero while the ACK flag is not set');
      }
      if (b.wants('tcp.ack_raw')) {
        const raw = b.add('tcp.ack_raw', () => `Acknowledgment number (raw): ${ackRaw}`, ackRaw, offset + 8, 4);
        if (!relative && ack) raw.hidden = true;
      }
      if (b.wants('tcp.hdr_len')) b.add('tcp.hdr_len', () => `${bitPicture(hdrWord >> 8, 0xf0, 8)} = Header Length: ${hlen} bytes (${hlen / 4})`, hlen, offset + 12, 1);
      // The side that sent the first FIN initiates the closing (each FIN it sends says so); the
      // other side's FINs undergo it.
      let finRole = '';
      if (fin && conv && !p.quoted) {
        conv.finSide ??= dir;
        finRole = conv.finSide === dir ? 'active' : 'passive';
      }
      if (b.wantsAny('tcp.flags') || b.wantsAny('tcp.connection') || b.wantsAny('_ws.expert')) b.group('tcp.flags', () => `Flags: ${hex(flags, 3)} (${flagNames(flags)})`, flags, offset + 12, 2, () => {
        // Each flag on the byte that holds it, as tshark places them (the reserved bits and AE in the first).
        b.add('tcp.flags.res', () => `${bitPicture(flags, 0xe00, 12)} = Reserved: ${setText((flags & 0xe00) !== 0)}`, (flags & 0xe00) !== 0, offset + 12, 1);
        for (const [bit, abbrev, label] of FLAG_BITS) {
          const field = b.add(abbrev, () => `${bitPicture(flags, bit, 12)} = ${label}: ${setText((flags & bit) !== 0)}`, (flags & bit) !== 0, bit >= 0x100 ? offset + 12 : offset + 13, 1);
          // Wireshark's connection chats, each on its flag's line.
          if ((flags & bit) === 0) continue;
          if (bit === 0x002) {
            if (ack) addExpertTo(b, field, 'tcp.connection.synack', 'Chat', 'Sequence', `Connection establish acknowledge (SYN+ACK): server port ${srcPort}`);
            else addExpertTo(b, field, 'tcp.connection.syn', 'Chat', 'Sequence', `Connection establish request (SYN): server port ${dstPort}`);
          } else if (bit === 0x001) addExpertTo(b, field, 'tcp.connection.fin', 'Chat', 'Sequence', 'Connection finish (FIN)');
          else if (bit === 0x004) addExpertTo(b, field, 'tcp.connection.rst', 'Warning', 'Sequence', 'Connection reset (RST)');
        }
        const letters = flagLetters(flags);
        const str = b.add('tcp.flags.str', () => `[TCP Flags: ${letters}]`, letters, offset + 12, 2);
        if (finRole === 'active') addExpertTo(b, str, 'tcp.connection.fin_active', 'Note', 'Sequence', 'This frame initiates the connection closing');
        else if (finRole === 'passive') addExpertTo(b, str, 'tcp.connection.fin_passive', 'Note', 'Sequence', 'This frame undergoes the connection closing');
      }, () => hex(flags, 4));
      if (b.wants('tcp.window_size_value')) b.add('tcp.window_size_value', () => `Window: ${window}`, window, offset + 14, 2);
      let scaled = window;
      let factor: number | null = null;
      if (conv && !syn) {
        // tshark's second pass (-2) scales with the direction's last wscale option (nmap's probes
        // carry them outside SYNs).
        const last = d.hindsight?.tcpFinal(conv.index)?.dirs[dir].windowShift ?? -1;
        const own = last >= 0 ? last : conv.dirs[dir].windowShift;
        if (own >= 0) {
          factor = own < 31 ? 1 << own : 2 ** own;
          scaled = window * factor;
        } else factor = own;
      }
      if (b.wants('tcp.window_size')) b.add('tcp.window_size', () => `[Calculated window size: ${scaled}]`, scaled, offset + 14, 2);
      if (factor !== null && b.wants('tcp.window_size_scalefactor')) b.add('tcp.window_size_scalefactor', () => `[Window size scaling factor: ${factor === -1 ? '-1 (unknown)' : factor === -2 ? '-2 (no window scaling used)' : factor}]`, factor, offset + 14, 2);
      if (b.wants('tcp.checksum')) b.add('tcp.checksum', () => `Checksum: ${hex(checksum, 4)} [unverified]`, checksum, offset + 16, 2, () => hex(checksum, 4));
      if (b.wants('tcp.checksum.status')) b.add('tcp.checksum.status', '[Checksum Status: Unverified]', 2, offset + 16, 0);
      if (b.wants('tcp.urgent_pointer') || (urgent !== 0 && (flags & 0x20) === 0 && b.wantsAny('_ws.expert'))) {
        const field = b.add('tcp.urgent_pointer', () => `Urgent Pointer: ${urgent}`, urgent, offset + 18, 2);
        if (urgent !== 0 && (flags & 0x20) === 0) addExpertTo(b, field, 'tcp.urgent_pointer.non_zero', 'Note', 'Protocol', 'The urgent pointer field is nonzero while the URG flag is not set');
      }
      let opts: Readonly<TcpOptionSummary> = NO_OPTIONS;
      if (hlen > 20) {
        b.need(offset + 20, hlen - 20, 'TCP options');
        const peer = conv?.dirs[dir === 0 ? 1 : 0];
        const sackBase = relative && peer !== undefined && peer.baseSet ? peer.baseSeq : -1;
        opts = dissectTcpOptions(b, offset + 20, offset + hlen, p.columns, sackBase, ack && sackBase >= 0 ? ackValue : -1, syn, syn && !ack);
      }
      if (conv) {
        // As packet-tcp.c: a wscale option counts wherever it appears (pdu_store_window_scale_option);
        // then on a SYN or SYN-ACK (verify_tcp_window_scaling) a sender with no shift known means
        // no scaling for either side, and a SYN-ACK answering a SYN without one none for its
        // sender. A retransmitted SYN or SYN-ACK without the option changes nothing once its
        // sender's side is known (tshark 4.0 on nowebaccess2, and on a handshake seen again).
        const own = conv.dirs[dir];
        const other = conv.dirs[dir === 0 ? 1 : 0];
        if (opts.windowShift >= 0) own.windowShift = opts.windowShift;
        if (syn) {
          if (own.windowShift === -1) own.windowShift = other.windowShift = -2;
          else if (ack && other.windowShift === -2) own.windowShift = -2;
        }
        // The SACK blocks of this side's latest segment (none without a SACK option).
        if (!p.quoted) own.analysis.sackDelivered = Math.max(opts.sackDelivered, 0);
      }
      if (conv) {
        const ts = p.frame.tsNs;
        let times = conv.times;
        if (times === null) conv.times = times = { first: ts, last: ts };
        const { first, last } = times;
        if (b.wantsAny('tcp.time_')) b.group('', '[Timestamps]', null, offset, 0, () => {
          const rel = ts - first;
          const delta = ts - last;
          b.add('tcp.time_relative', () => `[Time since first frame in this TCP stream: ${nsToSeconds(rel)} seconds]`, rel, offset, 0, () => nsToSeconds(rel));
          b.add('tcp.time_delta', () => `[Time since previous frame in this TCP stream: ${nsToSeconds(delta)} seconds]`, delta, offset, 0, () => nsToSeconds(delta));
        });
        times.last = ts;
      }
      if (analysis !== null && analysis.recorded) {
        const result = analysis;
        // tshark's second pass (-2) knows the iRTT on the frames before it too.
        const irtt = (conv !== null ? d.hindsight?.tcpFinal(conv.index)?.irtt : undefined) ?? conv?.irtt ?? 0n;
        // As Wireshark's tcp_print_sequence_number_analysis(): the acknowledged segment and its RTT,
        // the initial RTT, bytes in flight and pushed; then the flags' expert items on "TCP Analysis
        // Flags" (a retransmission with its RTO), then a duplicate ACK's number and frame.
        if (b.wantsAny('tcp.analysis') || b.wantsAny('_ws.expert')) b.group('tcp.analysis', '[SEQ/ACK analysis]', null, offset, 0, () => {
          if (result.acksFrame !== 0) {
            b.add('tcp.analysis.acks_frame', () => `[This is an ACK to the segment in frame: ${result.acksFrame}]`, result.acksFrame, offset, 0);
            if (result.ackRttNs !== 0n) b.add('tcp.analysis.ack_rtt', () => `[The RTT to ACK the segment was: ${nsToSeconds(result.ackRttNs)} seconds]`, result.ackRttNs, offset, 0, () => nsToSeconds(result.ackRttNs));
          }
          if (irtt !== 0n) b.add('tcp.analysis.initial_rtt', () => `[iRTT: ${nsToSeconds(irtt)} seconds]`, irtt, offset, 0, () => nsToSeconds(irtt));
          if (result.bytesInFlight !== 0) {
            b.add('tcp.analysis.bytes_in_flight', () => `[Bytes in flight: ${result.bytesInFlight}]`, result.bytesInFlight, offset, 0);
            b.add('tcp.analysis.push_bytes_sent', () => `[Bytes sent since last PSH flag: ${result.pushBytesSent}]`, result.pushBytesSent, offset, 0);
          }
          if (result.flags === 0) return;
          b.group('tcp.analysis.flags', '[TCP Analysis Flags]', null, offset, 0, () => {
            for (const [bit, abbrev, severity, message] of ANALYSIS_EXPERTS) {
              if ((result.flags & bit) === 0) continue;
              // tshark marks a spurious retransmission as such only, without the plain one.
              if (bit === A.RETRANSMISSION && (result.flags & A.SPURIOUS_RETRANSMISSION) !== 0) continue;
              if (severity === null) {
                b.add(abbrev, `[${message}]`, null, offset, 0, '');
                continue;
              }
              addExpert(b, abbrev, severity, 'Sequence', message, offset, 0);
              // Fast and spurious retransmissions are retransmissions too (their item, no RTO).
              if (bit === A.FAST_RETRANSMISSION || bit === A.SPURIOUS_RETRANSMISSION) addExpert(b, 'tcp.analysis.retransmission', 'Note', 'Sequence', RETRANSMISSION_TEXT, offset, 0);
              if (bit === A.RETRANSMISSION && result.rtoNs !== 0n) {
                b.add('tcp.analysis.rto', () => `[The RTO for this segment was: ${nsToSeconds(result.rtoNs)} seconds]`, result.rtoNs, offset, 0, () => nsToSeconds(result.rtoNs));
                b.add('tcp.analysis.rto_frame', () => `[RTO based on delta from frame: ${result.rtoFrame}]`, result.rtoFrame, offset, 0);
              }
            }
          }, '');
          if (result.flags & A.DUPLICATE_ACK) {
            b.add('tcp.analysis.duplicate_ack_num', () => `[Duplicate ACK #: ${result.dupackNum}]`, result.dupackNum, offset, 0);
            b.group('tcp.analysis.duplicate_ack_frame', () => `[Duplicate to the ACK in frame: ${result.dupackFrame}]`, result.dupackFrame, offset, 0, () => {
              addExpert(b, 'tcp.analysis.duplicate_ack', 'Note', 'Sequence', `Duplicate ACK (#${result.dupackNum})`, offset, 0);
            });
          }
        }, '');
        if (p.columns && result.flags !== 0) p.infoPrefix = analysisInfo(result);
      }
      if (p.columns) {
        let info = `${d.portText('tcp', srcPort)} → ${d.portText('tcp', dstPort)} [${flagNames(flags)}] Seq=${seq}`;
        if (ack) info += ` Ack=${ackValue}`;
        info += ` Win=${scaled}`;
        if (flags & 0x20) info += ` Urg=${urgent}`;
        info += ` Len=${segLen}${opts.info}${opts.mptcpMalformed ? '[Malformed Packet]' : ''}`;
        p.setProtocol(opts.mptcp ? 'MPTCP' : 'TCP', info);
      } else p.setProtocol('TCP', '');
      mptcpOptions = opts.mptcp;
      if (b.tree) b.layer.title += `, Seq: ${seq}${ack ? `, Ack: ${ackValue}` : ''}${p.quoted > 0 ? '' : `, Len: ${segLen}`}`;
      b.setLength(hlen);
      const stop = Math.min(end, data.length);
      if (stop > offset + hlen) b.layer.extent = stop;
      if (segLen > 0 && stop > offset + hlen && b.wants('tcp.payload')) {
        b.add('tcp.payload', () => `TCP payload (${stop - offset - hlen} byte${stop - offset - hlen === 1 ? '' : 's'})`, data.subarray(offset + hlen, stop), offset + hlen, stop - offset - hlen, () => bytesHex(data, offset + hlen, stop - offset - hlen));
      }
      if (segLen > 0 && conv && !p.quoted) {
        p.layout.payloadOffset = offset + hlen;
        p.layout.payloadEnd = end;
        p.layout.payloadData = data;
      }
      // A malformed MPTCP option ends tshark's TCP dissection before the payload.
      if (segLen > 0 && !opts.mptcpMalformed) payload = offset + hlen;
      finOnly = fin && !rst && segLen === 0;
    }
  } catch (err) {
    stopped(b, err);
  }
  p.addLayer(b.layer);
  // tshark's MPTCP option items are protocol items inside the TCP tree: one `mptcp` each in the chain.
  for (let i = 0; i < mptcpOptions; i++) p.protocols.push('mptcp');
  const desegment = d.desegment && flow !== null && b.layer.status === 'ok';
  if (payload < 0 || payload >= end) {
    if (desegment && finOnly && flow!.pdu !== null) finishAtFin(d, p, appContext(d, p, srcPort, dstPort, streamFirstFrame, connection), flow!);
    return;
  }
  const ctx = appContext(d, p, srcPort, dstPort, streamFirstFrame, connection);
  const analysed = analysis as AnalysisResult | null;
  const flags = analysed?.flags ?? 0;
  if (desegment) dissectTcpPayload(d, p, ctx, flow!, relativeSeq, finOnly || ((be16(data, offset + 12) & 1) !== 0), data, payload, end, flags);
  else if (flags & A.KEEP_ALIVE) d.data(p, data, payload, end);
  // tshark 4.0's decode_tcp_ports (tcp.no_subdissector_on_error, on by default): a retransmitted or
  // out-of-order segment is handed to no dissector, not even Data (a spurious retransmission is,
  // as Wireshark does not flag it a retransmission).
  else if ((flags & A.OUT_OF_ORDER) === 0 && (flags & (A.RETRANSMISSION | A.SPURIOUS_RETRANSMISSION)) !== A.RETRANSMISSION) d.byPort(p, ctx, data, payload, end);
}

function appContext(d: Dissector, p: PacketState, srcPort: number, dstPort: number, streamFirstFrame: number, connection: TcpConversation | null): AppContext {
  const ctx: AppContext = { transport: 'tcp', srcPort, dstPort, frameNumber: p.frame.number, src: p.netSrc, dst: p.netDst, fields: p.selection, columns: p.columns, tsNs: p.frame.tsNs, streamFirstFrame, stream: connection?.index };
  if (connection !== null) ctx.connection = connection;
  if (d.hindsight !== undefined) ctx.hindsight = d.hindsight;
  return ctx;
}
