/**
 * ATA over Ethernet (ethertype 0x88a2) as tshark 4.0 shows it: version and flags, major/minor
 * shelf address, command and tag; for "Issue ATA Command" the ATA header (flags, feature, sector
 * count, command or status, LBA). A response is matched to its request by tag within the pair of
 * Ethernet addresses, as Wireshark does in one pass: it then shows the request's frame, the time
 * since it and its ATA command (also in Info).
 * Info: "Issue ATA Command Request ATA:Read ext".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, macText, nsToSeconds } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';

export const ETHERTYPE_AOE = 0x88a2;

const COMMANDS: Record<number, string> = { 0: 'Issue ATA Command', 1: 'Query Config Information' };
const ERRORS: Record<number, string> = {
  1: 'Unrecognized command code', 2: 'Bad argument parameter', 3: 'Device unavailable', 4: 'Config string present', 5: 'Unsupported version',
};
const ATA_COMMANDS: Record<number, string> = {
  0x00: 'NOP', 0x08: 'Atapi soft reset', 0x10: 'Recalibrate', 0x20: 'Read sectors (with retry)', 0x21: 'Read sectors (no retry)',
  0x22: 'Read long (with retry)', 0x23: 'Read long (no retry)', 0x24: 'Read ext', 0x30: 'Write sectors (with retry)',
  0x31: 'Write sectors (no retry)', 0x32: 'Write long (with retry)', 0x33: 'Write long (no retry)', 0x34: 'Write ext',
  0x3c: 'Write verify', 0x40: 'Read verify sectors (with retry)', 0x41: 'Read verify sectors (no retry)', 0x50: 'Format track',
  0x70: 'Seek', 0x90: 'Execute device diagnostics', 0x91: 'Initialize device parameters', 0x92: 'Download microcode',
  0x94: 'Standy immediate', 0x95: 'Idle immediate', 0x96: 'Standby', 0x97: 'Idle', 0x98: 'Check power mode', 0x99: 'Sleep',
  0xa0: 'Atapi packet', 0xa1: 'Atapi identify device', 0xa2: 'Atapi service', 0xb0: 'Smart', 0xc4: 'Read multiple',
  0xc5: 'Write multiple', 0xc6: 'Set multiple mode', 0xc8: 'Read dma (with retry)', 0xc9: 'Read dma (no retry)',
  0xca: 'Write dma (with retry)', 0xcb: 'Write dma (no retry)', 0xde: 'Door lock', 0xdf: 'Door unlock', 0xe0: 'Standy immediate',
  0xe1: 'Idle immediate', 0xe2: 'Standby', 0xe3: 'Idle', 0xe4: 'Read buffer', 0xe5: 'Check power mode', 0xe6: 'Sleep',
  0xe8: 'Write buffer', 0xec: 'Identify Device', 0xed: 'Media eject', 0xee: 'Identify device dma', 0xef: 'Set features',
  0xf1: 'Security set password', 0xf2: 'Security unlock', 0xf3: 'Security erase prepare', 0xf4: 'Security erase unit',
  0xf5: 'Security freeze', 0xf6: 'Security disable password',
};

function ataCommandName(cmd: number): string {
  return ATA_COMMANDS[cmd] ?? ` Unknown ATA<${hex(cmd, 2)}>`;
}

interface AtaRequest {
  frame: number;
  tsNs: bigint;
  cmd: number;
}

/**
 * Requests waiting for their response, per Dissector instance (the dissection's own state, kept
 * beside it rather than in a global): key "address pair|tag".
 */
const pendingByDissector = new WeakMap<Dissector, Map<string, AtaRequest>>();

function pendingOf(d: Dissector): Map<string, AtaRequest> {
  let pending = pendingByDissector.get(d);
  if (!pending) pendingByDissector.set(d, (pending = new Map()));
  return pending;
}

export function dissectAoe(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'aoe', 'ATAoverEthernet', offset, end, p.selection);
  let info = '';
  dissectSafely(b, () => {
    const first = b.u8(offset, 'version');
    const version = first >> 4;
    b.add('aoe.version', () => `Version: ${version}`, version, offset, 1);
    if (version !== 1) return;
    const flags = first & 0x0f;
    const response = (flags & 0x08) !== 0;
    const error = (flags & 0x04) !== 0;
    b.group('', () => `Flags: ${response ? 'Response' : 'Request'}${error ? ' Error' : ''}`, null, offset, 1, () => {
      b.add('aoe.response', () => `${bitPicture(first, 0x08, 8)} = Response flag: ${response ? 'Response' : 'Request'}`, response, offset, 1);
      b.add('aoe.flags_error', () => `${bitPicture(first, 0x04, 8)} = Error flag: ${error ? 'Error' : 'No error'}`, error, offset, 1);
    });
    if (error) {
      const code = b.u8(offset + 1, 'error');
      b.add('aoe.error', () => `Error: ${ERRORS[code] ?? 'Unknown'} (${code})`, code, offset + 1, 1);
      info += `Error:${ERRORS[code] ?? `Unknown error<${code}>`} `;
    }
    const major = b.u16(offset + 2, 'major address');
    b.add('aoe.major', () => `Major: ${hex(major, 4)}`, major, offset + 2, 2, () => hex(major, 4));
    const minor = b.u8(offset + 4, 'minor address');
    b.add('aoe.minor', () => `Minor: ${hex(minor, 2)}`, minor, offset + 4, 1, () => hex(minor, 2));
    const cmd = b.u8(offset + 5, 'command');
    b.add('aoe.cmd', () => `Command: ${COMMANDS[cmd] ?? 'Unknown'} (${cmd})`, cmd, offset + 5, 1);
    info += `${COMMANDS[cmd] ?? `Unknown command<${cmd}>`} ${response ? 'Response' : 'Request'}`;
    const tag = b.u32(offset + 6, 'tag');
    b.add('aoe.tag', () => `Tag: ${hex(tag, 8)}`, tag, offset + 6, 4, () => hex(tag, 8));
    if (cmd === 0) info += ataHeader(d, p, b, offset + 10, response, tag);
  });
  p.addLayer(b.layer);
  p.setProtocol('AoE', info + statusSuffix(b.layer));
  return end;
}

/** The ATA header of an "Issue ATA Command"; returns the Info text it adds (" ATA:Read ext"). */
function ataHeader(d: Dissector, p: PacketState, b: LayerBuilder, at: number, response: boolean, tag: number): string {
  const data = b.data;
  // Wireshark matches before reading the header: a short packet still pairs with its request.
  const request = matchRequest(d, p, data, at, response, tag);
  const later = response ? undefined : laterResponse(d, p, data, tag);
  if (later !== undefined) b.add('aoe.response_in', () => `[Response In: ${later}]`, later, 0, 0);
  if (request) {
    b.add('aoe.response_to', () => `[Response To: ${request.frame}]`, request.frame, 0, 0);
    const delta = nsToSeconds(p.frame.tsNs - request.tsNs);
    b.add('aoe.time', () => `[Time from request: ${delta} seconds]`, delta, at, 0);
  }
  const aflags = b.u8(at, 'ATA flags');
  const e = (aflags & 0x40) !== 0;
  b.add('aoe.aflags.e', () => `${bitPicture(aflags, 0x40, 8)} = E: ${e ? 'LBA48 extended command' : 'Normal command'}`, e, at, 1);
  if (e) b.add('aoe.aflags.d', () => `${bitPicture(aflags, 0x10, 8)} = D: ${aflags & 0x10 ? 'True' : 'False'}`, (aflags & 0x10) !== 0, at, 1);
  const w = (aflags & 0x01) !== 0;
  if (w) b.add('aoe.aflags.a', () => `${bitPicture(aflags, 0x02, 8)} = A: ${aflags & 0x02 ? 'ASYNCHRONOUS Write' : 'synchronous write'}`, (aflags & 0x02) !== 0, at, 1);
  b.add('aoe.aflags.w', () => `${bitPicture(aflags, 0x01, 8)} = W: ${w ? 'WRITE to the device' : 'No write to device'}`, w, at, 1);
  const feature = b.u8(at + 1, 'err/feature');
  b.add('aoe.err_feature', () => `Err/Feature: ${hex(feature, 2)}`, feature, at + 1, 1, () => hex(feature, 2));
  const count = b.u8(at + 2, 'sector count');
  b.add('aoe.sector_count', () => `Sector Count: ${count}`, count, at + 2, 1);
  const cmdOrStatus = b.u8(at + 3, response ? 'ATA status' : 'ATA command');
  let info = '';
  if (!response) {
    b.add('aoe.ata.cmd', () => `ATA Cmd: ${ATA_COMMANDS[cmdOrStatus] ?? 'Unknown'} (${hex(cmdOrStatus, 2)})`, cmdOrStatus, at + 3, 1, () => hex(cmdOrStatus, 2));
    info = ` ATA:${ataCommandName(cmdOrStatus)}`;
  } else {
    b.add('aoe.ata.status', () => `ATA Status: ${hex(cmdOrStatus, 2)}`, cmdOrStatus, at + 3, 1, () => hex(cmdOrStatus, 2));
    if (request) {
      const cmd = request.cmd;
      b.add('aoe.ata.cmd', () => `[ATA Cmd: ${ATA_COMMANDS[cmd] ?? 'Unknown'} (${hex(cmd, 2)})]`, cmd, 0, 0, () => hex(cmd, 2));
      info = ` ATA:${ataCommandName(cmd)}`;
    }
  }
  // Wireshark reads the 48-bit LBA as a little-endian 16-bit high part (at +8) over a 32-bit low part (at +4).
  b.need(at + 4, 8, 'LBA');
  const lba = (BigInt(data.readUInt16LE(at + 8)) << 32n) | BigInt(data.readUInt32LE(at + 4));
  const lbaText = `0x${lba.toString(16).padStart(16, '0')}`;
  b.add('aoe.lba', () => `Lba: ${lbaText}`, lba, at + 4, 6, lbaText);
  return info;
}

/**
 * Request/response matching as Wireshark's first pass does it: a request (re)places the pending
 * entry for its tag; a response takes the pending entry, if any.
 */
function matchRequest(d: Dissector, p: PacketState, data: Buffer, at: number, response: boolean, tag: number): AtaRequest | undefined {
  const eth = p.layers.find((l) => l.protocol === 'eth');
  if (!eth || eth.offset + 12 > data.length) return undefined;
  const a = macText(data, eth.offset);
  const c = macText(data, eth.offset + 6);
  const key = `${a < c ? a + c : c + a}|${tag}`;
  const pending = pendingOf(d);
  if (!response) {
    if (at + 4 <= data.length) pending.set(key, { frame: p.frame.number, tsNs: p.frame.tsNs, cmd: data[at + 3]! });
    return undefined;
  }
  const request = pending.get(key);
  if (request) {
    pending.delete(key);
    d.hindsight?.link('aoe.response_in', `${request.frame}|${key}`, p.frame.number);
  }
  return request;
}

/** tshark's -2 on a request: the frame of its response (none in a single pass). */
function laterResponse(d: Dissector, p: PacketState, data: Buffer, tag: number): number | undefined {
  if (d.hindsight === undefined) return undefined;
  const eth = p.layers.find((l) => l.protocol === 'eth');
  if (!eth || eth.offset + 12 > data.length) return undefined;
  const a = macText(data, eth.offset);
  const c = macText(data, eth.offset + 6);
  return d.hindsight.later('aoe.response_in', `${p.frame.number}|${a < c ? a + c : c + a}|${tag}`);
}
