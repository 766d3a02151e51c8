/**
 * The shape of a dissected packet, shared by every dissector, the CLI and (later) the engine.
 *
 * A packet is a list of layers; a layer is a tree of fields. A field carries Wireshark's
 * abbreviation (`ip.src`), a display label (the tree line), a typed value, the text tshark prints
 * for it with `-T fields` and its byte range in the frame, so the UI can highlight it.
 */
import type { Hindsight } from './hindsight';
export type FieldValue = number | bigint | string | boolean | Buffer | null;

export interface Field {
  /** Wireshark's abbreviation, e.g. 'tcp.flags.syn'. Text-only tree lines use '' . */
  abbrev: string;
  /** The tree line as Wireshark shows it, e.g. 'Source Address: 10.0.0.1'. */
  label: string;
  value: FieldValue;
  /** The value as `tshark -T fields -e` prints it (e.g. '0x0002' for tcp.flags, '1' for a set flag). */
  text: string;
  /** Absolute byte offset in the frame (or in the reassembled buffer when `source` is set). */
  offset: number;
  length: number;
  /** Set when the bytes come from a reassembled buffer rather than this frame. */
  source?: 'reassembled';
  /**
   * A field that exists for filters and `-T fields` but is not a tree line (Wireshark's hidden
   * fields, e.g. ip.addr, tcp.port, eth.ig). Tree printers skip it; JSON output keeps it.
   */
  hidden?: boolean;
  /**
   * A top-level field of its layer that tshark's tree shows after the layers nested in it
   * (SMTP's "[Reassembled DATA in frame: N]" after its Line-based text data). Only printers of
   * the tree look at it.
   */
  trailing?: boolean;
  /**
   * A field tshark adds to the packet's top-level tree rather than its protocol's (FTP's
   * "[Current working directory: …]"): printers show it after the layer, at the top. Filters and
   * -T fields find it in its layer as any other.
   */
  root?: boolean;
  children?: Field[];
  /** Set on a `_ws.expert` item (app/dissect/expert.ts): what -z expert counts. */
  expert?: ExpertInfo;
}

export type ExpertSeverity = 'Comment' | 'Chat' | 'Note' | 'Warning' | 'Error';
export type ExpertGroup =
  | 'Checksum' | 'Sequence' | 'Response code' | 'Request code' | 'Undecoded' | 'Reassemble' | 'Malformed'
  | 'Debug' | 'Protocol' | 'Security' | 'Comment' | 'Decryption' | 'Assumption' | 'Deprecated';

/** One expert info (Wireshark's expert_info_t): severity, group, message and, when not the layer's, the protocol that raised it. */
export interface ExpertInfo {
  severity: ExpertSeverity;
  group: ExpertGroup;
  message: string;
  protocol?: string;
  /**
   * Raised only while a tree is built (inside Wireshark's `if (tree)`): the expert tap that
   * `-z expert` reads does not see it, though the tree and filters do.
   */
  treeOnly?: boolean;
}

export type LayerStatus = 'ok' | 'truncated' | 'malformed';

export interface Layer {
  /** Wireshark's protocol abbreviation: 'eth', 'vlan', 'ip', 'ipv6', 'tcp', 'dns', 'tls', ... */
  protocol: string;
  /** Tree heading, e.g. 'Internet Protocol Version 4, Src: 10.0.0.1, Dst: 10.0.0.2'. */
  title: string;
  offset: number;
  length: number;
  fields: Field[];
  /** 'truncated': the capture stopped early; 'malformed': the bytes contradict the protocol. */
  status: LayerStatus;
  /** What was wrong, for truncated/malformed layers. */
  problem?: string;
  /**
   * The protocol (filter name) Wireshark's show_exception names for the problem when it is not the
   * layer's own: a dissector whose fields go into this layer's tree (802.11 RSNA EAPOL in EAPOL's).
   */
  problemProtocol?: string;
  /**
   * What show_exception puts after the protocol's name for an exception other than a bounds
   * error: 'length of contained item exceeds length of containing item' (a ContainedBoundsError).
   */
  problemDetail?: string;
  /** Set when the layer's offsets are in a reassembled buffer (a PDU put together from TCP segments, an IP datagram), not the frame. */
  source?: 'reassembled';
  /** That buffer (with `source`). */
  data?: Buffer;
  /** What tshark's -x calls that buffer when it is not a reassembly ('Uncompressed entity body'). */
  sourceName?: string;
  /** Shown inside the previous layer's tree, as tshark's tree has it (the Data of an HTTP body without a Content-Type). */
  nested?: boolean;
  /**
   * Only a name in frame.protocols: a dissector called by handle whose tree items, if any, are in
   * another layer's tree (the GSS-API subdissectors of a DCE/RPC verifier). Filters and -e find
   * its protocol by those items, not by this layer.
   */
  chainOnly?: boolean;
  /** Further buffers the layer's dissection made that -x lists after `data` (an HTTP body's dechunked bytes). */
  sources?: Array<{ name: string; data: Buffer }>;
  /**
   * End of the bytes the protocol was handed (Wireshark's tvb for it), when past offset + length:
   * TCP's runs to the end of its payload, which a segment of a reassembled PDU leaves to no layer.
   */
  extent?: number;
}

/** The columns of Wireshark's packet list. */
export interface Summary {
  source: string;
  destination: string;
  /** Highest decoded protocol, as Wireshark's Protocol column shows it ('TCP', 'DNS', 'TLSv1.3'). */
  protocol: string;
  length: number;
  info: string;
}

export interface DissectedPacket {
  number: number;
  layers: Layer[];
  summary: Summary;
  status: LayerStatus;
  /** The frame's layer table (always set by Dissector.dissect, with or without a tree). */
  layout?: FrameLayout;
}

/**
 * The compact layer table of one dissected frame: where its innermost link, network and transport
 * headers are and the few values that consumers counting or indexing frames read (conversations,
 * endpoints, the packet index, TCP reassembly) — plain numbers, filled as the dissectors go, so
 * that those consumers need no field and no second parser. Headers quoted inside ICMP errors
 * never set it.
 */
export interface FrameLayout {
  /** Offset of the Ethernet header, -1 when none (the first one when there are several). */
  ethOffset: number;
  /** The innermost IP header: offset, version (0 none) and protocol (IPv4 protocol / IPv6 last next header, -1 none). */
  ipOffset: number;
  ipVersion: 0 | 4 | 6;
  ipProtocol: number;
  /** Network source and destination of that header, as text (the columns of an IP frame). */
  netSrc: string;
  netDst: string;
  /** TCP/UDP ports, -1 when none. */
  srcPort: number;
  dstPort: number;
  /** tcp.stream or udp.stream, -1 when none. */
  stream: number;
  /**
   * Which way the frame goes in its stream: 0 when `netSrc|srcPort` sorts (as text) before or
   * equal to `netDst|dstPort`, 1 otherwise.
   */
  dir: 0 | 1;
  /** TCP: tcp.flags, raw sequence and acknowledgement numbers, tcp.len, tcp.completeness (the stream's bits before this segment). */
  tcpFlags: number;
  seqRaw: number;
  ackRaw: number;
  segmentLength: number;
  completenessBefore: number;
  /**
   * The TCP/UDP payload [payloadOffset, payloadEnd) of payloadData: the frame's bytes, or the
   * reassembled datagram when IP fragments were put together (payloadEnd may pass the captured
   * bytes when the capture cut the frame). payloadOffset -1 when none.
   */
  payloadOffset: number;
  payloadEnd: number;
  payloadData: Buffer | null;
  /**
   * The stream of the last TCP or UDP header with one (quoted UDP datagrams count: udp.stream
   * numbers them too), -1 when none, and whether it is TCP: what a packet list files the frame under.
   */
  lastStream: number;
  lastStreamTcp: boolean;
  /** Index in the packet's layers of the transport (TCP, UDP, ICMP, ICMPv6) layer, -1 when none. */
  transportLayer: number;
  /**
   * The headers conversation and endpoint tables count (Wireshark's taps), in order: every
   * Ethernet, IPv4, IPv6, TCP and UDP header outside ICMP quotes, up to a UDP header with an
   * impossible length (tshark's taps stop there). Null when the dissection was asked for none
   * (DissectOptions.taps).
   */
  taps: TapEvent[] | null;
  /**
   * The frame is one (optional) Ethernet or Linux cooked header, one IP header that is no
   * fragment and has no extension headers, and its transport with a stream (TCP, UDP that is no
   * tunnel) or ICMP/ICMPv6 quoting nothing: the frame's address pairs are exactly those of this
   * layout (conversation and endpoint reports count it without reading fields).
   */
  simple: boolean;
}

/** One header a conversation or endpoint table counts (see FrameLayout.taps). */
export interface TapEvent {
  kind: 'eth' | 'ip' | 'ipv6' | 'tcp' | 'udp';
  /** IP addresses as text (TCP/UDP: those of the IP header below); '' for eth. */
  src: string;
  dst: string;
  /** eth: the frame bytes holding the MAC addresses, and where (source, destination). */
  data: Buffer | null;
  srcAt: number;
  dstAt: number;
  /** TCP/UDP ports and stream (tcp.stream / udp.stream), TCP flags; -1 / 0 otherwise. */
  srcPort: number;
  dstPort: number;
  stream: number;
  tcpFlags: number;
  /** Index of the header's layer in the packet's layers. */
  layer: number;
  /** IPv6: a fragment that completes no datagram (tshark taps an IPv6 header only once its packet is whole). */
  pending: boolean;
}

/** A layout with nothing found yet (and an empty list of tap events, or null when none are recorded). */
export function emptyLayout(taps = true): FrameLayout {
  return {
    ethOffset: -1, ipOffset: -1, ipVersion: 0, ipProtocol: -1, netSrc: '', netDst: '', srcPort: -1, dstPort: -1, stream: -1, dir: 0,
    tcpFlags: 0, seqRaw: 0, ackRaw: 0, segmentLength: 0, completenessBefore: 0, payloadOffset: -1, payloadEnd: 0, payloadData: null, lastStream: -1, lastStreamTcp: false, transportLayer: -1, taps: taps ? [] : null, simple: false,
  };
}

/** The per-packet input of a dissector run. */
export interface FrameInput {
  /** 1-based frame number. */
  number: number;
  tsNs: bigint;
  data: Buffer;
  origLen: number;
  /** LINKTYPE_* of the frame. */
  linkType: number;
  /** pcapng epb_flags direction bits, 0 when unknown. */
  flags?: number;
  /** The pcapng interface the frame was read on (tshark's frame tree names it); absent for pcap and live captures. */
  iface?: FrameInterface;
}

/** A pcapng interface as the frame tree shows it. */
export interface FrameInterface {
  /** Section number, 0 for the first. */
  section: number;
  /** Interface id within its section. */
  id: number;
  name?: string;
  description?: string;
}

/**
 * A TCP connection's slots for its application: the dissector a heuristic (or a switch such as
 * MySQL's STARTTLS or HTTP's 101) gave it, and an HTTP proxy tunnel that a 200 answer to CONNECT
 * opened (packet-http.c: every later payload is handed on as if to the port the CONNECT named).
 */
export interface ConnectionSlot {
  heuristicApp: AppDissector | null;
  proxy: ProxyTunnel | null;
}

/** An HTTP CONNECT tunnel: the request's authority, and what the tunnel learned (http-tunnel.ts). */
export interface ProxyTunnel {
  /** The CONNECT request's URI (host:port). */
  uri: string;
  /** The dissector that hands the tunnel's payloads on (made at the first one). */
  app: AppDissector | null;
}

/** What a UDP/TCP payload dissector (DNS, DHCP, NTP, HTTP, TLS, QUIC, ...) is given. */
export interface AppContext {
  transport: 'udp' | 'tcp';
  srcPort: number;
  dstPort: number;
  frameNumber: number;
  /** Source and destination addresses as text (for Info lines and conversation keys). */
  src: string;
  dst: string;
  /**
   * The field names the caller will read (a display filter's), when it reads no others: the
   * dissector builds no tree (LayerBuilder's selection: no labels, no other fields) and may skip
   * work that adds none of them. Every field it does add is as a full dissection adds it.
   * Absent: the whole tree.
   */
  fields?: ReadonlySet<string>;
  /** False when the caller reads no summary columns (Info): work that only feeds them may be skipped. */
  columns?: boolean;
  /** The frame's capture time (ns since the epoch), for dissectors that time a reply from its request. */
  tsNs?: bigint;
  /**
   * TCP: the number of the first frame of this connection (0 unknown). Wireshark finds a
   * connection's conversation when it starts, so an expectation set up later (FTP's data
   * connections) does not apply to it.
   */
  streamFirstFrame?: number;
  /**
   * UDP: Wireshark's conversation_new() on this datagram's addresses and ports (SNMP makes one for
   * its requests and responses): the next datagram of the pair then gets a new udp.stream.
   */
  newConversation?: () => void;
  /** The datagram's udp.stream or the segment's tcp.stream, which names its conversation (absent: none). */
  stream?: number;
  /**
   * Over TCP with desegmentation: this PDU follows another of the same call on a segment or a
   * reassembled buffer (tcp_dissect_pdus's second and later PDUs), whose Info it continues.
   */
  laterPdu?: boolean;
  /** TCP: the connection's slot for the dissector a heuristic gave it (AppDissector.heuristicTakesConnection). */
  connection?: ConnectionSlot;
  /**
   * The payload is quoted inside an ICMP error: Wireshark's tvb then still has the quoted IP
   * header's lengths, so a dissector reading past the quoted bytes stops silently as truncated
   * rather than finding its lengths too long.
   */
  quoted?: boolean;
  /**
   * True when nobody can see this payload's layers (no tree, no columns, no field of theirs named,
   * no application wanted): a stateful dissector, run only for the state later packets depend on,
   * may then keep that state and build nothing else. Set by the Dissector before each call.
   */
  unseen?: boolean;
  /** tshark's -2: what the first pass learned, or where it records it (DissectorOptions.hindsight). */
  hindsight?: Hindsight;
  /** A MAC address's name (`Grandstr_01:fc:42`) when MAC name resolution is on (DissectorOptions.macName). */
  macName?: (address: string) => string;
}

/** What one Dissector.dissect() call builds (Wireshark's "tree or no tree"). */
export interface DissectOptions {
  /**
   * Build no tree: only these fields (and every layer, with its byte range and status), without
   * labels or titles. A display filter's names, `-T fields` names, or an empty set for summary
   * columns alone. Absent: the whole tree, as tshark -V shows it.
   */
  fields?: ReadonlySet<string>;
  /**
   * False when neither the summary columns (source, destination, protocol, Info) nor the packet's
   * status will be read (a display filter whose matches are printed from their bytes). Payload
   * layers nobody can see are then left out: a filter on tcp.port runs no DNS or HTTP dissector.
   * Default true.
   */
  columns?: boolean;
  /**
   * With `columns` false: dissect payload layers even when nobody names them (without their
   * fields or Info), so that each frame's application protocol is known (conversation reports
   * name it). A function says it per stream (tcp.stream / udp.stream of the payload's header):
   * a conversation whose application is known needs no more. Default false.
   */
  applications?: boolean | ((tcp: boolean, stream: number) => boolean);
  /** Record tap events (FrameLayout.taps) without a tree (always with a whole tree). Default false. */
  taps?: boolean;
  /**
   * With a whole tree: false leaves the labels of named fields empty (`-T json` prints names and
   * values; text-only lines, layer titles and expert items keep their labels). Default true.
   */
  labels?: boolean;
}

export interface AppResult {
  /** Usually one layer; several when one payload holds several PDUs (e.g. TLS records). */
  layers: Layer[];
  /** Wireshark's Protocol column: 'DNS', 'HTTP', 'TLSv1.2', 'QUIC', 'DHCP', 'NTP', ... */
  protocolColumn: string;
  /** Wireshark's Info column text for this payload. */
  info: string;
  /**
   * The name each layer adds to frame.protocols ('' for none), when it is not one name per run of
   * layers of one protocol: Wireshark adds a name each time a dissector is called by handle
   * (OpenFlow's openflow_v1 once per message, Modbus once per PDU after one mbtcp).
   */
  chain?: readonly string[];
  /**
   * The Info column keeps what it holds and `info` is added after it (a dissector that has not
   * cleared the column: SNMP stopped before its PDUs, or with an SNMP version it does not know).
   */
  keepsInfo?: boolean;
  /**
   * With `chain`: a later PDU of the same segment (tcp_dissect_pdus calls the PDU dissector directly)
   * still adds the names of its layers after the first (ENIP's cip and cipcls, called by handle);
   * default: a later PDU adds no name.
   */
  chainInLaterPdus?: boolean;
  /** With chainInLaterPdus: the first layer's name too (a PDU of another protocol than the first's: WebSocket after HTTP's 101). */
  chainFromFirstLayer?: boolean;
  /**
   * Over TCP: what this result's Info puts after Info a PDU dissected before it in the same frame
   * left (Wireshark's column fence), when that is not PduSplit.infoJoin: OpenVPN's ", " when TLS
   * wrote its first words (col_append_sep_str), nothing when OpenVPN did.
   */
  infoLead?: string;
  /**
   * The Info was appended with col_append_sep_str to a cleared column (TLS): after TCP's analysis
   * text ("[TCP Previous segment not captured] "), which a clear keeps, tshark puts ", " first.
   */
  infoAppended?: boolean;
  /**
   * Over UDP: the lengths of the PDUs udp_dissect_pdus found (DNP 3.0), each a "[PDU Size: N]"
   * line (udp.pdu.size) at the end of the UDP tree.
   */
  udpPduSizes?: readonly number[];
}

/**
 * A payload dissector. It registers where it hands off (ports, heuristics) in the table of the
 * Dissector instance that owns it; it never throws (use LayerBuilder + dissectSafely).
 */
export interface AppDissector {
  protocol: string;
  /**
   * Field-name prefixes of what it adds besides `protocol` and `protocol.*` (TLS adds x509 fields
   * of certificates): the engine asks it only for filters that name one of them.
   */
  fieldPrefixes?: readonly string[];
  udpPorts?: readonly number[];
  tcpPorts?: readonly number[];
  /**
   * It remembers things across packets (TLS: each conversation's version): it then runs on every
   * payload it is handed, even in a dissection whose caller reads none of its fields.
   */
  stateful?: boolean;
  /**
   * For a dissector that is not `stateful`: whether this payload, though the caller reads none of
   * its fields, must be dissected for what it switches for other protocols (HTTP's CONNECT and its
   * answer start a tunnel, a 101 an upgrade: `-Y tls` must see the TLS inside). Cheap; must not throw.
   */
  keepsState?: (data: Buffer, offset: number, end: number, ctx: AppContext) => boolean;
  /**
   * Its state shows only in its own fields and columns (DNS: requests matched to responses), never
   * in another protocol's (SIP's calls make RTP of later UDP packets): a Dissector whose one
   * selection names none of them (DissectorOptions.onlySelection) leaves it out, as if stateless.
   */
  ownState?: boolean;
  /**
   * For a payload its port chose it for: false when its dissection shows no layer of this protocol
   * (Wireshark's dissector declines: an sFlow version it does not know, UDP 1985 traffic that is not
   * HSRP). Reports that name a conversation's application from the port (PairTap) ask this, so they
   * agree with the dissected layers. Absent: always. Cheap; must not throw.
   */
  claims?: (data: Buffer, offset: number, end: number, ctx: AppContext) => boolean;
  /**
   * With `claims`: a payload it does not claim goes on to the other port's dissector and the
   * heuristics (Wireshark's dissector returns 0 and the UDP dissector tries the next one), instead
   * of becoming this dissector's data.
   */
  declines?: boolean;
  /** Optional payload test for traffic on other ports (cheap; must not throw). */
  heuristic?: (data: Buffer, offset: number, end: number, ctx: AppContext) => boolean;
  /**
   * Over TCP, a payload this heuristic claims makes the dissector its connection's (Wireshark's
   * HTTP and TLS heuristics call conversation_set_dissector): later payload of the connection
   * goes to it first, even bytes it would not claim (a response's body after lost segments is
   * "Continuation").
   */
  heuristicTakesConnection?: boolean;
  /**
   * Optional: the payload belongs to a conversation this dissector took over earlier (Wireshark's
   * conversation_set_dissector, tried before the ports' dissectors: WireGuard's after an
   * Initiation). Cheap; must not throw.
   */
  conversation?: (data: Buffer, offset: number, end: number, ctx: AppContext) => boolean;
  dissect(data: Buffer, offset: number, end: number, ctx: AppContext): AppResult;
  /**
   * Over TCP: how much of data[offset, end) holds whole PDUs and what the next one still needs
   * (Wireshark's pinfo->desegment_offset / desegment_len), so that a PDU spread over segments is
   * dissected whole on the frame that completes it (tcp-pdus.ts). Absent: every segment is
   * dissected on its own. Cheap; must not throw.
   */
  desegment?: (data: Buffer, offset: number, end: number, ctx: AppContext) => PduSplit;
  /**
   * Other protocols this dissector reads under another port's name (DNS's mDNS and LLMNR), by the
   * name Decode As gives them (`-d udp.port==5353,dns` is plain DNS, `-d udp.port==53,mdns` mDNS):
   * each variant dissects as this one does, named as that protocol whatever the port.
   */
  variants?: ReadonlyMap<string, AppDissector>;
}

/** AppDissector.desegment's answer. */
export interface PduSplit {
  /** Lengths of the whole PDUs from `offset`, in order: one dissect() call each. */
  pdus: number[];
  /**
   * What the bytes after them need: 0 nothing (they are dissected as they are), > 0 that many
   * bytes more, ONE_MORE_SEGMENT (-1) at least one more segment, UNTIL_FIN (-2) the rest of the
   * direction (tcp-pdus.ts).
   */
  need: number;
  /**
   * The Info column while a PDU waits for more: replaces TCP's when nothing was dissected yet
   * (HTTP shows its first line, TLS nothing), else is added after the dissected PDUs' Info.
   */
  info?: string;
  /**
   * Each PDU's Info replaces the one before (Wireshark's tcp_dissect_pdus with a dissector that
   * clears the column, as DNS's); default: appended.
   */
  replaceInfo?: boolean;
  /**
   * What goes between the Info of a PDU put together from earlier segments and the Info of the
   * PDUs after it in the same frame (TLS: ', ', as its col_append_sep_str; default nothing).
   */
  infoJoin?: string;
  /** What goes between the Info of PDUs dissected in one frame (ENIP's " | "); default nothing. */
  infoSeparator?: string;
  /**
   * Wireshark's tcp_dissect_pdus() users: how many of `pdus` (from the first) are whole PDUs of a
   * length their prefix gave, each shown as "[PDU Size: N]" (tcp.pdu.size) in the TCP tree.
   */
  sizedPdus?: number;
  /**
   * The protocol keeps an empty layer with this title (and its place in frame.protocols) when its
   * first PDU waits for more: TLS's dissector accepts the segment; HTTP's and DNS's give it back.
   */
  keepsLayer?: string;
  /** keepsLayer's protocol when it is not the dissector's own (a tunnel's: TLS in HTTP CONNECT). */
  keepsProtocol?: string;
  /**
   * A layer the dissector adds before asking for more, kept on the frame that starts a PDU (an
   * HTTP CONNECT tunnel's HTTP layer, added before it hands the payload on).
   */
  leadLayer?: Layer;
  /**
   * With `info` and no whole PDU: the dissector writes that Info on every call, also on the rest
   * of a segment after a PDU this frame completed, where it goes after that PDU's Info (PGSQL's
   * '>' or '<', set before tcp_dissect_pdus finds the next message incomplete: '<D<').
   */
  infoAlways?: boolean;
  /**
   * The layer the protocol leaves when a PDU at the start of the bytes it was handed waits for
   * more, on a segment of its own or on segments put together (Wireshark keeps a protocol in
   * frame.protocols when its dissector added to the tree before it asked for more: IMAP's item
   * when its first line is whole but a FETCH literal is not).
   */
  waitingLayer?: Layer;
  /**
   * With `keepsLayer`: the layer as far as the dissector got before asking for more (VNC's
   * FramebufferUpdate with its "See further on" note), shown instead of an empty one.
   */
  partialLayer?: Layer;
}
