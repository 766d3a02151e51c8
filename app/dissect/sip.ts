/**
 * SIP (RFC 3261; UDP/TCP 5060 and tshark's SIP heuristics on UDP and TCP) with SDP bodies, as
 * tshark 4.0 shows them: request/status line, headers as sip.<Header-Name> with the sub-fields of
 * From, To, Contact, Via, CSeq and the Request-URI, the request a response answers and its
 * response time, Info "Request: INVITE sip:…" / "Status: 200 OK (INVITE)" followed by tshark's
 * " | " fence. Over TCP a message is put together from segments up to its Content-Length (tshark's
 * defaults). An SDP offer/answer sets up the RTP/RTCP endpoints rtp.ts decodes (MediaRegistry).
 * Left out: multipart bodies, authentication sub-fields, and the less common headers' sub-trees.
 */
import { dissectSafely, LayerBuilder, StopDissection } from './builder';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { ONE_MORE_SEGMENT } from './tcp-pdus';
import { createRtpDissectors, MediaRegistry, payloadTypeName, statusSuffix, type MediaSetup } from './rtp';

export const SIP_PORT = 5060;

/** Header names tshark gives a field of their own (sip.<name>); ':u' marks FT_UINT32 ones. */
const HEADER_LIST =
  'Accept Accept-Contact Accept-Encoding Accept-Language Accept-Resource-Priority Additional-Identity Alert-Info Allow Allow-Events ' +
  'Answer-Mode Attestation-Info Authentication-Info Authorization Call-ID Call-Info Cellular-Network-Info Contact Content-Disposition ' +
  'Content-Encoding Content-Language Content-Length:u Content-Type CSeq Date Error-Info Event Expires:u Feature-Caps Flow-Timer From ' +
  'Geolocation Geolocation-Error Geolocation-Routing History-Info Identity Identity-info Info-Package In-Reply-To Join Max-Breadth:u ' +
  'Max-Forwards:u MIME-Version Min-Expires Min-SE Organization Origination-Id P-Access-Network-Info P-Answer-State P-Asserted-Identity ' +
  'P-Asserted-Service P-Charge-Info P-Associated-URI P-Called-Party-ID P-Charging-Function-Addresses P-Charging-Vector ' +
  'P-DCS-Trace-Party-ID P-DCS-OSPS P-DCS-Billing-Info P-DCS-LAES P-DCS-Redirect P-Early-Media P-Media-Authorization ' +
  'P-Preferred-Identity P-Preferred-Service P-Profile-Key P-Refused-URI-List P-Served-User P-User-Database P-Visited-Network-ID Path ' +
  'Permission-Missing Priority Priority-Share Priv-Answer-mode Privacy Proxy-Authenticate Proxy-Authorization Proxy-Require RAck Reason ' +
  'Reason-Phrase Record-Route Recv-Info Refer-Sub Refer-To Reject-Contact Relayed-Charge Replaces Reply-To Request-Disposition Require ' +
  'Resource-Priority Resource-Share Response-Source Restoration-Info Retry-After:u Route RSeq:u Security-Client Security-Server ' +
  'Security-Verify Server Service-Interact-Info Service-Route Session-Expires Session-ID ETag Subject Subscription-State Supported ' +
  'Target-Dialog Timestamp To Trigger-Consent Unsupported User-Agent Via Warning WWW-Authenticate Diversion';

const HEADERS = new Map<string, { name: string; uint: boolean }>();
for (const item of HEADER_LIST.split(' ')) {
  const [name, type] = item.split(':');
  HEADERS.set(name!.toLowerCase(), { name: name!, uint: type === 'u' });
}
HEADERS.set('sip-if-match', { name: 'If_Match', uint: false });
HEADERS.set('sip-etag', { name: 'ETag', uint: false });

/** RFC 3261's compact header forms (and the extensions' ones tshark knows). */
const COMPACT: Record<string, string> = {
  a: 'accept-contact', b: 'referred-by', c: 'content-type', d: 'request-disposition', e: 'content-encoding', f: 'from', i: 'call-id',
  j: 'reject-contact', k: 'supported', l: 'content-length', m: 'contact', o: 'event', r: 'refer-to', s: 'subject', t: 'to',
  u: 'allow-events', v: 'via', x: 'session-expires', y: 'identity',
};

const REQUEST_LINE = /^([!%*+\-.0-9A-Z_`a-z~']+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 (\d{3})(?: (.*))?$/;

/** SIP, and the RTP/RTCP dissectors its SDP bodies set up, sharing one capture's state. */
export function createSipRtpDissectors(): AppDissector[] {
  const media = new MediaRegistry();
  const state: SipState = { requests: new Map(), seen: new Map(), offers: new Map(), media };
  const sip: AppDissector = {
    protocol: 'sip',
    fieldPrefixes: ['sdp'],
    udpPorts: [SIP_PORT],
    tcpPorts: [SIP_PORT],
    stateful: true,
    heuristic: (data, offset, end) => looksLikeSip(data, offset, end),
    dissect: (data, offset, end, ctx) => dissectSip(state, data, offset, end, ctx),
    desegment: (data, offset, end) => sipMessages(data, offset, end),
  };
  return [sip, ...createRtpDissectors(media)];
}

/**
 * Milliseconds from `fromNs` to `toNs` as packet-sip.c counts them (sip_find_request): whole
 * seconds apart × 1000 plus the nanoseconds' difference ÷ 10^6, truncated toward zero. Where the
 * second changes between the two, that difference is negative and rounds up: 2.5 ms across a
 * second boundary is 3, not 2.
 */
export function elapsedMs(fromNs: bigint, toNs: bigint): number {
  const seconds = toNs / 1000000000n - fromNs / 1000000000n;
  const nanoseconds = (toNs % 1000000000n) - (fromNs % 1000000000n);
  return Number(seconds * 1000n + nanoseconds / 1000000n);
}

interface SipState {
  /** Requests by Call-ID, CSeq number and method: the frame and time a response refers to. */
  requests: Map<string, { frame: number; tsNs: bigint }>;
  /** UDP messages seen (for tshark's resend check): key → first frame. */
  seen: Map<string, number>;
  /** SDP offers by Call-ID and CSeq number, until their answer. */
  offers: Map<string, { frame: number; sessions: SdpMedia[] }>;
  media: MediaRegistry;
}

interface SdpMedia {
  address: string;
  port: number;
  rtp: boolean;
  rtcpMux: boolean;
  encodings: Map<number, string>;
  /** The names its Payload type items show (the answer's, once answered). */
  labels?: Map<number, string>;
}

/** The first line of the payload is a SIP request or status line (tshark's heuristic test). */
export function looksLikeSip(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length, offset + 1024);
  const lf = data.indexOf(0x0a, offset);
  if (lf < 0 || lf >= stop) return false;
  const line = data.toString('latin1', offset, lf > offset && data[lf - 1] === 0x0d ? lf - 1 : lf);
  return REQUEST_LINE.test(line) || STATUS_LINE.test(line);
}

/** Whole SIP messages over TCP: headers up to the blank line, then Content-Length bytes of body. */
export function sipMessages(data: Buffer, offset: number, end: number): PduSplit {
  const pdus: number[] = [];
  let at = offset;
  while (at < end) {
    // Keep-alive CRLFs between messages belong to the message before (tshark skips them).
    const firstEnd = data.indexOf(0x0a, at);
    if (firstEnd < 0 || firstEnd >= end) return { pdus, need: ONE_MORE_SEGMENT };
    const first = data.toString('latin1', at, firstEnd > at && data[firstEnd - 1] === 0x0d ? firstEnd - 1 : firstEnd);
    if (!REQUEST_LINE.test(first) && !STATUS_LINE.test(first)) {
      pdus.push(end - at);
      break;
    }
    let line = firstEnd + 1;
    let contentLength = 0;
    for (;;) {
      const lf = data.indexOf(0x0a, line);
      if (lf < 0 || lf >= end) return { pdus, need: ONE_MORE_SEGMENT };
      const textEnd = lf > line && data[lf - 1] === 0x0d ? lf - 1 : lf;
      const text = data.toString('latin1', line, textEnd);
      line = lf + 1;
      if (text === '') break;
      const m = /^(content-length|l)\s*:\s*(\d+)/i.exec(text);
      if (m) contentLength = Number(m[2]);
    }
    if (end - line < contentLength) return { pdus, need: contentLength - (end - line) };
    pdus.push(line + contentLength - at);
    at = line + contentLength;
  }
  return { pdus, need: 0 };
}

/** Text as tshark -T fields prints a string holding CR and LF. */
function escaped(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

interface UriParts {
  display?: string;
  displayAt: number;
  uri: string;
  uriAt: number;
  user?: string;
  userAt?: number;
  host: string;
  hostAt: number;
  port?: string;
  portAt?: number;
  params: { text: string; at: number }[];
  /** Header parameters after the URI (tag=…, expires=…). */
  headerParams: { name: string; value: string; text: string; at: number }[];
}

/** A name-addr or addr-spec as tshark's dissect_sip_name_addr_or_addr_spec splits it. */
function parseNameAddr(value: string, at: number): UriParts | null {
  let uriStart: number;
  let uriEnd: number;
  let display: string | undefined;
  const lt = value.indexOf('<');
  let rest: number;
  if (lt >= 0) {
    if (lt > 0) {
      display = value.slice(0, lt);
      // A quoted display name ends at its closing quote (tshark drops the space after it).
      if (display.startsWith('"')) {
        const close = display.indexOf('"', 1);
        if (close > 0) display = display.slice(0, close + 1);
      }
    }
    uriStart = lt + 1;
    uriEnd = value.indexOf('>', uriStart);
    if (uriEnd < 0) return null;
    rest = uriEnd + 1;
  } else {
    uriStart = 0;
    const semi = value.indexOf(';');
    uriEnd = semi < 0 ? value.length : semi;
    rest = uriEnd;
  }
  const uri = value.slice(uriStart, uriEnd);
  const colon = uri.indexOf(':');
  if (colon < 0) return null;
  const afterScheme = colon + 1;
  const paramsAt = uri.indexOf(';', afterScheme);
  const hostPart = paramsAt < 0 ? uri.slice(afterScheme) : uri.slice(afterScheme, paramsAt);
  const atSign = hostPart.lastIndexOf('@');
  const parts: UriParts = { display, displayAt: at, uri, uriAt: at + uriStart, host: '', hostAt: 0, params: [], headerParams: [] };
  let hostStart = afterScheme;
  if (atSign >= 0) {
    parts.user = hostPart.slice(0, atSign);
    parts.userAt = at + uriStart + afterScheme;
    hostStart = afterScheme + atSign + 1;
  }
  const hostPort = uri.slice(hostStart, paramsAt < 0 ? uri.length : paramsAt).replace(/\?.*$/, '');
  let host = hostPort;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = close < 0 ? hostPort : hostPort.slice(0, close + 1);
  } else {
    const c = hostPort.indexOf(':');
    if (c >= 0) host = hostPort.slice(0, c);
  }
  parts.host = host;
  parts.hostAt = at + uriStart + hostStart;
  if (hostPort.length > host.length + 1 && hostPort[host.length] === ':') {
    parts.port = hostPort.slice(host.length + 1);
    parts.portAt = parts.hostAt + host.length + 1;
  }
  if (paramsAt >= 0) {
    let p = paramsAt + 1;
    for (const text of uri.slice(paramsAt + 1).split(';')) {
      if (text) parts.params.push({ text, at: at + uriStart + p });
      p += text.length + 1;
    }
  }
  let p = rest;
  while (p < value.length) {
    const semi = value.indexOf(';', p);
    if (semi < 0) break;
    const next = value.indexOf(';', semi + 1);
    const text = value.slice(semi + 1, next < 0 ? value.length : next).trim();
    const eq = text.indexOf('=');
    parts.headerParams.push({ name: (eq < 0 ? text : text.slice(0, eq)).toLowerCase(), value: eq < 0 ? '' : text.slice(eq + 1), text, at: at + semi + 1 });
    p = semi + 1;
  }
  return parts;
}

interface UriFields {
  display: string;
  addr: string;
  user: string;
  host: string;
  port: string;
  param: string;
  /** Labels. */
  displayLabel: string;
  addrLabel: string;
  userLabel: string;
  hostLabel: string;
  portLabel: string;
  paramLabel: string;
}

const FROM_FIELDS: UriFields = {
  display: 'sip.from.display.info', addr: 'sip.from.addr', user: 'sip.from.user', host: 'sip.from.host', port: 'sip.from.port', param: 'sip.from.param',
  displayLabel: 'SIP from display info', addrLabel: 'SIP from address', userLabel: 'SIP from address User Part', hostLabel: 'SIP from address Host Part',
  portLabel: 'SIP from address Host Port', paramLabel: 'SIP From URI parameter',
};
const TO_FIELDS: UriFields = {
  display: 'sip.to.display.info', addr: 'sip.to.addr', user: 'sip.to.user', host: 'sip.to.host', port: 'sip.to.port', param: 'sip.to.param',
  displayLabel: 'SIP to display info', addrLabel: 'SIP to address', userLabel: 'SIP to address User Part', hostLabel: 'SIP to address Host Part',
  portLabel: 'SIP to address Host Port', paramLabel: 'SIP To URI parameter',
};
const CONTACT_FIELDS: UriFields = {
  display: 'sip.contact.display.info', addr: 'sip.contact.uri', user: 'sip.contact.user', host: 'sip.contact.host', port: 'sip.contact.port', param: 'sip.contact.param',
  displayLabel: 'SIP C-URI display info', addrLabel: 'Contact URI', userLabel: 'Contact URI User Part', hostLabel: 'Contact URI Host Part',
  portLabel: 'Contact URI Host Port', paramLabel: 'Contact URI parameter',
};
const RURI_FIELDS: UriFields = {
  display: 'sip.r-uri.display.info', addr: 'sip.r-uri', user: 'sip.r-uri.user', host: 'sip.r-uri.host', port: 'sip.r-uri.port', param: 'sip.r-uri.param',
  displayLabel: 'Request-URI display info', addrLabel: 'Request-URI', userLabel: 'Request-URI User Part', hostLabel: 'Request-URI Host Part',
  portLabel: 'Request-URI Host Port', paramLabel: 'Request URI parameter',
};

function uriFields(b: LayerBuilder, f: UriFields, u: UriParts, hiddenDisplay: boolean): void {
  if (u.display !== undefined) {
    const display = u.display;
    b.add(f.display, () => `${f.displayLabel}: ${display}`, display, u.displayAt, display.length);
    if (hiddenDisplay) b.add('sip.display.info', () => `SIP Display info: ${display}`, display, u.displayAt, display.length).hidden = true;
  }
  b.group(f.addr, () => `${f.addrLabel}: ${u.uri}`, u.uri, u.uriAt, u.uri.length, () => {
    if (u.user !== undefined) b.add(f.user, () => `${f.userLabel}: ${u.user}`, u.user!, u.userAt!, u.user!.length);
    b.add(f.host, () => `${f.hostLabel}: ${u.host}`, u.host, u.hostAt, u.host.length);
    if (u.port !== undefined) b.add(f.port, () => `${f.portLabel}: ${u.port}`, u.port!, u.portAt!, u.port!.length);
    for (const param of u.params) b.add(f.param, () => `${f.paramLabel}: ${param.text}`, param.text, param.at, param.text.length);
  });
}

interface Header {
  /** Lower-case full name. */
  name: string;
  rawName: string;
  value: string;
  lineAt: number;
  lineLength: number;
  valueAt: number;
  raw: string;
}

function dissectSip(state: SipState, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const stop = Math.min(end, data.length);
  const layers: Layer[] = [];
  let info = '';
  let column = 'SIP';
  let at = offset;
  // One datagram or PDU may hold several messages (tshark dissects each, the Info fenced by " | ").
  while (at < stop) {
    const message = dissectMessage(state, data, at, end, ctx);
    if (message === null) break;
    layers.push(...message.layers);
    info += message.info;
    if (message.sdp) column = 'SIP/SDP';
    if (message.next <= at || ctx.transport === 'tcp') break;
    at = message.next;
    if (!looksLikeSip(data, at, end)) break;
  }
  if (layers.length === 0) {
    const b = new LayerBuilder(data, 'sip', 'Session Initiation Protocol', offset, end, ctx.fields);
    b.setLength(stop - offset);
    layers.push(b.layer);
    info = 'Continuation';
  }
  return { layers, protocolColumn: column, info };
}

function dissectMessage(state: SipState, data: Buffer, offset: number, end: number, ctx: AppContext): { layers: Layer[]; info: string; sdp: boolean; next: number } | null {
  const stop = Math.min(end, data.length);
  const firstEnd = data.indexOf(0x0a, offset);
  if (firstEnd < 0 || firstEnd >= stop) return null;
  const firstTextEnd = firstEnd > offset && data[firstEnd - 1] === 0x0d ? firstEnd - 1 : firstEnd;
  const first = data.toString('latin1', offset, firstTextEnd);
  const request = REQUEST_LINE.exec(first);
  const status = request ? null : STATUS_LINE.exec(first);
  if (!request && !status) return null;
  const b = new LayerBuilder(data, 'sip', 'Session Initiation Protocol', offset, end, ctx.fields);
  let info = '';
  let sdpLayer: Layer | undefined;
  let next = stop;
  const layer = dissectSafely(b, () => {
    // The headers: lines up to the blank one (folded continuation lines join the header before).
    const headers: Header[] = [];
    let line = firstEnd + 1;
    let ended = false;
    while (line < stop) {
      const lf = data.indexOf(0x0a, line);
      const lineEnd = lf < 0 || lf >= stop ? stop : lf + 1;
      let textEnd = lineEnd;
      while (textEnd > line && (data[textEnd - 1] === 0x0a || data[textEnd - 1] === 0x0d)) textEnd--;
      if (textEnd === line && lf >= 0 && lf < stop) {
        line = lineEnd;
        ended = true;
        break;
      }
      const raw = data.toString('latin1', line, textEnd);
      const colon = raw.indexOf(':');
      if (colon > 0) {
        const rawName = raw.slice(0, colon).trim();
        let valueStart = colon + 1;
        while (valueStart < raw.length && (raw[valueStart] === ' ' || raw[valueStart] === '\t')) valueStart++;
        let name = rawName.toLowerCase();
        if (name.length === 1 && COMPACT[name]) name = COMPACT[name]!;
        headers.push({ name, rawName, value: raw.slice(valueStart).trimEnd(), lineAt: line, lineLength: lineEnd - line, valueAt: line + valueStart, raw });
      }
      line = lineEnd;
      if (lf < 0 || lf >= stop) break;
    }
    const headerStart = firstEnd + 1;
    const headerEnd = line;
    const get = (name: string): Header | undefined => headers.find((h) => h.name === name);
    const callId = get('call-id')?.value ?? '';
    const cseqText = get('cseq')?.value ?? '';
    const cseqMatch = /^(\d+)\s*(.*)$/.exec(cseqText);
    const cseqNumber = cseqMatch ? cseqMatch[1]! : '';
    const cseqMethod = cseqMatch ? cseqMatch[2]!.trim() : '';
    const contentLengthHeader = get('content-length');
    const contentLength = contentLengthHeader && /^\d+$/.test(contentLengthHeader.value) ? Number(contentLengthHeader.value) : -1;
    const bodyStart = headerEnd;
    let bodyEnd = stop;
    if (contentLength >= 0 && bodyStart + contentLength < bodyEnd) bodyEnd = bodyStart + contentLength;
    next = ended ? Math.min(stop, bodyStart + Math.max(0, contentLength)) : stop;

    // What a response refers to, and resends (UDP).
    const key = `${callId}|${cseqNumber}|${cseqMethod}`;
    let requestFrame = 0;
    let responseMs = -1;
    const tsNs = ctx.tsNs ?? 0n;
    // tshark 4.0 matches responses (and ACKs) to their requests over UDP only.
    if (ctx.transport !== 'udp') {
      // nothing
    } else if (request) {
      if (!state.requests.has(key) && request[1] !== 'ACK') state.requests.set(key, { frame: ctx.frameNumber, tsNs });
      if (request[1] === 'ACK') {
        const invite = state.requests.get(`${callId}|${cseqNumber}|INVITE`);
        if (invite) {
          requestFrame = invite.frame;
          responseMs = elapsedMs(invite.tsNs, tsNs);
        }
      }
    } else {
      const req = state.requests.get(key);
      if (req) {
        requestFrame = req.frame;
        responseMs = elapsedMs(req.tsNs, tsNs);
      }
    }
    let resendOf = 0;
    if (ctx.transport === 'udp') {
      const seenKey = `${key}|${request ? `Q${request[1]}` : `S${status![1]}`}|${ctx.src}|${ctx.srcPort}|${ctx.dst}|${ctx.dstPort}`;
      const earlier = state.seen.get(seenKey);
      if (earlier !== undefined && earlier !== ctx.frameNumber) resendOf = earlier;
      else state.seen.set(seenKey, ctx.frameNumber);
      if (state.seen.size > 100000) state.seen.clear();
    }
    if (state.requests.size > 100000) state.requests.clear();

    // The first line.
    const lineAt = offset;
    const lineLength = firstEnd + 1 - offset;
    const requestOrStatus = (): void => {
      b.add('sip.resend', () => `[Resent Packet: ${resendOf ? 'True' : 'False'}]`, resendOf !== 0, lineAt, 0);
      if (resendOf) b.add('sip.resend-original', () => `[Suspected resend of frame: ${resendOf}]`, resendOf, lineAt, 0);
      if (requestFrame) {
        b.add('sip.response-request', () => `[Request Frame: ${requestFrame}]`, requestFrame, lineAt, 0);
        b.add('sip.response-time', () => `[Response Time (ms): ${responseMs}]`, responseMs, lineAt, 0);
        if (status && cseqMethod === 'BYE' && Number(status[1]) >= 200 && Number(status[1]) < 300) {
          b.add('sip.release-time', () => `[Release Time (ms): ${responseMs}]`, responseMs, lineAt, 0);
        }
      }
    };
    if (request) {
      const method = request[1]!;
      const uri = request[2]!;
      info = `Request: ${method} ${uri}`;
      b.group('sip.Request-Line', () => `Request-Line: ${first}`, first, lineAt, lineLength, () => {
        b.add('sip.Method', () => `Method: ${method}`, method, lineAt, method.length);
        const u = parseNameAddr(uri, lineAt + method.length + 1);
        if (u) uriFields(b, RURI_FIELDS, u, false);
        else b.add('sip.r-uri', () => `Request-URI: ${uri}`, uri, lineAt + method.length + 1, uri.length);
        // Headers cut by the capture: tshark's exception comes here, before the title and fence.
        if (!ended && stop < end) throw new StopDissection('truncated', 'SIP truncated');
        requestOrStatus();
      });
      b.title(() => `Session Initiation Protocol (${method})`);
    } else {
      const code = Number(status![1]);
      const phrase = status![2] ?? '';
      info = `Status: ${code} ${phrase}`;
      b.group('sip.Status-Line', () => `Status-Line: ${first}`, first, lineAt, lineLength, () => {
        b.add('sip.Status-Code', () => `Status-Code: ${code}`, code, lineAt + 8, 3);
        if (!ended && stop < end) throw new StopDissection('truncated', 'SIP truncated');
        requestOrStatus();
      });
      b.title(() => `Session Initiation Protocol (${code})`);
      if (code === 200) info += ` (${cseqMethod})`;
    }

    // The headers.
    let contacts = 0;
    let contactsExpires0 = 0;
    let contactStar = false;
    let expires0 = false;
    // tshark's Message Header item runs from the first header to the end of the message.
    const headerText = data.toString('latin1', headerStart, ended ? bodyEnd : stop);
    b.group('sip.msg_hdr', 'Message Header', headerText, headerStart, headerEnd - headerStart, () => {
      for (const h of headers) {
        const known = HEADERS.get(h.name);
        const abbrev = known ? `sip.${known.name}` : '';
        const value: string | number = known?.uint ? Number.parseInt(h.value, 10) || 0 : h.value;
        const body = (): void => headerDetails(b, h);
        if (abbrev) b.group(abbrev, () => h.raw, value, h.lineAt, h.lineLength, body);
        else b.group('', () => h.raw, null, h.lineAt, h.lineLength, body);
        if (h.name === 'call-id') b.add('sip.call_id_generated', () => `[Generated Call-ID: ${h.value}]`, h.value, h.valueAt, 0);
        if (h.name === 'expires' && h.value === '0') expires0 = true;
        if (h.name === 'contact') {
          if (h.value.trim() === '*') contactStar = true;
          else {
            for (const c of splitContacts(h.value)) {
              contacts++;
              if (/;\s*expires\s*=\s*0*(\s|;|$)/i.test(c.replace(/<[^>]*>/, ''))) contactsExpires0++;
            }
          }
        }
      }
      if (!ended) b.add('sip.header_not_terminated', 'Header not terminated by empty line (CRLF)', null, headerEnd, 0, '1');
    }, escaped(headerText));

    // REGISTER bindings, as tshark counts them in Info.
    const plural = (n: number): string => (n === 1 ? '' : 's');
    if (request && request[1] === 'REGISTER') {
      if (contactStar && expires0) info += '  (remove all bindings)';
      else if (contactsExpires0 > 0) {
        info += `  (remove ${contactsExpires0} binding${plural(contactsExpires0)})`;
        if (contacts > contactsExpires0) info += ` (add ${contacts - contactsExpires0} binding${plural(contacts - contactsExpires0)})`;
      } else if (!contacts) info += '  (fetch bindings)';
      else info += `  (${contacts} binding${plural(contacts)})`;
    }
    if (status && cseqMethod === 'REGISTER' && Number(status[1]) > 199 && Number(status[1]) < 300) {
      if (contactsExpires0 > 0) {
        info += `  (removed ${contactsExpires0} binding${plural(contactsExpires0)})`;
        if (contacts > contactsExpires0) info += ` (${contacts - contactsExpires0} binding${plural(contacts - contactsExpires0)} kept)`;
      } else info += `  (${contacts} binding${plural(contacts)})`;
    }
    info += ' | ';

    // The body.
    if (ended && bodyEnd > bodyStart) {
      const type = (get('content-type')?.value ?? '').split(';')[0]!.trim().toLowerCase();
      b.add('sip.msg_body', 'Message Body', null, bodyStart, bodyEnd - bodyStart, '1');
      if (type === 'application/sdp') {
        const sessions: SdpMedia[] = [];
        sdpLayer = dissectSdp(data, bodyStart, bodyEnd, ctx, sessions);
        const callIds = resendOf ? [callId] : setupMedia(state, request !== null, status ? Number(status[1]) : 0, `${callId}|${cseqNumber}`, requestFrame, ctx, callId, sessions);
        // tshark's SDP tree lists the Call-IDs of every set-up its media conversation has had.
        if (callId && (ctx.fields === undefined || ctx.fields.has('sip.call_id_generated'))) {
          for (const id of callIds) sdpLayer.fields.push({ abbrev: 'sip.call_id_generated', label: ctx.fields ? '' : `[Generated Call-ID: ${id}]`, value: id, text: id, offset: bodyStart, length: 0 });
        }
      }
    }
  });
  layer.length = next - offset;
  info += statusSuffix(layer);
  const layers = [layer];
  if (sdpLayer) layers.push(sdpLayer);
  return { layers, info, sdp: sdpLayer !== undefined, next };
}

/** The contacts of a Contact header value (commas outside quotes and angle brackets). */
function splitContacts(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out.filter((c) => c.trim() !== '');
}

function headerDetails(b: LayerBuilder, h: Header): void {
  const v = h.value;
  const at = h.valueAt;
  switch (h.name) {
    case 'from':
    case 'to': {
      const u = parseNameAddr(v, at);
      if (!u) return;
      uriFields(b, h.name === 'from' ? FROM_FIELDS : TO_FIELDS, u, true);
      for (const p of u.headerParams) {
        if (p.name === 'tag') {
          b.add(`sip.${h.name}.tag`, () => `SIP ${h.name} tag: ${p.value}`, p.value, p.at + 4, p.value.length);
          b.add('sip.tag', () => `SIP tag: ${p.value}`, p.value, p.at + 4, p.value.length).hidden = true;
        }
      }
      return;
    }
    case 'contact': {
      if (v.trim() === '*') return;
      let p = 0;
      for (const c of splitContacts(v)) {
        const lead = c.length - c.trimStart().length;
        const u = parseNameAddr(c.trim(), at + p + lead);
        p += c.length + 1;
        if (!u) continue;
        uriFields(b, CONTACT_FIELDS, u, false);
        for (const param of u.headerParams) b.add('sip.contact.parameter', () => `Contact parameter: ${param.text}`, param.text, param.at, param.text.length);
      }
      return;
    }
    case 'cseq': {
      const m = /^(\d+)(\s*)(.*)$/.exec(v);
      if (!m) return;
      const seq = Number(m[1]);
      b.add('sip.CSeq.seq', () => `Sequence Number: ${seq}`, seq, at, m[1]!.length);
      if (m[3]) b.add('sip.CSeq.method', () => `Method: ${m[3]}`, m[3]!, at + m[1]!.length + m[2]!.length, m[3]!.length);
      return;
    }
    case 'via': {
      const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;,\s]+)/.exec(v);
      if (!m) return;
      const transport = m[1]!;
      b.add('sip.Via.transport', () => `Transport: ${transport}`, transport, at + v.indexOf(transport, 7), transport.length);
      const sentBy = m[2]!;
      const sentByAt = at + m[0].length - sentBy.length;
      let address = sentBy;
      let port: string | undefined;
      if (sentBy.startsWith('[')) {
        const close = sentBy.indexOf(']');
        address = sentBy.slice(0, close + 1);
        if (sentBy[close + 1] === ':') port = sentBy.slice(close + 2);
      } else if (sentBy.includes(':')) {
        address = sentBy.slice(0, sentBy.indexOf(':'));
        port = sentBy.slice(sentBy.indexOf(':') + 1);
      }
      b.add('sip.Via.sent-by.address', () => `Sent-by Address: ${address}`, address, sentByAt, address.length);
      if (port !== undefined && /^\d+$/.test(port)) b.add('sip.Via.sent-by.port', () => `Sent-by port: ${Number(port)}`, Number(port), sentByAt + address.length + 1, port.length);
      let p = m[0].length;
      for (const text of v.slice(m[0].length).split(';')) {
        const paramAt = at + p;
        p += text.length + 1;
        const t = text.trim();
        if (!t) continue;
        const eq = t.indexOf('=');
        const name = (eq < 0 ? t : t.slice(0, eq)).toLowerCase();
        const value = eq < 0 ? '' : t.slice(eq + 1);
        const viaParam: Record<string, [string, string]> = {
          branch: ['sip.Via.branch', 'Branch'], maddr: ['sip.Via.maddr', 'Maddr'], rport: ['sip.Via.rport', 'RPort'],
          received: ['sip.Via.received', 'Received'], ttl: ['sip.Via.ttl', 'TTL'], comp: ['sip.Via.comp', 'Comp'], 'sigcomp-id': ['sip.Via.sigcomp-id', 'Sigcomp identifier'],
        };
        const known = viaParam[name];
        // A parameter without a value (rport) shows its name as the value, as tshark does.
        const shown = eq < 0 ? name : value;
        if (known) b.add(known[0], () => `${known[1]}: ${shown}`, shown, paramAt + (eq < 0 ? 0 : eq + 1), shown.length);
      }
      return;
    }
    default:
  }
}

/** Applies an SDP offer or answer to the RTP/RTCP endpoints (tshark's setup_sdp_transport, not delayed). */
function setupMedia(state: SipState, isRequest: boolean, code: number, dialog: string, requestFrame: number, ctx: AppContext, callId: string, sessions: SdpMedia[]): string[] {
  let setupFrame = ctx.frameNumber;
  const first = sessions.find((s) => s.rtp && s.port !== 0 && s.address);
  const own = (): string[] => (first ? state.media.callIdsOf(first.address, first.port) : [callId]);
  let all = sessions;
  if (isRequest) {
    state.offers.set(dialog, { frame: ctx.frameNumber, sessions });
    if (state.offers.size > 10000) state.offers.clear();
  } else {
    if (code < 200 || code > 299) return own();
    const offer = state.offers.get(dialog);
    if (offer) {
      setupFrame = offer.frame;
      // The answer's flows and the offer's share the payload types both announced.
      // RTP events decode with the payload types either side announced; the Payload type item is
      // named from the answer's alone (as tshark 4.0 shows them).
      const merged = new Map<number, string>();
      const answered = new Map<number, string>();
      for (const s of sessions) for (const [pt, name] of s.encodings) if (!answered.has(pt)) answered.set(pt, name);
      for (const s of [...offer.sessions, ...sessions]) for (const [pt, name] of s.encodings) if (!merged.has(pt)) merged.set(pt, name);
      for (const s of [...offer.sessions, ...sessions]) {
        s.encodings = merged;
        s.labels = answered;
      }
      all = [...offer.sessions, ...sessions];
    } else if (requestFrame) setupFrame = requestFrame;
  }
  for (const s of all) {
    if (!s.rtp || s.port === 0 || !s.address) continue;
    state.media.noteCallId(s.address, s.port, callId);
    const setup = (): MediaSetup => ({ setupFrame, activeFrom: ctx.frameNumber, callIds: state.media.callIdsOf(s.address, s.port), encodings: s.encodings, labels: s.labels ?? s.encodings, lastSeq: -1 });
    const existingRtp = state.media.rtp.get(`${s.address}|${s.port}`);
    if (!existingRtp || existingRtp.setupFrame !== setupFrame) state.media.add('rtp', s.address, s.port, setup());
    else {
      existingRtp.encodings = s.encodings;
      existingRtp.labels = s.labels ?? s.encodings;
    }
    if (!s.rtcpMux) {
      const existing = state.media.rtcp.get(`${s.address}|${s.port + 1}`);
      if (!existing || existing.setupFrame !== setupFrame) state.media.add('rtcp', s.address, s.port + 1, setup());
    }
  }
  return own();
}

const BANDWIDTH_MODIFIERS: Record<string, string> = {
  CT: 'Conference Total', AS: 'Application Specific (RTP session bandwidth)', TIAS: 'Transport Independent Application Specific maximum',
};

const SDP_LINES: Record<string, [string, string]> = {
  v: ['sdp.version', 'Session Description Protocol Version (v)'], o: ['sdp.owner', 'Owner/Creator, Session Id (o)'],
  s: ['sdp.session_name', 'Session Name (s)'], u: ['sdp.uri', 'URI of Description (u)'], e: ['sdp.email', 'E-mail Address (e)'],
  p: ['sdp.phone', 'Phone Number (p)'], c: ['sdp.connection_info', 'Connection Information (c)'], b: ['sdp.bandwidth', 'Bandwidth Information (b)'],
  z: ['sdp.timezone', 'Time Zone Adjustments (z)'], k: ['sdp.encryption_key', 'Encryption Key (k)'], t: ['sdp.time', 'Time Description, active time (t)'],
  r: ['sdp.repeat_time', 'Repeat Time (r)'], m: ['sdp.media', 'Media Description, name and address (m)'],
};

/** An SDP body (RFC 4566) as tshark 4.0's SDP dissector shows it; collects its media for the set-up. */
export function dissectSdp(data: Buffer, offset: number, end: number, ctx: AppContext, sessions: SdpMedia[]): Layer {
  const b = new LayerBuilder(data, 'sdp', 'Session Description Protocol', offset, end, ctx.fields);
  const stop = Math.min(end, data.length);
  return dissectSafely(b, () => {
    let sessionAddress = '';
    let current: SdpMedia | undefined;
    let at = offset;
    while (at < stop) {
      const lf = data.indexOf(0x0a, at);
      const lineEnd = lf < 0 || lf >= stop ? stop : lf + 1;
      let textEnd = lineEnd;
      while (textEnd > at && (data[textEnd - 1] === 0x0a || data[textEnd - 1] === 0x0d)) textEnd--;
      const line = data.toString('latin1', at, textEnd);
      const lineAt = at;
      const lineLength = lineEnd - at;
      at = lineEnd;
      if (line.length < 2) break;
      if (line[1] !== '=') continue;
      const type = line[0]!;
      const value = line.slice(2);
      const valueAt = lineAt + 2;
      let known = SDP_LINES[type];
      if (type === 'i') known = current ? ['sdp.media_title', 'Media Title (i)'] : ['sdp.session_info', 'Session Information (i)'];
      if (type === 'a') known = current ? ['sdp.media_attr', 'Media Attribute (a)'] : ['sdp.session_attr', 'Session Attribute (a)'];
      if (!known) {
        b.add('sdp.unknown', () => `Unknown: ${line}`, line, lineAt, lineLength);
        continue;
      }
      const [abbrev, label] = known;
      if (type === 'm') {
        const words = value.split(' ');
        current = { address: sessionAddress, port: 0, rtp: false, rtcpMux: false, encodings: new Map() };
        sessions.push(current);
        const portText = (words[1] ?? '').split('/')[0];
        current.port = /^\d+$/.test(portText ?? '') ? Number(portText) : 0;
        current.rtp = /RTP/i.test(words[2] ?? '');
      }
      if (type === 'c') {
        const words = value.split(' ');
        const address = (words[2] ?? '').split('/')[0]!;
        if (current) current.address = address;
        else sessionAddress = address;
      }
      if (type === 'a' && current && value === 'rtcp-mux') current.rtcpMux = true;
      const media = current;
      b.group(abbrev, () => `${label}: ${value}`, value, lineAt, lineLength, () => sdpDetails(b, type, value, valueAt, media));
    }
  });
}

function sdpDetails(b: LayerBuilder, type: string, value: string, at: number, media: SdpMedia | undefined): void {
  const words = (names: [string, string][]): void => {
    let p = 0;
    const parts = value.split(' ');
    parts.forEach((w, i) => {
      const f = names[i];
      const wAt = at + p;
      p += w.length + 1;
      if (f) b.add(f[0], () => `${f[1]}: ${w}`, w, wAt, w.length);
    });
  };
  switch (type) {
    case 'o':
      words([
        ['sdp.owner.username', 'Owner Username'], ['sdp.owner.sessionid', 'Session ID'], ['sdp.owner.version', 'Session Version'],
        ['sdp.owner.network_type', 'Owner Network Type'], ['sdp.owner.address_type', 'Owner Address Type'], ['sdp.owner.address', 'Owner Address'],
      ]);
      return;
    case 'c':
      words([['sdp.connection_info.network_type', 'Connection Network Type'], ['sdp.connection_info.address_type', 'Connection Address Type'], ['sdp.connection_info.address', 'Connection Address']]);
      return;
    case 't':
      words([['sdp.time.start', 'Session Start Time'], ['sdp.time.stop', 'Session Stop Time']]);
      return;
    case 'b': {
      const colon = value.indexOf(':');
      if (colon < 0) return;
      const modifier = value.slice(0, colon);
      const kind = BANDWIDTH_MODIFIERS[modifier];
      const unit = modifier === 'AS' || modifier === 'CT' ? ' kb/s' : modifier === 'TIAS' ? ' b/s' : '';
      b.add('sdp.bandwidth.modifier', () => `Bandwidth Modifier: ${modifier}${kind ? ` [${kind}]` : ''}`, modifier, at, colon);
      b.add('sdp.bandwidth.value', () => `Bandwidth Value: ${value.slice(colon + 1)}${unit}`, value.slice(colon + 1), at + colon + 1, value.length - colon - 1);
      return;
    }
    case 'm': {
      const parts = value.split(' ');
      let p = 0;
      parts.forEach((w, i) => {
        const wAt = at + p;
        p += w.length + 1;
        if (i === 0) b.add('sdp.media.media', () => `Media Type: ${w}`, w, wAt, w.length);
        else if (i === 1) {
          const [portText, count] = w.split('/');
          const port = Number(portText);
          b.add('sdp.media.port_string', () => `Media Port: ${portText}`, portText!, wAt, portText!.length).hidden = true;
          b.add('sdp.media.port', () => `Media Port: ${port}`, port, wAt, portText!.length);
          if (count !== undefined) b.add('sdp.media.portcount', () => `Media Port Count: ${count}`, count, wAt + portText!.length + 1, count.length);
        } else if (i === 2) b.add('sdp.media.proto', () => `Media Protocol: ${w}`, w, wAt, w.length);
        else {
          const name = /^\d+$/.test(w) && /RTP/i.test(parts[2] ?? '') ? payloadTypeName(Number(w)) : w;
          b.add('sdp.media.format', () => `Media Format: ${name}`, name, wAt, w.length);
        }
      });
      return;
    }
    case 'a': {
      const colon = value.indexOf(':');
      // An attribute without a value (a=sendrecv) gets no sub-fields in tshark.
      if (colon < 0) return;
      const field = value.slice(0, colon);
      const prefix = media ? 'sdp.media_attribute' : 'sdp.session_attr';
      const fieldLabel = media ? 'Media Attribute Fieldname' : 'Session Attribute Fieldname';
      b.add(`${prefix}.field`, () => `${fieldLabel}: ${field}`, field, at, field.length);
      const rest = value.slice(colon + 1);
      const restAt = at + colon + 1;
      const rtpmap = /^(\d+) ([^/]+)\/(\d+)/.exec(rest);
      if (field === 'rtpmap' && rtpmap) {
        const pt = rtpmap[1]!;
        b.add('sdp.media.format', () => `Media Format: ${pt}`, pt, restAt, pt.length);
        b.add('sdp.mime.type', () => `MIME Type: ${rtpmap[2]}`, rtpmap[2]!, restAt + pt.length + 1, rtpmap[2]!.length);
        b.add('sdp.sample_rate', () => `Sample Rate: ${rtpmap[3]}`, rtpmap[3]!, restAt + pt.length + 2 + rtpmap[2]!.length, rtpmap[3]!.length);
        if (media && Number(pt) >= 96 && Number(pt) <= 127) media.encodings.set(Number(pt), rtpmap[2]!);
        return;
      }
      const fmtp = /^(\d+) (.*)$/.exec(rest);
      if (field === 'fmtp' && fmtp) {
        const pt = fmtp[1]!;
        const name = media?.encodings.get(Number(pt));
        b.add('sdp.media.format', () => `Media Format: ${pt}${name ? ` [${name}]` : ''}`, pt, restAt, pt.length);
        b.add('sdp.fmtp.parameter', () => `Media format specific parameters: ${fmtp[2]}`, fmtp[2]!, restAt + pt.length + 1, fmtp[2]!.length);
        return;
      }
      const valueLabel = media ? 'Media Attribute Value' : 'Session Attribute Value';
      b.add(`${prefix}.value`, () => `${valueLabel}: ${rest}`, rest, restAt, rest.length);
      return;
    }
    default:
  }
}
