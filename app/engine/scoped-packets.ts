/**
 * ScopedPackets: for the field names a display filter (or a report's filter) looks at, the
 * cheapest packet of each frame that answers them exactly as the full tree would. Frames are
 * asked for in capture order.
 *
 * Three paths, chosen once from the names:
 * - light: every name is a header field the light packet carries (light-fields.ts);
 * - apps: the names are light fields plus fields of application protocols (`http.request.uri`,
 *   `dns.qry.name`, `tls.handshake.type`, ...). A frame the light path read gets its light packet;
 *   when its TCP/UDP payload goes, by the Dissector's own hand-off rule (ports, then heuristics),
 *   to an application dissector whose fields the filter names, that dissector alone runs on the
 *   payload and its layers are added. Ethernet, IP and TCP trees, labels and stream analysis,
 *   which cost most of a full dissection, are never built. The application dissector is the very
 *   instance the RowDissector's Dissector holds, so stateful ones (TLS remembers each
 *   conversation's version) see their frames in order whichever path a frame took. The names
 *   reach it as AppContext.fields (DNS reads no records for a filter on header and question
 *   fields). When every name is an application field, appsOnlyPacket answers from the bytes in
 *   place whether a frame can hold any of them, and gives the others just their application
 *   layers;
 * - full: any other name (relative sequence numbers, tcp.analysis, frame.protocols, data, ...):
 *   every frame through the RowDissector, without a tree: only the named fields are built.
 * Frames the light path could not read (ARP, VLANs, tunnels, fragments, ICMP errors) always go
 * through the RowDissector too (the whole tree when the caller gave its own plan: a report).
 * tests/engine-scoped-packets-corpus.test.ts checks that on the corpus every path selects the
 * frames the full tree selects.
 */
import { dissectApp } from '../dissect/dissector';
import type { AppContext, AppDissector, DissectedPacket, DissectOptions, Layer } from '../dissect/model';
import type { FilterSource } from './filter-view';
import { LIGHT_FILTER_FIELDS, lightPacket, lightPayloadAt, lightPlan, type LightFrame, type LightPayload, type LightPlan } from './light-fields';
import { RowDissector } from './row-dissector';

export type ScopedPath = 'light' | 'apps' | 'full';

export interface ScopedPacket {
  packet: DissectedPacket;
  /** The frame's bytes (valid until the next call). */
  data: Buffer;
}

/** appsOnlyPacket's packets have no summary columns: filters never read them. */
const NO_SUMMARY = { source: '', destination: '', protocol: '', length: 0, info: '' };

export class ScopedPackets {
  readonly path: ScopedPath;
  private readonly plan: LightPlan;
  private readonly dissector: RowDissector;
  /** Application protocols (AppDissector.protocol) whose fields the names include. */
  private readonly apps: ReadonlySet<string>;
  /** The apps path, and no name is a light field: frames without those protocols hold none of the names. */
  private readonly appFieldsOnly: boolean;
  /** The names, for application dissectors that can skip what none of them needs (AppContext.fields). */
  private readonly names: ReadonlySet<string> | undefined;
  /** How the RowDissector dissects frames for these names: no tree, only their fields (undefined: the whole tree). */
  private readonly fullOptions: DissectOptions | undefined;
  private readonly payloadScratch: LightPayload = { transport: 'tcp', srcPort: 0, dstPort: 0, offset: 0, end: 0 };
  /** For choosing a dissector (heuristics look at ports and transport, not at the addresses). */
  private readonly ctxScratch: AppContext = { transport: 'tcp', srcPort: 0, dstPort: 0, frameNumber: 0, src: '', dst: '' };

  /**
   * `names`: the field and protocol names asked about, null for the whole tree; `plan` the light
   * fields to build (default: just those names, and frames the light path could not read are
   * dissected without a tree, for those names only; with a plan, those get the whole tree).
   */
  constructor(private readonly source: FilterSource, names: readonly string[] | null, plan?: LightPlan) {
    this.dissector = new RowDissector(source);
    this.plan = plan ?? lightPlan(names ?? []);
    const prefixes = appFieldPrefixes(this.dissector.appDissectors());
    const apps = new Set<string>();
    let path: ScopedPath = names === null ? 'full' : 'light';
    for (const name of names ?? []) {
      if (LIGHT_FILTER_FIELDS.has(name)) continue;
      const owners = prefixes.get(name.split('.')[0]!);
      if (owners === undefined) {
        path = 'full';
        break;
      }
      for (const app of owners) apps.add(app);
      path = 'apps';
    }
    this.path = path;
    this.apps = apps;
    this.names = names === null ? undefined : new Set(names);
    // A caller with its own plan (a report) reads more than the names: it gets whole trees.
    this.fullOptions = this.names === undefined || plan !== undefined ? undefined : { fields: this.names, columns: false };
    this.appFieldsOnly = path === 'apps' && names !== null && !names.some((n) => LIGHT_FILTER_FIELDS.has(n));
  }

  /** The packet of frame k (0-based), for the names given. */
  packet(k: number): ScopedPacket {
    const source = this.source;
    if (this.path !== 'full' && source.isLight(k)) {
      const frame = source.lightFrame(k);
      const packet = lightPacket(frame, this.plan);
      if (this.path === 'apps') this.addAppLayers(packet, frame);
      return { packet, data: frame.data };
    }
    return this.full(k);
  }

  /**
   * For filters that name only application fields: frame k as just the application layers it
   * holds of those protocols (the light layers answer none of the names), or null when it holds
   * none, decided from the bytes in place without a packet. Undefined when this frame (or this
   * filter) needs packet(k): the filter names a header field, or the light path did not read
   * the frame, or the frame is short (a heuristic must not see bytes past its end).
   */
  appsOnlyPacket(k: number): ScopedPacket | null | undefined {
    if (!this.appFieldsOnly) return undefined;
    const source = this.source;
    if (!source.isLight(k)) return undefined;
    const capLen = source.capLenOf(k);
    const at = source.locateFrame(k);
    const app = this.namedApp(source.frameChunk(), at, capLen, source.linkTypeOf(k), k + 1);
    if (app === null) return undefined;
    if (app === undefined) return null;
    const frame = source.lightFrame(k);
    const payload = this.payloadScratch;
    const layers = this.appLayers(app, frame, payload.offset - at, payload.end - at);
    return { packet: { number: k + 1, layers, status: 'ok', summary: NO_SUMMARY }, data: frame.data };
  }

  private full(k: number): ScopedPacket {
    const packet = this.dissector.dissect(k, false, this.fullOptions);
    // The tree may hold views of the frame's bytes: it is tested before the next read.
    return { packet, data: this.source.frameInput(k, false).data };
  }

  /** Adds the application layers the Dissector would add, when they belong to a named protocol. */
  private addAppLayers(packet: DissectedPacket, frame: LightFrame): void {
    const app = this.namedApp(frame.data, 0, frame.data.length, frame.linkType, frame.number);
    if (!app) return;
    const payload = this.payloadScratch;
    for (const layer of this.appLayers(app, frame, payload.offset, payload.end)) packet.layers.push(layer);
  }

  /**
   * The application dissector the Dissector would hand this frame's payload to (its captured
   * bytes are data[base, base + capLen)), when the names ask about its protocol; the payload is
   * left in payloadScratch. Undefined: no payload, or a dissector none of the names asks about.
   * Null: the transport claims bytes past the captured ones and `data` holds other bytes there
   * (a read-ahead chunk), which a heuristic must not see.
   */
  private namedApp(data: Buffer, base: number, capLen: number, linkType: number, frameNumber: number): AppDissector | undefined | null {
    const payload = lightPayloadAt(data, base, capLen, linkType, this.payloadScratch);
    if (payload === null) return undefined;
    if (payload.end > base + capLen && data.length > base + capLen) return null;
    const ctx = this.ctxScratch;
    ctx.transport = payload.transport;
    ctx.srcPort = payload.srcPort;
    ctx.dstPort = payload.dstPort;
    ctx.frameNumber = frameNumber;
    const app = this.dissector.appFor(ctx, data, payload.offset, payload.end);
    return app !== undefined && this.apps.has(app.protocol) ? app : undefined;
  }

  /** The app's layers for the payload [offset, end) of a light frame (offsets in frame.data). */
  private appLayers(app: AppDissector, frame: LightFrame, offset: number, end: number): Layer[] {
    const ctx: AppContext = {
      transport: this.payloadScratch.transport, srcPort: this.payloadScratch.srcPort, dstPort: this.payloadScratch.dstPort,
      frameNumber: frame.number, src: frame.source, dst: frame.destination, fields: this.names, columns: false,
    };
    return dissectApp(app, frame.data, offset, end, ctx).layers;
  }
}

/**
 * Field-name prefix (the part before the first dot) → the application protocols that add such
 * fields (several: HTTP and SSDP both add http.*).
 */
function appFieldPrefixes(apps: readonly AppDissector[]): Map<string, string[]> {
  const byPrefix = new Map<string, string[]>();
  const add = (prefix: string, protocol: string): void => {
    const owners = byPrefix.get(prefix);
    if (!owners) byPrefix.set(prefix, [protocol]);
    else if (!owners.includes(protocol)) owners.push(protocol);
  };
  for (const app of apps) {
    add(app.protocol, app.protocol);
    for (const prefix of app.fieldPrefixes ?? []) add(prefix, app.protocol);
  }
  return byPrefix;
}
