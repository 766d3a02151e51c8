/**
 * An HTTP CONNECT tunnel, as packet-http.c 4.0 shows one (http_payload_subdissector): once a
 * connection's CONNECT request has had a 200 answer, each later payload gets an HTTP layer with the
 * request's host and port (http.proxy_connect_host, http.proxy_connect_port) and is handed on as
 * TCP would hand it to that port: TLS for `host:443`, SMTP for `host:25`, data for a port HTTP
 * itself owns. The side that sent the tunnel's first payload is the client: the other side's port
 * is replaced by the request's (Wireshark's server_addr/server_port, set at that first payload).
 */
import { LayerBuilder } from './builder';
import type { AppContext, AppDissector, AppResult, ConnectionSlot, ProxyTunnel } from './model';
import { upgradedDataDissector } from './websocket';

/** packet-http.c's http_tcp_range: a tunnel to one of these ports is shown as data. */
const HTTP_TCP_RANGE: ReadonlySet<number> = new Set([80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710]);

/** The dissector a payload goes to by its (changed) ports, undefined for none ("data"). */
export type PortLookup = (ctx: AppContext, data: Buffer, offset: number, end: number) => AppDissector | undefined;
/** Runs a dissector and turns an exception into a malformed layer (dissector.ts dissectApp). */
export type SafeRun = (app: AppDissector, data: Buffer, offset: number, end: number, ctx: AppContext) => AppResult;

/** strtol(text, NULL, 10) as C reads it: leading blanks, a sign, digits; 0 when none. */
function strtol(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number(m[1]);
}

/** The dissector that hands a tunnel's payloads on; `lookup` chooses by ports (Dissector.appFor). */
export function proxyTunnelDissector(tunnel: ProxyTunnel, lookup: PortLookup, run: SafeRun): AppDissector {
  const colon = tunnel.uri.indexOf(':');
  const host = colon < 0 ? '' : tunnel.uri.slice(0, colon);
  const port = colon < 0 ? -1 : strtol(tunnel.uri.slice(colon + 1));
  let server: { addr: string; port: number } | null = null;
  const innerSlot: ConnectionSlot = { heuristicApp: null, proxy: null };

  /** The payload as the tunnel's protocol sees it: the server's port replaced by the request's. */
  const innerContext = (ctx: AppContext): AppContext => {
    server ??= { addr: ctx.dst, port: ctx.dstPort };
    const fromServer = ctx.srcPort === server.port && ctx.src === server.addr;
    const uint16 = port & 0xffff;
    return { ...ctx, srcPort: fromServer ? uint16 : ctx.srcPort, dstPort: fromServer ? ctx.dstPort : uint16, connection: innerSlot };
  };
  const innerApp = (ctx: AppContext, data: Buffer, offset: number, end: number): AppDissector =>
    (HTTP_TCP_RANGE.has(port) ? undefined : lookup(ctx, data, offset, end)) ?? upgradedDataDissector;

  /** The HTTP layer packet-http.c adds over the payload, with the request's host and port. */
  const httpLayer = (data: Buffer, offset: number, stop: number, ctx: AppContext) => {
    const b = new LayerBuilder(data, 'http', 'Hypertext Transfer Protocol', offset, stop, ctx.fields);
    b.add('http.proxy_connect_host', () => `[Proxy-Connect-Hostname: ${host}]`, host, offset, 0);
    b.add('http.proxy_connect_port', () => `[Proxy-Connect-Port: ${port}]`, port & 0xffff, offset, 0);
    return b.layer;
  };

  return {
    protocol: 'http',
    // What the tunnel carries may be any protocol: it always runs, as a stateful dissector does.
    stateful: true,
    dissect(data, offset, end, ctx) {
      // A request URI without a port: packet-http.c hands the payload to nobody.
      if (colon < 0) return { layers: [], protocolColumn: '', info: '' };
      const inner = innerContext(ctx);
      const app = innerApp(inner, data, offset, end);
      const stop = Math.min(end, data.length);
      const result = run(app, data, offset, end, inner);
      let chain: string[];
      if (app === upgradedDataDissector) chain = ['http', 'data'];
      else if (result.chain !== undefined) chain = ['http', ...result.chain];
      else {
        let last = '';
        chain = ['http', ...result.layers.map((layer) => (layer.protocol === last ? '' : (last = layer.protocol)))];
      }
      return { ...result, layers: [httpLayer(data, offset, stop, ctx), ...result.layers], chain, chainFromFirstLayer: false };
    },
    desegment(data, offset, end, ctx) {
      if (colon < 0) return { pdus: [end - offset], need: 0 };
      const inner = innerContext(ctx);
      const app = innerApp(inner, data, offset, end);
      if (app.desegment === undefined) return { pdus: [end - offset], need: 0 };
      const split = app.desegment(data, offset, end, inner);
      // The HTTP layer is there before the payload is handed on: it stays when that waits for more.
      return split.need === 0 ? split : { ...split, leadLayer: httpLayer(data, offset, Math.min(end, data.length), ctx), keepsProtocol: app.protocol };
    },
  };
}
