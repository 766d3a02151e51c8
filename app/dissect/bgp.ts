/**
 * BGP-4 (RFC 4271; TCP 179) as tshark 4.0 shows it segment by segment: every message of a segment
 * as its own `bgp` layer (bgp.marker, bgp.length, bgp.type), with Info naming each message's type
 * joined by ", ". OPEN (version, AS, hold time, identifier, optional parameters and capability
 * types), UPDATE (withdrawn and path attribute lengths, each attribute's flags, type and length,
 * ORIGIN, AS_PATH/AS4_PATH segments, NEXT_HOP, MED, LOCAL_PREF, the IPv4 NLRI prefixes),
 * NOTIFICATION (error codes) and ROUTE-REFRESH (AFI, SAFI). Like Wireshark, bytes before a marker
 * are skipped, and a message cut by the segment is dissected as far as its bytes go with
 * "[BoundErrorUnreassembled Packet]" after its type in Info.
 * Left out: MP_REACH/MP_UNREACH and the many other attributes' contents, capability contents.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { AppDissector, AppResult, Layer } from './model';

export const BGP_PORT = 179;
const HEADER = 19;
const BOUND_ERROR = '[BoundErrorUnreassembled Packet]';

const TYPES: Record<number, string> = {
  1: 'OPEN Message', 2: 'UPDATE Message', 3: 'NOTIFICATION Message', 4: 'KEEPALIVE Message', 5: 'ROUTE-REFRESH Message',
  6: 'CAPABILITY Message', 128: 'ROUTE-REFRESH Message',
};
const ATTRIBUTES: Record<number, string> = {
  1: 'ORIGIN', 2: 'AS_PATH', 3: 'NEXT_HOP', 4: 'MULTI_EXIT_DISC', 5: 'LOCAL_PREF', 6: 'ATOMIC_AGGREGATE', 7: 'AGGREGATOR',
  8: 'COMMUNITIES', 9: 'ORIGINATOR_ID', 10: 'CLUSTER_LIST', 14: 'MP_REACH_NLRI', 15: 'MP_UNREACH_NLRI', 16: 'EXTENDED_COMMUNITIES',
  17: 'AS4_PATH', 18: 'AS4_AGGREGATOR', 32: 'LARGE_COMMUNITY',
};
const ORIGINS = ['IGP', 'EGP', 'INCOMPLETE'];
const MAJOR_ERRORS: Record<number, string> = {
  1: 'Message Header Error', 2: 'OPEN Message Error', 3: 'UPDATE Message Error', 4: 'Hold Timer Expired', 5: 'Finite State Machine Error',
  6: 'Cease', 7: 'CAPABILITY Message Error',
};
const MINOR_FIELDS: Record<number, string> = {
  1: 'bgp.notify.minor_error', 2: 'bgp.notify.minor_error_open', 3: 'bgp.notify.minor_error_update', 4: 'bgp.notify.minor_error_expired',
  5: 'bgp.notify.minor_error_state', 6: 'bgp.notify.minor_error_cease', 7: 'bgp.notify.minor_error_capability',
};

export const bgpDissector: AppDissector = {
  protocol: 'bgp',
  tcpPorts: [BGP_PORT],
  dissect: (data, offset, end, ctx) => dissectBgp(data, offset, end, ctx.fields),
};

function isMarkerPrefix(data: Buffer, at: number, stop: number): boolean {
  for (let k = at; k < Math.min(at + 16, stop); k++) if (data[k] !== 0xff) return false;
  return true;
}

export function dissectBgp(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const stop = Math.min(end, data.length);
  const layers: Layer[] = [];
  let info = '';
  for (let at = offset; at < end; ) {
    if (at >= stop) break;
    // Only the first message is looked for (bytes before a marker are skipped); the next ones
    // follow their predecessors' lengths, marker or not.
    if (layers.length === 0 && !isMarkerPrefix(data, at, stop)) {
      at++;
      continue;
    }
    if (end - at < HEADER || stop - at < HEADER) {
      const b = new LayerBuilder(data, 'bgp', 'Border Gateway Protocol', at, end, selection);
      b.mark(stop < end ? 'truncated' : 'malformed', 'BGP header runs past the end of the segment');
      layers.push(b.layer);
      info += BOUND_ERROR;
      break;
    }
    const length = data.readUInt16BE(at + 16);
    if (length < HEADER) {
      const b = new LayerBuilder(data, 'bgp', 'Border Gateway Protocol', at, end, selection);
      b.mark('malformed', `BGP length ${length} is less than the header's 19 bytes`);
      layers.push(b.layer);
      break;
    }
    const message = dissectMessage(data, at, Math.min(at + length, end), length, selection);
    layers.push(message.layer);
    info += (layers.length > 1 && info !== '' ? ', ' : '') + message.info;
    at += length;
  }
  if (layers.length === 0) layers.push(new LayerBuilder(data, 'bgp', 'Border Gateway Protocol', offset, offset, selection).layer);
  return { layers, protocolColumn: 'BGP', info };
}

function dissectMessage(data: Buffer, at: number, end: number, length: number, selection?: ReadonlySet<string>): { layer: Layer; info: string } {
  const b = new LayerBuilder(data, 'bgp', 'Border Gateway Protocol', at, end, selection);
  const type = data[at + 18]!;
  const name = TYPES[type] ?? `Unknown message type (${hex(type, 2)})`;
  b.title(`Border Gateway Protocol - ${name}`);
  dissectSafely(b, () => {
    const marker = b.bytes(at, 16);
    b.add('bgp.marker', () => `Marker: ${marker.toString('hex')}`, marker, at, 16, () => marker.toString('hex'));
    b.add('bgp.length', () => `Length: ${length}`, length, at + 16, 2);
    b.add('bgp.type', () => `Type: ${name} (${type})`, type, at + 18, 1);
    const body = at + HEADER;
    const bodyEnd = at + length;
    if (type === 1) open(b, body);
    else if (type === 2) update(b, body, bodyEnd);
    else if (type === 3) notification(b, body, bodyEnd);
    else if (type === 5 || type === 128) routeRefresh(b, body);
  });
  return { layer: b.layer, info: b.layer.status === 'ok' ? name : name + BOUND_ERROR };
}

function u8(b: LayerBuilder, abbrev: string, label: string, at: number, show: (v: number) => string = String): number {
  const v = b.u8(at, label);
  b.add(abbrev, () => `${label}: ${show(v)}`, v, at, 1);
  return v;
}
function u16(b: LayerBuilder, abbrev: string, label: string, at: number, show: (v: number) => string = String): number {
  const v = b.u16(at, label);
  b.add(abbrev, () => `${label}: ${show(v)}`, v, at, 2);
  return v;
}
function u32(b: LayerBuilder, abbrev: string, label: string, at: number): number {
  const v = b.u32(at, label);
  b.add(abbrev, () => `${label}: ${v}`, v, at, 4);
  return v;
}
function ipv4(b: LayerBuilder, abbrev: string, label: string, at: number): void {
  const bytes = b.bytes(at, 4, label);
  const text = bytes.join('.');
  b.add(abbrev, () => `${label}: ${text}`, text, at, 4);
}

function open(b: LayerBuilder, at: number): void {
  u8(b, 'bgp.open.version', 'Version', at);
  u16(b, 'bgp.open.myas', 'My AS', at + 1, (v) => (v === 23456 ? `${v} (AS_TRANS)` : String(v)));
  u16(b, 'bgp.open.holdtime', 'Hold Time', at + 3);
  ipv4(b, 'bgp.open.identifier', 'BGP Identifier', at + 5);
  const optLength = u8(b, 'bgp.open.opt.len', 'Optional Parameters Length', at + 9);
  if (optLength === 0) return;
  const optEnd = at + 10 + optLength;
  b.group('bgp.open.opt', 'Optional Parameters', null, at + 10, optLength, () => {
    for (let p = at + 10; p < optEnd; ) {
      const paramLength = b.u8(p + 1, 'parameter length');
      const start = p;
      b.group('bgp.open.opt.param', 'Optional Parameter', null, p, 2 + paramLength, () => {
        const type = u8(b, 'bgp.open.opt.param.type', 'Parameter Type', start, (v) => (v === 2 ? 'Capability (2)' : `Unknown (${v})`));
        u8(b, 'bgp.open.opt.param.len', 'Parameter Length', start + 1);
        if (type !== 2) return;
        for (let c = start + 2; c < start + 2 + paramLength; ) {
          const capLength = b.u8(c + 1, 'capability length');
          const capStart = c;
          b.group('bgp.cap', 'Capability', null, c, 2 + capLength, () => {
            u8(b, 'bgp.cap.type', 'Type', capStart);
            u8(b, 'bgp.cap.length', 'Length', capStart + 1);
          });
          c += 2 + capLength;
        }
      });
      p += 2 + paramLength;
    }
  });
}

function prefixes(b: LayerBuilder, from: number, to: number, abbrev: string): void {
  for (let p = from; p < to; ) {
    const bits = b.u8(p, 'prefix length');
    const size = Math.ceil(bits / 8);
    const bytes = b.bytes(p + 1, size, 'prefix');
    const address = [0, 1, 2, 3].map((k) => bytes[k] ?? 0).join('.');
    const start = p;
    b.group('', `${address}/${bits}`, null, p, 1 + size, () => {
      b.add('bgp.prefix_length', () => `${abbrev === 'bgp.nlri_prefix' ? 'NLRI prefix length' : 'Withdrawn route prefix length'}: ${bits}`, bits, start, 1);
      if (abbrev) b.add(abbrev, () => `NLRI prefix: ${address}`, address, start + 1, size);
    });
    p += 1 + size;
  }
}

function update(b: LayerBuilder, at: number, end: number): void {
  const withdrawn = u16(b, 'bgp.update.withdrawn_routes.length', 'Withdrawn Routes Length', at);
  if (withdrawn > 0) b.group('bgp.update.withdrawn_routes', 'Withdrawn Routes', null, at + 2, withdrawn, () => prefixes(b, at + 2, at + 2 + withdrawn, ''));
  const attrsAt = at + 2 + withdrawn;
  const attrsLength = u16(b, 'bgp.update.path_attributes.length', 'Total Path Attribute Length', attrsAt);
  const attrsEnd = attrsAt + 2 + attrsLength;
  if (attrsLength > 0) {
    b.group('bgp.update.path_attributes', 'Path attributes', null, attrsAt + 2, attrsLength, () => {
      for (let p = attrsAt + 2; p < attrsEnd; ) p = attribute(b, p);
    });
  }
  if (end > attrsEnd) b.group('bgp.update.nlri', 'Network Layer Reachability Information (NLRI)', null, attrsEnd, end - attrsEnd, () => prefixes(b, attrsEnd, end, 'bgp.nlri_prefix'));
}

function attribute(b: LayerBuilder, at: number): number {
  const flags = b.u8(at, 'attribute flags');
  const type = b.u8(at + 1, 'attribute type');
  const extended = (flags & 0x10) !== 0;
  const length = extended ? b.u16(at + 2, 'attribute length') : b.u8(at + 2, 'attribute length');
  const value = at + (extended ? 4 : 3);
  const name = ATTRIBUTES[type] ?? 'Unknown';
  b.group('bgp.update.path_attribute', () => `Path Attribute - ${name}`, null, at, value - at + length, () => {
    b.group('bgp.update.path_attribute.flags', () => `Flags: ${hex(flags, 2)}`, flags, at, 1, () => {
      for (const [bit, suffix, label] of [[0x80, 'optional', 'Optional'], [0x40, 'transitive', 'Transitive'], [0x20, 'partial', 'Partial'], [0x10, 'extended_length', 'Extended-Length']] as const) {
        b.add(`bgp.update.path_attribute.flags.${suffix}`, () => `${label}: ${flags & bit ? 'Set' : 'Not set'}`, (flags & bit) !== 0, at, 1);
      }
      b.add('bgp.update.path_attribute.flags.unused', () => `Unused: ${hex(flags & 0x0f, 2)}`, flags & 0x0f, at, 1, hex(flags & 0x0f, 2));
    }, hex(flags, 2));
    b.add('bgp.update.path_attribute.type_code', () => `Type Code: ${name} (${type})`, type, at + 1, 1);
    b.add('bgp.update.path_attribute.length', () => `Length: ${length}`, length, at + 2, extended ? 2 : 1);
    switch (type) {
      case 1:
        u8(b, 'bgp.update.path_attribute.origin', 'Origin', value, (v) => `${ORIGINS[v] ?? 'Unknown'} (${v})`);
        break;
      case 2: case 17:
        asPath(b, value, length, type === 17 || !fitsAs2(b, value, length));
        break;
      case 3:
        if (length === 4) ipv4(b, 'bgp.update.path_attribute.next_hop', 'Next hop', value);
        break;
      case 4:
        if (length === 4) u32(b, 'bgp.update.path_attribute.multi_exit_disc', 'Multiple exit discriminator', value);
        break;
      case 5:
        if (length === 4) u32(b, 'bgp.update.path_attribute.local_pref', 'Local preference', value);
        break;
    }
  });
  return value + length;
}

/** Whether an AS_PATH reads as whole segments of 2-byte AS numbers (else Wireshark takes 4-byte ones). */
function fitsAs2(b: LayerBuilder, at: number, length: number): boolean {
  b.need(at, length, 'AS path');
  let p = at;
  while (p < at + length) {
    const type = b.data[p]!;
    if (type < 1 || type > 4 || p + 1 >= at + length) return false;
    p += 2 + 2 * b.data[p + 1]!;
  }
  return p === at + length;
}

function asPath(b: LayerBuilder, at: number, length: number, four: boolean): void {
  const size = four ? 4 : 2;
  for (let p = at; p < at + length; ) {
    const count = b.u8(p + 1, 'segment length');
    const start = p;
    b.group('bgp.update.path_attribute.as_path_segment', 'AS Path segment', null, p, 2 + size * count, () => {
      u8(b, 'bgp.update.path_attribute.as_path_segment.type', 'Segment type', start);
      u8(b, 'bgp.update.path_attribute.as_path_segment.length', 'Segment length (number of ASN)', start + 1);
      for (let k = 0; k < count; k++) {
        if (four) u32(b, 'bgp.update.path_attribute.as_path_segment.as4', 'AS4', start + 2 + 4 * k);
        else u16(b, 'bgp.update.path_attribute.as_path_segment.as2', 'AS2', start + 2 + 2 * k);
      }
    });
    p += 2 + size * count;
  }
}

function notification(b: LayerBuilder, at: number, end: number): void {
  const major = u8(b, 'bgp.notify.major_error', 'Major error Code', at, (v) => `${MAJOR_ERRORS[v] ?? 'Unknown'} (${v})`);
  const minor = b.u8(at + 1, 'minor error code');
  b.add(MINOR_FIELDS[major] ?? 'bgp.notify.minor_error_unknown', () => `Minor error Code: ${minor}`, minor, at + 1, 1);
  if (end > at + 2 && major !== 6) {
    const rest = b.bytes(at + 2, end - at - 2, 'data');
    b.add('bgp.notify.minor_data', () => `Data: ${rest.toString('hex')}`, rest, at + 2, rest.length);
  }
}

function routeRefresh(b: LayerBuilder, at: number): void {
  u16(b, 'bgp.route_refresh.afi', 'Address family identifier (AFI)', at);
  u8(b, 'bgp.route_refresh.subtype', 'Subtype', at + 2);
  u8(b, 'bgp.route_refresh.safi', 'Subsequent address family identifier (SAFI)', at + 3);
}
