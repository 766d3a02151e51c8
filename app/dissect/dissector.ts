/**
 * Dissector: one instance owns its hand-off tables (link type, ethertype, IP protocol, UDP/TCP
 * ports, payload heuristics) and its cross-packet state (IP fragment reassembly, TCP sequence
 * bases, stream indexes). dissect() turns one frame into layers and summary columns; it never
 * throws, whatever the bytes.
 *
 *   const d = new Dissector();
 *   for (const frame of frames) print(d.dissect(frame));   // frames in capture order
 *
 * Without a tree (Wireshark's tree == NULL): `d.dissect(frame, { fields: filterNames })` builds
 * every layer and the summary columns but only the named fields, without labels — what display
 * filters, packet lists and reports need, at a fraction of the cost. Cross-packet state advances
 * exactly as in a full dissection, so the two can be mixed frame by frame.
 */
import { ipProtocolName } from './ip-common';
import type { FieldSelection } from './builder';
import type { ArpBinding } from './arp';
import { WIRESHARK_TCP_PORTS, WIRESHARK_UDP_PORTS } from './wireshark-ports';
import { registerDefaultAppDissectors } from './apps';
import { LayerBuilder, withNamedLabels } from './builder';
import { frameLayer, setFrameProtocols, type FrameTiming } from './frame';
import type { AppContext, AppDissector, AppResult, DissectedPacket, DissectOptions, FrameInput } from './model';
import { PacketState } from './packet-state';
import { registerCoreDissectors } from './registry';
import { FragmentTable } from './reassembly';
import { TcpStreamTable } from './tcp-streams';
import { bytesHex, bytesLabelHex } from './format';
import { namesReassembly } from './tcp-pdus';
import type { Hindsight } from './hindsight';
import { proxyTunnelDissector } from './http-tunnel';

/** A hand-off target: dissects data[offset, end) of the packet and everything it carries. */
export type Handoff = (d: Dissector, p: PacketState, data: Buffer, offset: number, end: number) => number | void;

/**
 * Hand-offs (ethertype or IP protocol) per packet before the rest is left undissected. tshark 4.0
 * has no such limit (it dissects 200 IPv4 headers nested in each other, and zeek's test of 50
 * nested 802.1ah tags to the DNS inside); this one only bounds the stack a crafted packet costs.
 */
const MAX_NESTING = 256;

export interface DissectorOptions {
  /** Register the application-protocol dissectors from apps.ts (default true). */
  apps?: boolean;
  /**
   * tshark's `tcp.desegment_tcp_streams` (default true, as tshark's): PDUs spread over TCP
   * segments are dissected whole on the frame that completes them (tcp-pdus.ts); false dissects
   * every segment on its own.
   */
  desegment?: boolean;
  /**
   * tshark's `tcp.relative_sequence_numbers` (default true): TCP sequence and acknowledgment
   * numbers shown relative to the first of each direction; false shows them as sent.
   */
  relativeSequence?: boolean;
  /**
   * Port hand-offs that replace the defaults, in order (tshark's decode-as `-d tcp.port==8888,http`
   * and port preferences such as `http.tcp.port`): payloads on `ports` of `transport` go to the
   * dissector of `protocol`; `replace` first removes that dissector from every port it had.
   * An unknown protocol throws a PortRuleError naming the ones there are.
   */
  portRules?: readonly PortRule[];
  /**
   * tshark's transport name resolution: a TCP or UDP port's service name, or undefined. The Info
   * column then shows `http(80)` and tree labels `http (80)`; default: numbers alone.
   */
  portName?: (transport: 'tcp' | 'udp', port: number) => string | undefined;
  /**
   * tshark's MAC name resolution in tree labels (`Source: HonHaiPr_6e:8b:24 (00:16:ce:6e:8b:24)`):
   * the name of an address in aa:bb:cc:dd:ee:ff form (the address itself when it has none).
   * Default: none, labels show the address alone (tshark -n).
   */
  macName?: (address: string) => string;
  /**
   * tshark's network name resolution in tree labels (`Destination Address: localhost (127.0.0.1)`):
   * the name of an IPv4 or IPv6 address, or the address itself. Default: none (tshark -n).
   */
  hostName?: (address: string) => string;
  /**
   * tshark's -2: columns as its second pass shows them, knowing where each PDU ends (a TCP segment
   * that starts a PDU completed later shows TCP's Info, not the PDU's first line).
   */
  twoPass?: boolean;
  /**
   * tshark's -2, both passes: the first pass's Dissector records into it, the second's (made
   * after the first pass, with `recalling` set) shows what it learned (app/dissect/hindsight.ts).
   */
  hindsight?: Hindsight;
  /**
   * Every packet this Dissector is given is dissected with this one field selection, without a tree
   * or columns (a display filter's or a report's dissection). State that shows only in fields it
   * does not name is then not kept: DNS's request/response matching, ICMP's echo pairs
   * (AppDissector.ownState, neverShows).
   */
  onlySelection?: FieldSelection;
}

export interface PortRule {
  transport: 'tcp' | 'udp';
  ports: readonly number[];
  protocol: string;
  replace?: boolean;
  /** Where the rule comes from, for messages (e.g. `-d tcp.port==8888,foo`). */
  origin?: string;
}

/** A port rule names a protocol that has no dissector for that transport. */
export class PortRuleError extends Error {
  override name = 'PortRuleError';
  constructor(readonly rule: PortRule, readonly known: readonly string[]) {
    super(`${rule.origin ? `${rule.origin}: ` : ''}there is no ${rule.protocol} dissector for ${rule.transport.toUpperCase()} ports; there are: ${known.join(', ')}`);
  }
}

export class Dissector {
  readonly linkTypes = new Map<number, Handoff>();
  readonly ethertypes = new Map<number, Handoff>();
  readonly ipProtocols = new Map<number, Handoff>();
  /** UDP ports that carry another link or network layer (VXLAN), tried before app dissectors. */
  readonly udpTunnels = new Map<number, Handoff>();
  readonly udpPorts = new Map<number, AppDissector>();
  readonly tcpPorts = new Map<number, AppDissector>();
  readonly heuristics: AppDissector[] = [];
  /** Dissectors that take over conversations (AppDissector.conversation), asked before the ports. */
  readonly conversationDissectors: AppDissector[] = [];

  readonly ipv4Fragments = new FragmentTable();
  readonly ipv6Fragments = new FragmentTable();
  readonly tcpStreams = new TcpStreamTable();
  /** ARP's IPv4 → MAC bindings, for its duplicate address detection (arp.ts). */
  readonly arpBindings = new Map<number, ArpBinding>();
  private readonly udpStreams = new Map<string, number>();
  /** Keys whose next datagram starts a new udp.stream (renewUdpStream). */
  private readonly udpStreamRenewals = new Set<string>();
  private udpStreamCount = 0;
  /** Per field selection: the first parts of its names ('*' when it names a protocol or frame.protocols). */
  private readonly selectionPrefixes = new WeakMap<ReadonlySet<string>, Set<string>>();
  private firstTsNs: bigint | null = null;
  private previousTsNs: bigint | null = null;
  /** The frame being dissected's time stamp, and the one its time delta is from (its own for the first frame). */
  private frameTsNs = 0n;
  private deltaBaseNs = 0n;
  /** The frame layer's time differences, made only when a field shows them (no bigint per frame otherwise). */
  private readonly timing: FrameTiming = {
    relativeNs: () => this.frameTsNs - this.firstTsNs!,
    deltaNs: () => this.frameTsNs - this.deltaBaseNs,
  };
  /** DissectorOptions.desegment. */
  readonly desegment: boolean;
  /** DissectorOptions.relativeSequence. */
  readonly relativeSequence: boolean;
  /** DissectorOptions.twoPass. */
  readonly twoPass: boolean;
  /** DissectorOptions.hindsight. */
  readonly hindsight: Hindsight | undefined;
  /** DissectorOptions.onlySelection. */
  readonly onlySelection: FieldSelection | undefined;
  /** DissectorOptions.hostName. */
  readonly hostName: ((address: string) => string) | undefined;
  /** DissectorOptions.macName. */
  readonly macName: ((address: string) => string) | undefined;
  /** DissectorOptions.portName. */
  readonly portName: ((transport: 'tcp' | 'udp', port: number) => string | undefined) | undefined;

  constructor(options: DissectorOptions = {}) {
    this.desegment = options.desegment !== false;
    this.relativeSequence = options.relativeSequence !== false;
    this.twoPass = options.twoPass === true;
    this.hindsight = options.hindsight;
    this.onlySelection = options.onlySelection;
    this.macName = options.macName;
    this.hostName = options.hostName;
    this.portName = options.portName;
    registerCoreDissectors(this);
    if (options.apps !== false) registerDefaultAppDissectors(this);
    for (const rule of options.portRules ?? []) this.applyPortRule(rule);
  }

  /** A port as the Info column shows it: `http(80)` with transport names, else the number. */
  portText(transport: 'tcp' | 'udp', port: number): string {
    const name = this.portName?.(transport, port);
    return name === undefined ? String(port) : `${name}(${port})`;
  }

  /** A port as tree labels show it: with transport names `http (80)`, or `40002 (40002)` for a port without one; else the number. */
  portLabel(transport: 'tcp' | 'udp', port: number): string {
    if (this.portName === undefined) return String(port);
    return `${this.portName(transport, port) ?? port} (${port})`;
  }

  /** An IP address as tree labels show it: `name (address)` with name resolution, else the address. */
  hostLabel(address: string): string {
    return this.hostName === undefined ? address : `${this.hostName(address)} (${address})`;
  }

  /** A MAC address as tree labels show it: `name (address)` with name resolution, else the address. */
  macLabel(address: string): string {
    return this.macName === undefined ? address : `${this.macName(address)} (${address})`;
  }

  /** The application dissectors registered on TCP or UDP ports, by protocol name. */
  applicationsOf(transport: 'tcp' | 'udp'): Map<string, AppDissector> {
    const out = new Map<string, AppDissector>();
    for (const app of (transport === 'tcp' ? this.tcpPorts : this.udpPorts).values()) if (!out.has(app.protocol)) out.set(app.protocol, app);
    return out;
  }

  private applyPortRule(rule: PortRule): void {
    const apps = this.applicationsOf(rule.transport);
    for (const known of [...apps.values()]) for (const [name, variant] of known.variants ?? []) if (!apps.has(name) || name === known.protocol) apps.set(name, variant);
    const app = apps.get(rule.protocol);
    if (!app) throw new PortRuleError(rule, [...apps.keys()].sort());
    const table = rule.transport === 'tcp' ? this.tcpPorts : this.udpPorts;
    if (rule.replace) for (const [port, other] of table) if (other === app) table.delete(port);
    for (const port of rule.ports) table.set(port, app);
  }

  /** Registers a payload dissector under its UDP/TCP ports and, when it has one, its heuristic. */
  register(app: AppDissector): void {
    for (const port of app.udpPorts ?? []) this.udpPorts.set(port, app);
    for (const port of app.tcpPorts ?? []) this.tcpPorts.set(port, app);
    if (app.heuristic) this.heuristics.push(app);
    if (app.conversation) this.conversationDissectors.push(app);
  }

  dissect(frame: FrameInput, options?: DissectOptions): DissectedPacket {
    if (options?.labels === false) return withNamedLabels(false, () => this.dissectFrame(frame, options));
    return this.dissectFrame(frame, options);
  }

  private dissectFrame(frame: FrameInput, options?: DissectOptions): DissectedPacket {
    const p = new PacketState(frame, options?.fields, options?.columns !== false, options?.applications ?? false, options === undefined || options.fields === undefined || options.taps === true);
    const ts = frame.tsNs;
    if (this.firstTsNs === null) this.firstTsNs = ts;
    this.frameTsNs = ts;
    this.deltaBaseNs = this.previousTsNs ?? ts;
    this.previousTsNs = ts;
    const frameFields = frameLayer(frame, this.timing, p.selection);
    p.layers.push(frameFields);
    const data = frame.data;
    try {
      // Layers may claim bytes up to the length on the wire; reads past the captured bytes then
      // mark them truncated (not malformed).
      const wireEnd = Math.max(frame.origLen, data.length);
      const link = this.linkTypes.get(frame.linkType);
      if (link) link(this, p, data, 0, wireEnd);
      else this.data(p, data, 0, wireEnd);
    } catch (err) {
      // A bug in a dissector: keep what was decoded, say what went wrong.
      p.noteStatus('malformed');
      const last = p.layers[p.layers.length - 1]!;
      last.status = 'malformed';
      last.problem = `dissector error: ${(err as Error).message}`;
    }
    setFrameProtocols(frameFields, p.protocols, p.selection === undefined);
    p.finishColumns();
    if (p.infoPrefix) p.info = p.infoPrefix + (p.info && p.infoAppended === p.info ? ', ' : '') + p.info;
    if (!p.protocolColumn && !p.protocolEmpty) p.protocolColumn = p.protocols.length ? p.protocols[p.protocols.length - 1]!.toUpperCase() : 'UNKNOWN';
    p.layout.simple = isSimple(p);
    return {
      number: frame.number,
      layers: p.layers,
      status: p.status,
      summary: { source: p.src, destination: p.dst, protocol: p.protocolColumn, length: frame.origLen, info: p.info },
      layout: p.layout,
    };
  }

  /** Hands data[offset, end) to the dissector registered for an ethertype, else to "data". */
  byEthertype(p: PacketState, type: number, data: Buffer, offset: number, end: number): number | void {
    const next = this.tooDeep(p) ? undefined : this.ethertypes.get(type);
    if (next) return next(this, p, data, offset, end);
    this.data(p, data, offset, end);
    return end;
  }

  /**
   * Hands an IP payload to the dissector of its protocol. `ip` (4 or 6): the caller is IPv4 or IPv6,
   * whose Info names a protocol nobody dissects (packet-ip.c `TCP (6)`, packet-ipv6.c `Unknown IP
   * Protocol: Unknown (253)`).
   */
  byIpProtocol(p: PacketState, proto: number, data: Buffer, offset: number, end: number, ip?: 4 | 6): void {
    const next = this.tooDeep(p) ? undefined : this.ipProtocols.get(proto);
    if (next) next(this, p, data, offset, end);
    else {
      if (ip !== undefined && p.columns) p.setProtocol(p.protocolColumn, `${ip === 6 ? 'Unknown IP Protocol: ' : ''}${ipProtocolName(proto)} (${proto})`);
      this.data(p, data, offset, end);
    }
  }

  /**
   * Hands a UDP/TCP payload to an application dissector: the lower port's, then the higher's, then
   * the heuristics (Wireshark's order); unclaimed payload becomes "data".
   */
  byPort(p: PacketState, ctx: AppContext, data: Buffer, offset: number, end: number, chosen?: AppDissector | null): void {
    const app = chosen === undefined ? this.appFor(ctx, data, offset, end) : chosen ?? undefined;
    if (!app) {
      if (this.payloadSeen(p, 'data', undefined) || this.applicationWanted(p, ctx)) this.data(p, data, offset, end);
      return;
    }
    this.runApp(p, app, ctx, data, offset, end);
  }

  /**
   * Runs an application dissector on data[offset, end) and adds its layers to the packet, and its
   * columns unless `setColumns` is false; returns its result (null when it was left out).
   * `chain` false: its layers add nothing to frame.protocols (a further PDU of one dissector call).
   */
  runApp(p: PacketState, app: AppDissector, ctx: AppContext, data: Buffer, offset: number, end: number, chain = true, setColumns = true): AppResult | null {
    // Nobody can see this payload's layers (no tree, no columns, no field of theirs asked for):
    // leave them out, unless the dissector keeps state that later packets depend on.
    const unseen = !this.payloadSeen(p, app.protocol, app.fieldPrefixes) && !this.applicationWanted(p, ctx);
    if (unseen && (!app.stateful || (app.ownState === true && this.selectionFixed(p))) && !(app.keepsState !== undefined && safeTest(app.keepsState, data, offset, end, ctx))) return null;
    ctx.unseen = unseen;
    const result = dissectApp(app, data, offset, end, ctx);
    if (result.chain !== undefined) {
      result.layers.forEach((layer, k) => p.addLayer(layer, chain || (result.chainInLaterPdus === true && (k > 0 || result.chainFromFirstLayer === true)) ? result.chain![k] ?? '' : ''));
    } else {
      let lastProtocol = chain ? '' : app.protocol;
      for (const layer of result.layers) {
        p.addLayer(layer, layer.protocol === lastProtocol ? '' : layer.protocol);
        lastProtocol = layer.protocol;
      }
    }
    if (setColumns && result.protocolColumn) p.setProtocol(result.protocolColumn, result.keepsInfo ? p.info + result.info : result.info);
    if (result.udpPduSizes !== undefined) this.addUdpPduSizes(p, result.udpPduSizes, offset);
    return result;
  }

  /** udp_dissect_pdus's "[PDU Size: N]" lines (udp.pdu.size), at the end of the UDP layer's tree. */
  private addUdpPduSizes(p: PacketState, sizes: readonly number[], offset: number): void {
    const udp = p.layers[p.layout.transportLayer];
    if (udp === undefined || udp.protocol !== 'udp') return;
    const selection = p.selection;
    if (selection !== undefined && !selection.has('udp.pdu.size')) return;
    let at = offset;
    for (const size of sizes) {
      udp.fields.push({ abbrev: 'udp.pdu.size', label: selection === undefined ? `[PDU Size: ${size}]` : '', value: size, text: String(size), offset: at, length: size });
      at += size;
    }
  }

  /**
   * Whether a TCP payload for `app` is put together across segments in this dissection: always
   * when its layers, the columns or the reassembly fields can be seen (tcp-pdus.ts); a dissection
   * that sees none of them leaves the payload alone.
   */
  desegmentWanted(p: PacketState, ctx: AppContext, app: AppDissector, data: Buffer, offset: number, end: number): boolean {
    return (
      (app.stateful === true && !(app.ownState === true && this.selectionFixed(p))) ||
      this.payloadSeen(p, app.protocol, app.fieldPrefixes) ||
      this.applicationWanted(p, ctx) ||
      namesReassembly(p.selection) ||
      (app.keepsState !== undefined && safeTest(app.keepsState, data, offset, end, ctx))
    );
  }

  /**
   * Whether this packet is dissected with the one selection every packet of this Dissector is
   * (DissectorOptions.onlySelection): what it does not name can never be seen, now or later.
   */
  private selectionFixed(p: PacketState): boolean {
    return this.onlySelection !== undefined && p.selection === this.onlySelection && !p.columns && this.hindsight === undefined;
  }

  /**
   * Whether work kept only for later packets' fields of `protocol` (ICMP's echo pairs) can be left
   * out: no packet of this Dissector can show a field of it (selectionFixed, and the selection
   * names none of them, nor a protocol or expert item that would show its layers).
   */
  neverShows(p: PacketState, protocol: string): boolean {
    return this.selectionFixed(p) && !this.payloadSeen(p, protocol, undefined);
  }

  /**
   * Whether a payload's layers of this protocol (an application's, or "data") can be seen by the
   * caller: always with a tree or summary columns (Protocol, Info); otherwise only when the
   * selection names one of its fields, a protocol (`tcp contains …` reads the bytes of the layers
   * a protocol carries) or frame.protocols.
   */
  private payloadSeen(p: PacketState, protocol: string, prefixes: readonly string[] | undefined): boolean {
    const selection = p.selection;
    if (selection === undefined || p.columns || p.applications === true) return true;
    let seen = this.selectionPrefixes.get(selection);
    if (seen === undefined) {
      seen = new Set<string>();
      for (const name of selection) {
        const dot = name.indexOf('.');
        // Expert items (_ws.expert.*) and exceptions (_ws.malformed, _ws.short) may come from any
        // protocol: every payload is dissected for them.
        if (dot < 0 || name === 'frame.protocols' || name.startsWith('_ws.expert') || name === '_ws.malformed' || name === '_ws.short') seen.add('*');
        else seen.add(name.slice(0, dot));
      }
      this.selectionPrefixes.set(selection, seen);
    }
    if (seen.has('*') || seen.has(protocol)) return true;
    return prefixes !== undefined && prefixes.some((prefix) => seen.has(prefix));
  }

  /** DissectOptions.applications for this payload (a quoted header's always). */
  private applicationWanted(p: PacketState, ctx: AppContext): boolean {
    const wanted = p.applications;
    if (typeof wanted !== 'function') return wanted;
    const l = p.layout;
    return p.quoted > 0 || l.stream < 0 || wanted(ctx.transport === 'tcp', l.stream);
  }

  /** The application dissector byPort hands this payload to, or undefined ("data"). */
  appFor(ctx: AppContext, data: Buffer, offset: number, end: number): AppDissector | undefined {
    const table = ctx.transport === 'udp' ? this.udpPorts : this.tcpPorts;
    const low = Math.min(ctx.srcPort, ctx.dstPort);
    const high = Math.max(ctx.srcPort, ctx.dstPort);
    const byPort = (port: number): AppDissector | undefined => {
      const app = table.get(port);
      return app?.declines && app.claims && !app.claims(data, offset, end, ctx) ? undefined : app;
    };
    for (const app of this.conversationDissectors) if (safeTest(app.conversation!, data, offset, end, ctx)) return app;
    const connection = ctx.connection;
    if (connection !== undefined) {
      const proxy = connection.proxy;
      if (proxy !== null) return (proxy.app ??= proxyTunnelDissector(proxy, (c, d, o, e) => this.appFor(c, d, o, e), dissectApp));
      // The connection's dissector (Wireshark's conversation dissector) next: one that declines the
      // payload (TLS after STARTTLS, handed plain text) leaves it to the ports, as in tshark.
      const taken = connection.heuristicApp;
      if (taken !== null && (taken.claims === undefined || safeTest(taken.claims, data, offset, end, ctx))) return taken;
    }
    // tshark tries the lower port's dissector, then the higher's, and heuristics only when neither
    // port has one. An ephemeral port (32768 and up, where clients' ports land) that Wireshark
    // gives to a dissector Sievecap lacks keeps the heuristics off: an HTTP request from port
    // 34980 is EtherCAT to tshark, data here, never HTTP. (Below that, the services whose
    // dissectors Sievecap lacks hand STARTTLS traffic to TLS in tshark, which the TLS heuristic
    // stands in for.)
    const theirs = ctx.transport === 'udp' ? wiresharkUdpPorts() : wiresharkTcpPorts();
    const foreign = (port: number): boolean => port >= EPHEMERAL_PORTS && !table.has(port) && theirs.has(port);
    const first = byPort(low);
    if (first) return first;
    if (foreign(low)) return undefined;
    const second = byPort(high);
    if (second) return second;
    if (foreign(high)) return undefined;
    const found = this.heuristics.find((h) => safeHeuristic(h, data, offset, end, ctx));
    if (found?.heuristicTakesConnection === true && connection !== undefined) connection.heuristicApp = found;
    return found;
  }

  /**
   * Tunnels nest (IP in IP in GRE ...): a crafted packet could nest thousands of times, costing a
   * layer and a stack frame each. Past MAX_NESTING hand-offs the rest is shown as data.
   */
  private tooDeep(p: PacketState): boolean {
    if (++p.handoffs <= MAX_NESTING) return false;
    if (p.handoffs === MAX_NESTING + 1) p.noteStatus('malformed');
    return true;
  }

  /** Undissected bytes, as Wireshark's "data" protocol shows them. */
  data(p: PacketState, data: Buffer, offset: number, end: number): void {
    const stop = Math.min(end, data.length);
    if (stop <= offset) return;
    const b = new LayerBuilder(data, 'data', 'Data', offset, stop, p.selection);
    b.title(() => `Data (${stop - offset} byte${stop - offset === 1 ? '' : 's'})`);
    if (b.wants('data.data')) {
      b.add('data.data', () => `Data: ${bytesLabelHex(data, offset, stop - offset)}`, data.subarray(offset, stop), offset, stop - offset, () => bytesHex(data, offset, stop - offset));
    }
    b.add('data.len', () => `[Length: ${stop - offset}]`, stop - offset, offset, 0);
    p.addLayer(b.layer);
  }

  /** udp.stream of a conversation key (conversationKey()) seen so far, -1 when none. */
  knownUdpStream(key: string): number {
    return this.udpStreams.get(key) ?? -1;
  }

  /** Index of a UDP conversation (either direction), as udp.stream numbers them. */
  udpStream(key: string): number {
    let index = this.udpStreams.get(key);
    if (index === undefined || this.udpStreamRenewals.delete(key)) {
      index = this.udpStreamCount++;
      this.udpStreams.set(key, index);
    }
    return index;
  }

  /**
   * A dissector made a new conversation with this key's addresses and ports (Wireshark's
   * conversation_new, as SNMP's does): UDP finds that one for the next datagram of the pair, and
   * gives it a new udp.stream.
   */
  renewUdpStream(key: string): void {
    if (this.udpStreams.has(key)) this.udpStreamRenewals.add(key);
  }

}

/** Runs an application dissector; an exception (a bug) becomes one malformed layer, never escapes. */
export function dissectApp(app: AppDissector, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  try {
    return app.dissect(data, offset, end, ctx);
  } catch (err) {
    const b = new LayerBuilder(data, app.protocol, app.protocol.toUpperCase(), offset, end, ctx.fields);
    b.mark('malformed', `dissector error: ${(err as Error).message}`);
    return { layers: [b.layer], protocolColumn: '', info: '' };
  }
}

function safeTest(test: (data: Buffer, offset: number, end: number, ctx: AppContext) => boolean, data: Buffer, offset: number, end: number, ctx: AppContext): boolean {
  try {
    return test(data, offset, end, ctx);
  } catch {
    return false;
  }
}

function safeHeuristic(app: AppDissector, data: Buffer, offset: number, end: number, ctx: AppContext): boolean {
  try {
    return app.heuristic!(data, offset, end, ctx);
  } catch {
    return false;
  }
}

/**
 * FrameLayout.simple: frame, an optional Ethernet or Linux cooked header, one IP header (no
 * fragment, no extension header, no other IP header anywhere: no tunnel, no quoted datagram),
 * then its transport: TCP or UDP with a stream index (UDP with a possible length), or ICMP/ICMPv6.
 */
function isSimple(p: PacketState): boolean {
  const l = p.layout;
  const t = l.transportLayer;
  if (l.ipVersion === 0 || p.fragment || t < 2 || t > 3) return false;
  const layers = p.layers;
  const ip = layers[t - 1]!.protocol;
  if (ip !== (l.ipVersion === 4 ? 'ip' : 'ipv6')) return false;
  if (t === 3 && layers[1]!.protocol !== 'eth' && layers[1]!.protocol !== 'sll') return false;
  if (t === 3 && layers[1]!.protocol === 'eth' && l.ethOffset < 0) return false;
  const transport = layers[t]!;
  switch (transport.protocol) {
    case 'tcp':
      // (tapsClosed: a bogus header length, whose segment no tap sees.)
      if (l.stream < 0 || p.tapsClosed) return false;
      break;
    case 'udp':
      if (l.stream < 0 || transport.status === 'malformed') return false;
      break;
    case 'icmp':
    case 'icmpv6':
      break;
    default:
      return false;
  }
  for (let k = t + 1; k < layers.length; k++) {
    const protocol = layers[k]!.protocol;
    if (protocol === 'ip' || protocol === 'ipv6' || protocol === 'eth') return false;
  }
  return true;
}

/** Conversation key that is the same in both directions. */
export function conversationKey(a: string, aPort: number, b: string, bPort: number): string {
  const left = `${a}|${aPort}`;
  const right = `${b}|${bPort}`;
  return left < right ? `${left}|${right}` : `${right}|${left}`;
}

/** The start of the dynamic port range clients' ports come from (Linux's ip_local_port_range). */
const EPHEMERAL_PORTS = 32768;

let tcpPortSet: Set<number> | undefined;
let udpPortSet: Set<number> | undefined;
const portSet = (list: string): Set<number> => new Set(list.split(' ').map(Number));
/** The TCP ports tshark gives to a dissector by default (wireshark-ports.ts). */
function wiresharkTcpPorts(): Set<number> {
  return (tcpPortSet ??= portSet(WIRESHARK_TCP_PORTS));
}
/** The UDP ports tshark gives to a dissector by default (wireshark-ports.ts). */
function wiresharkUdpPorts(): Set<number> {
  return (udpPortSet ??= portSet(WIRESHARK_UDP_PORTS));
}
