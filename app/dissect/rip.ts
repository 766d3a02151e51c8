/**
 * RIP versions 1 and 2 (RFC 1058, RFC 2453) on UDP 520, as tshark 4.0 shows them
 * (epan/dissectors/packet-rip.c): command and version, then 20-byte entries while bytes remain
 * (beyond a keyed-MD5 trailer) — IP routes ("IP Address: A, Metric: M"), unspecified entries (a request for the whole table),
 * and a first entry of family 0xffff that authenticates the message (a simple password, or keyed
 * MD5 with its trailer); any other family is an "Unknown address family" item.
 */
import { dissectSafely, LayerBuilder } from './builder';
import { ipv4Text } from './app-format';
import type { AppDissector, AppResult } from './model';

export const RIP_PORT = 520;

const COMMANDS: Record<number, string> = { 1: 'Request', 2: 'Response', 3: 'Traceon', 4: 'Traceoff', 5: 'Vendor specific (Sun)' };
const VERSIONS: Record<number, string> = { 1: 'RIPv1', 2: 'RIPv2' };
const FAMILIES: Record<number, string> = { 0: 'Unspecified', 2: 'IP', 0xffff: 'Authentication' };
const AUTH_TYPES: Record<number, string> = { 2: 'Simple Password', 3: 'Keyed Message Digest' };
const ENTRY = 20;
const MD5_DATA = 16;

export const ripDissector: AppDissector = {
  protocol: 'rip',
  udpPorts: [RIP_PORT],
  dissect: (data, offset, end, ctx) => dissectRip(data, offset, end, ctx.fields),
};

export function dissectRip(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const b = new LayerBuilder(data, 'rip', 'Routing Information Protocol', offset, end, selection);
  let info = '';
  let column = 'RIP';
  const layer = dissectSafely(b, () => {
    const command = b.u8(offset, 'RIP command');
    const version = b.u8(offset + 1, 'RIP version');
    column = VERSIONS[version] ?? 'RIP';
    info = COMMANDS[command] ?? `Unknown command (${command})`;
    b.add('rip.command', () => `Command: ${COMMANDS[command] ?? 'Unknown'} (${command})`, command, offset, 1);
    b.add('rip.version', () => `Version: ${VERSIONS[version] ?? 'Unknown'} (${version})`, version, offset + 1, 1);
    let at = offset + 4;
    // Entries go on while more than the keyed-MD5 trailer's data length remains (tshark's loop);
    // a last one cut short makes the message malformed (or truncated, by the snap length).
    let trailer = 0;
    let md5 = false;
    while (end - at > trailer) {
      const family = b.u16(at, 'RIP address family');
      if (family === 0) unspecified(b, at, version);
      else if (family === 2) route(b, at, version);
      else if (family === 0xffff && at === offset + 4) {
        trailer = authentication(b, at);
        md5 = b.data.readUInt16BE(at + 2) === 3;
      } else if (!(family === 0xffff && md5 && end - at === ENTRY)) {
        b.need(at, ENTRY, 'RIP entry');
        // tshark's expert item; its label is the tree line.
        b.add('', `Unknown address family ${family}`, null, at, ENTRY);
      }
      at += ENTRY;
    }
  });
  if (layer.status === 'malformed') info += '[Malformed Packet]';
  else if (layer.status === 'truncated') info += '[Packet size limited during capture]';
  return { layers: [layer], protocolColumn: column, info };
}

function metricOf(b: LayerBuilder, at: number): number {
  return b.u32(at + 16, 'RIP metric');
}

function family(b: LayerBuilder, at: number, value: number): void {
  b.add('rip.family', () => `Address Family: ${FAMILIES[value] ?? 'Unknown'} (${value})`, value, at, 2);
}

function unspecified(b: LayerBuilder, at: number, version: number): void {
  const metric = metricOf(b, at);
  b.group('', () => `Address not specified, Metric: ${metric}`, null, at, ENTRY, () => {
    family(b, at, 0);
    if (version === 2) {
      b.add('rip.route_tag', () => `Route Tag: ${b.data.readUInt16BE(at + 2)}`, b.data.readUInt16BE(at + 2), at + 2, 2);
      b.add('rip.netmask', () => `Netmask: ${ipv4Text(b.data, at + 8)}`, ipv4Text(b.data, at + 8), at + 8, 4);
      b.add('rip.next_hop', () => `Next Hop: ${ipv4Text(b.data, at + 12)}`, ipv4Text(b.data, at + 12), at + 12, 4);
    }
    b.add('rip.metric', () => `Metric: ${metric}`, metric, at + 16, 4);
  });
}

function route(b: LayerBuilder, at: number, version: number): void {
  const metric = metricOf(b, at);
  const address = ipv4Text(b.data, at + 4);
  b.group('', () => `IP Address: ${address}, Metric: ${metric}`, null, at, ENTRY, () => {
    family(b, at, 2);
    if (version === 2) b.add('rip.route_tag', () => `Route Tag: ${b.data.readUInt16BE(at + 2)}`, b.data.readUInt16BE(at + 2), at + 2, 2);
    b.add('rip.ip', () => `IP Address: ${address}`, address, at + 4, 4);
    if (version === 2) {
      b.add('rip.netmask', () => `Netmask: ${ipv4Text(b.data, at + 8)}`, ipv4Text(b.data, at + 8), at + 8, 4);
      b.add('rip.next_hop', () => `Next Hop: ${ipv4Text(b.data, at + 12)}`, ipv4Text(b.data, at + 12), at + 12, 4);
    }
    b.add('rip.metric', () => `Metric: ${metric}`, metric, at + 16, 4);
  });
}

/**
 * The authentication entry (family 0xffff, first): a password, or keyed MD5 and where its trailer
 * is. Returns the MD5 trailer's data length (0 for a password).
 */
function authentication(b: LayerBuilder, at: number): number {
  let trailerLength = 0;
  const type = b.u16(at + 2, 'RIP authentication type');
  const name = AUTH_TYPES[type] ?? 'Unknown';
  b.group('', () => `Authentication: ${name}`, null, at, ENTRY, () => {
    b.add('rip.auth.type', () => `Authentication type: ${name} (${type})`, type, at + 2, 2);
    if (type === 2) {
      const password = b.bytes(at + 4, 16, 'RIP password');
      const text = password.toString('latin1').replace(/\0.*$/s, '');
      b.add('rip.auth.passwd', () => `Password: ${text}`, text, at + 4, 16);
    } else if (type === 3) {
      const digestOffset = b.u16(at + 4, 'RIP digest offset');
      b.add('rip.digest_offset', () => `Digest Offset: ${digestOffset}`, digestOffset, at + 4, 2);
      const keyId = b.u8(at + 6, 'RIP key id');
      b.add('rip.key_id', () => `Key ID: ${keyId}`, keyId, at + 6, 1);
      const dataLength = b.u8(at + 7, 'RIP auth data length');
      trailerLength = dataLength;
      b.add('rip.auth_data_len', () => `Auth Data Len: ${dataLength}`, dataLength, at + 7, 1);
      const sequence = b.u32(at + 8, 'RIP sequence number');
      b.add('rip.seq_num', () => `Seq num: ${sequence}`, sequence, at + 8, 4);
      const zeros = b.bytes(at + 12, 8, 'RIP zero padding').toString('latin1').replace(/\0.*$/s, '');
      b.add('rip.zero_padding', () => `Zero adding: ${zeros}`, zeros, at + 12, 8);
      const trailer = at - 4 + digestOffset;
      b.group('', 'Authentication Data Trailer', null, trailer, MD5_DATA + 4, () => {
        const digest = b.bytes(trailer + 4, MD5_DATA, 'RIP authentication data');
        b.add('rip.authentication_data', () => `Authentication Data: ${digest.toString('hex')}`, digest, trailer + 4, MD5_DATA, () => digest.toString('hex'));
      });
    }
  });
  return trailerLength;
}
