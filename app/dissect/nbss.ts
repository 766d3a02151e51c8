/**
 * NetBIOS Session Service (RFC 1002; TCP 139, and SMB's "direct hosting" framing on TCP 445) as
 * tshark 4.0 shows it (epan/dissectors/packet-nbns.c, dissect_nbss): nbss.type, nbss.flags and
 * nbss.length (a 24-bit length, no flags, for a session message that carries "?SMB"), the called
 * and calling names of a session request, a negative response's error code, a retarget response's
 * address and port; a session message's payload goes to SMB (\xffSMB, smb.ts) or SMB2 (\xfeSMB,
 * smb2.ts), anything else is data.
 *
 * Desegmentation as Wireshark's own loop does it (nbss_desegment is on by default): a header cut
 * short waits for one more segment, a message longer than the segment for the bytes it lacks; the
 * first message of a segment that does not look like an NBSS header (bad flags, an unknown type, a
 * length that does not fit the type, fewer than 4 bytes) makes the whole segment an "NBSS
 * Continuation Message".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { ipv4Text } from './app-format';
import { bitPicture } from './format';
import { DnsNameReader } from './dns-names';
import { dataLayer } from './hsrp';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { describe, readNetbiosName } from './nbns';
import { ONE_MORE_SEGMENT } from './tcp-pdus';
import { createSmb2State, dissectSmb2, type Smb2State } from './smb2';
import { dissectSmb1 } from './smb';
import { Smb1State } from './smb-pipe';

export const NBSS_PORT = 139;
export const CIFS_PORT = 445;

const MESSAGE_TYPES: Record<number, string> = {
  0x00: 'Session message', 0x81: 'Session request', 0x82: 'Positive session response', 0x83: 'Negative session response',
  0x84: 'Retarget session response', 0x85: 'Session keep-alive',
};
const ERROR_CODES: Record<number, string> = {
  0x80: 'Not listening on called name', 0x81: 'Not listening for called name', 0x82: 'Called name not present',
  0x83: 'Called name present, but insufficient resources', 0x8f: 'Unspecified error',
};

/** A session message carrying SMB or SMB2: its length is 24 bits (no flags byte). */
function isCifs(data: Buffer, at: number, stop: number): boolean {
  return stop - at >= 8 && data[at] === 0 && data[at + 5] === 0x53 && data[at + 6] === 0x4d && data[at + 7] === 0x42;
}

function messageLength(data: Buffer, at: number, cifs: boolean): number {
  if (cifs) return data.readUIntBE(at + 1, 3);
  return data.readUInt16BE(at + 2) + (data[at + 1]! & 1 ? 0x10000 : 0);
}

/** Wireshark's test of a segment's first bytes: false when it takes them for a continuation. */
export function looksLikeNbss(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length);
  if (stop - offset < 4) return false;
  const cifs = isCifs(data, offset, stop);
  const flags = cifs ? 0 : data[offset + 1]!;
  if (flags & ~1) return false;
  const length = messageLength(data, offset, cifs);
  switch (data[offset]) {
    case 0x00: return length !== 0;
    case 0x81: return length >= 2 && length <= 256;
    case 0x82: case 0x85: return length === 0;
    case 0x83: return length === 1;
    case 0x84: return length === 6;
    default: return false;
  }
}

export function createNbssDissector(): AppDissector {
  const smb2 = createSmb2State();
  const smb1 = new Smb1State();
  return {
    protocol: 'nbss',
    fieldPrefixes: ['smb', 'smb2', 'gss-api', 'spnego', 'ntlmssp', 'dcerpc', 'data'],
    tcpPorts: [NBSS_PORT, CIFS_PORT],
    stateful: true,
    claims: (data, offset, end) => Math.min(end, data.length) > offset,
    desegment: (data, offset, end) => nbssSplit(data, offset, end),
    dissect: (data, offset, end, ctx) => dissectNbss(smb2, smb1, data, offset, end, ctx),
  };
}

/** The NBSS messages of a segment (desegment): whole ones, then what the last one still needs. */
export function nbssSplit(data: Buffer, offset: number, end: number): PduSplit {
  const stop = Math.min(end, data.length);
  if (!looksLikeNbss(data, offset, end)) return { pdus: stop > offset ? [stop - offset] : [], need: 0, replaceInfo: true };
  const pdus: number[] = [];
  let at = offset;
  while (at < stop) {
    if (stop - at < 4) return { pdus, need: ONE_MORE_SEGMENT, replaceInfo: true };
    const length = 4 + messageLength(data, at, isCifs(data, at, stop));
    if (stop - at < length) return { pdus, need: length - (stop - at), replaceInfo: true };
    pdus.push(length);
    at += length;
  }
  return { pdus, need: 0, replaceInfo: true };
}

function dissectNbss(smb2: Smb2State, smb1: Smb1State, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const stop = Math.min(end, data.length);
  if (!looksLikeNbss(data, offset, end)) {
    const b = new LayerBuilder(data, 'nbss', 'NetBIOS Session Service', offset, end, ctx.fields);
    b.add('nbss.continuation_data', 'Continuation data', data.subarray(offset, stop), offset, stop - offset, () => data.toString('hex', offset, stop));
    return { layers: [b.layer], protocolColumn: 'NBSS', info: 'NBSS Continuation Message' };
  }
  const type = data[offset]!;
  const cifs = isCifs(data, offset, stop);
  const length = messageLength(data, offset, cifs);
  const pduEnd = Math.min(end, offset + 4 + length);
  const b = new LayerBuilder(data, 'nbss', 'NetBIOS Session Service', offset, pduEnd, ctx.fields);
  let info = MESSAGE_TYPES[type] ?? `Unknown (${type.toString(16).padStart(2, '0')})`;
  let payload = -1;
  const layer = dissectSafely(b, () => {
    const typeName = MESSAGE_TYPES[type] ?? 'Unknown';
    b.add('nbss.type', () => `Message Type: ${typeName} (${hex(type, 2)})`, type, offset, 1, () => hex(type, 2));
    if (!cifs) {
      const flags = data[offset + 1]!;
      b.group('nbss.flags', () => `Flags: ${hex(flags, 2)}`, flags, offset + 1, 1, () => {
        b.add('nbss.flags.e', () => `${bitPicture(flags, 1, 8)} = Extend: ${flags & 1 ? 'Add 65536 to length' : 'Add 0 to length'}`, (flags & 1) !== 0, offset + 1, 1);
      }, () => hex(flags, 2));
    }
    b.add('nbss.length', () => `Length: ${length}`, length, offset + 1, 3);
    const at = offset + 4;
    if (type === 0x81) {
      const names = new DnsNameReader(data, offset, Math.min(pduEnd, data.length));
      const called = readNetbiosName(b, names, at, 'called name');
      b.add('nbss.called_name', () => `Called name: ${called.text}${describe(called)}`, called.text, at, called.length);
      info += `, to ${called.text} `;
      const calling = readNetbiosName(b, names, at + called.length, 'calling name');
      b.add('nbss.calling_name', () => `Calling name: ${calling.text}${describe(calling)}`, calling.text, at + called.length, calling.length);
      info += `from ${calling.text}`;
    } else if (type === 0x83) {
      const code = b.u8(at, 'error code');
      b.add('nbss.error_code', () => `Error code: ${ERROR_CODES[code] ?? 'Unknown'} (${hex(code, 2)})`, code, at, 1, () => hex(code, 2));
      info += `, ${ERROR_CODES[code] ?? `Unknown (${code.toString(16)})`}`;
    } else if (type === 0x84) {
      b.need(at, 4, 'retarget IP address');
      const ip = ipv4Text(data, at);
      b.add('nbss.retarget_ip_address', () => `Retarget IP address: ${ip}`, ip, at, 4);
      const port = b.u16(at + 4, 'retarget port');
      b.add('nbss.retarget_port', () => `Retarget port: ${port}`, port, at + 4, 2);
    } else if (type === 0x00) {
      b.setLength(4);
      payload = at;
    }
  });
  if (layer.status !== 'ok') {
    info += layer.status === 'truncated' ? '[Packet size limited during capture]' : '[Malformed Packet]';
    return { layers: [layer], protocolColumn: 'NBSS', info };
  }
  const payloadStop = Math.min(pduEnd, stop);
  if (payload < 0 || payload >= payloadStop) return { layers: [layer], protocolColumn: 'NBSS', info };
  const layers: Layer[] = [layer];
  if (payloadStop - payload >= 4 && data[payload + 1] === 0x53 && data[payload + 2] === 0x4d && data[payload + 3] === 0x42) {
    if (data[payload] === 0xfe) {
      const r = dissectSmb2(smb2, data, payload, pduEnd, ctx);
      return { layers: [layer, ...r.layers], protocolColumn: r.protocolColumn ?? 'SMB2', info: r.info };
    }
    if (data[payload] === 0xff) {
      const r = dissectSmb1(data, payload, pduEnd, ctx, smb1);
      return { layers: [layer, ...r.layers], protocolColumn: r.protocolColumn, info: r.info };
    }
  }
  layers.push(dataLayer(data, payload, payloadStop, ctx.fields));
  return { layers, protocolColumn: 'NBSS', info };
}
