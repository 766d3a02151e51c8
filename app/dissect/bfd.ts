/**
 * BFD, Bidirectional Forwarding Detection (RFC 5880, version 1; draft version 0), as tshark 4.0
 * shows it: control packets on UDP 3784 (single hop), 4784 (multihop), 6784 (LAG) and 7784
 * (seamless BFD) with their authentication section, and echo packets on UDP 3785.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { AppDissector, AppResult } from './model';

export const BFD_CONTROL_PORTS = [3784, 4784, 6784, 7784] as const;
export const BFD_ECHO_PORT = 3785;

const DIAGNOSTICS = [
  'No Diagnostic', 'Control Detection Time Expired', 'Echo Function Failed', 'Neighbor Signaled Session Down', 'Forwarding Plane Reset',
  'Path Down', 'Concatenated Path Down', 'Administratively Down', 'Reverse Concatenated Path Down', 'Mis-Connectivity Defect',
];
const STATES = ['AdminDown', 'Down', 'Init', 'Up'];
const AUTH_TYPES: Record<number, string> = {
  1: 'Simple Password', 2: 'Keyed MD5', 3: 'Meticulous Keyed MD5', 4: 'Keyed SHA1', 5: 'Meticulous Keyed SHA1',
};
/** Version 1 flags (6 bits after the state) and version 0 flags (the whole byte). */
const FLAGS_V1: readonly (readonly [string, number, string])[] = [
  ['p', 0x20, 'Poll'], ['f', 0x10, 'Final'], ['c', 0x08, 'Control Plane Independent'], ['a', 0x04, 'Authentication Present'], ['d', 0x02, 'Demand'], ['m', 0x01, 'Multipoint'],
];
const FLAGS_V0: readonly (readonly [string, number, string])[] = [['h', 0x80, 'I hear you'], ['d', 0x40, 'Demand'], ['p', 0x20, 'Poll'], ['f', 0x10, 'Final']];

export const bfdControlDissector: AppDissector = {
  protocol: 'bfd',
  udpPorts: BFD_CONTROL_PORTS,
  dissect: (data, offset, end, ctx) => dissectBfdControl(data, offset, end, ctx.fields),
};

export const bfdEchoDissector: AppDissector = {
  protocol: 'bfd_echo',
  udpPorts: [BFD_ECHO_PORT],
  dissect: (data, offset, end, ctx) => {
    const stop = Math.min(end, data.length);
    const b = new LayerBuilder(data, 'bfd_echo', 'BFD Echo message', offset, end, ctx.fields);
    const bytes = data.subarray(offset, stop);
    b.add('bfd_echo.packet', () => `Echo: ${bytes.toString('hex', 0, 36)}${bytes.length > 36 ? '…' : ''}`, bytes, offset, bytes.length, () => bytes.toString('hex'));
    return { layers: [b.layer], protocolColumn: 'BFD Echo', info: 'Originator specific content' };
  },
};

/** A bit picture of a 6-bit field as Wireshark draws it (grouped in fours from the left: '0... ..'). */
function sixBitPicture(value: number, mask: number): string {
  let s = '';
  for (let bit = 5; bit >= 0; bit--) {
    s += mask & (1 << bit) ? (value & (1 << bit) ? '1' : '0') : '.';
    if (bit === 2) s += ' ';
  }
  return s;
}

function eightBitPicture(value: number, mask: number): string {
  let s = '';
  for (let bit = 7; bit >= 0; bit--) {
    s += mask & (1 << bit) ? (value & (1 << bit) ? '1' : '0') : '.';
    if (bit === 4) s += ' ';
  }
  return s;
}

export function dissectBfdControl(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const b = new LayerBuilder(data, 'bfd', 'BFD Control message', offset, end, selection);
  let info = '';
  dissectSafely(b, () => {
    b.need(offset, 24, 'BFD control header');
    const first = data[offset]!;
    const flagsByte = data[offset + 1]!;
    const version = first >> 5;
    const diag = first & 0x1f;
    const state = flagsByte >> 6;
    const mult = data[offset + 2]!;
    const length = data[offset + 3]!;
    const tx = data.readUInt32BE(offset + 12);
    const diagName = DIAGNOSTICS[diag] !== undefined && (version !== 0 || diag < 8) ? DIAGNOSTICS[diag] : 'Unknown';
    info = version === 0
      ? `Diag: ${diagName}, Flags: ${hex(flagsByte, 2)}`
      : `Diag: ${diagName}, State: ${STATES[state]}, Flags: ${hex(flagsByte & 0x3e, 2)}`;
    if (length <= end - offset) b.setLength(length);
    b.add('bfd.version', () => `${eightBitPicture(first, 0xe0)} = Protocol Version: ${version}`, version, offset, 1);
    b.add('bfd.diag', () => `${eightBitPicture(first, 0x1f)} = Diagnostic Code: ${DIAGNOSTICS[diag] ?? 'Unknown'} (${hex(diag, 2)})`, diag, offset, 1, () => hex(diag, 2));
    if (version !== 0) b.add('bfd.sta', () => `${eightBitPicture(flagsByte, 0xc0)} = Session State: ${STATES[state]} (0x${state})`, state, offset + 1, 1, () => hex(state, 2));
    const flags = version === 0 ? FLAGS_V0 : FLAGS_V1;
    const setNames = flags.filter(([, mask]) => flagsByte & mask).map(([, , name]) => `, ${name}: Set`).join('');
    b.group('bfd.flags', () => `Message Flags: ${hex(flagsByte, 2)}${setNames}`, flagsByte, offset + 1, 1, () => {
      for (const [letter, mask, name] of flags) {
        const set = (flagsByte & mask) !== 0;
        const picture = version === 0 ? eightBitPicture(flagsByte, mask) : sixBitPicture(flagsByte & 0x3f, mask);
        b.add(`bfd.flags.${letter}`, () => `${picture} = ${name}: ${set ? 'Set' : 'Not set'}`, set, offset + 1, 1);
      }
    }, () => hex(flagsByte, 2));
    b.add('bfd.detect_time_multiplier', () => `Detect Time Multiplier: ${mult} (= ${mult * Math.floor(tx / 1000)} ms Detection time)`, mult, offset + 2, 1);
    b.add('bfd.message_length', () => `Message Length: ${length} bytes`, length, offset + 3, 1);
    for (const [abbrev, label, at] of [['bfd.my_discriminator', 'My Discriminator', 4], ['bfd.your_discriminator', 'Your Discriminator', 8]] as const) {
      const v = data.readUInt32BE(offset + at);
      b.add(abbrev, () => `${label}: ${hex(v, 8)}`, v, offset + at, 4, () => hex(v, 8));
    }
    const intervals = [['bfd.desired_min_tx_interval', 'Desired Min TX Interval', 12], ['bfd.required_min_rx_interval', 'Required Min RX Interval', 16], ['bfd.required_min_echo_interval', 'Required Min Echo Interval', 20]] as const;
    for (const [abbrev, label, at] of intervals) {
      const us = data.readUInt32BE(offset + at);
      b.add(abbrev, () => `${label}: ${String(Math.floor(us / 1000)).padStart(4)} ms (${us} us)`, us, offset + at, 4);
    }
    if (version === 0 || (flagsByte & 0x04) === 0) return;
    if (length < 28) {
      b.add('bfd.auth.no_data', `Authentication: Length of the BFD frame is invalid (${length})`, null, offset + 24, Math.max(0, length - 24), '1');
      return;
    }
    dissectAuthentication(b, offset + 24);
  });
  if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  return { layers: [b.layer], protocolColumn: 'BFD Control', info };
}

function dissectAuthentication(b: LayerBuilder, at: number): void {
  const type = b.u8(at, 'authentication type');
  const length = b.u8(at + 1, 'authentication length');
  const typeName = AUTH_TYPES[type];
  b.group('', () => `Authentication: ${typeName ?? `Unknown Authentication Type (${type})`}`, null, at, length, () => {
    b.add('bfd.auth.type', () => `Authentication Type: ${typeName ?? 'Unknown'} (${type})`, type, at, 1);
    b.add('bfd.auth.len', () => `Authentication Length: ${length} bytes`, length, at + 1, 1);
    const key = b.u8(at + 2, 'authentication key ID');
    b.add('bfd.auth.key', () => `Authentication Key ID: ${key}`, key, at + 2, 1);
    if (type === 1) {
      const bytes = b.bytes(at + 3, Math.max(0, length - 3), 'password');
      const nul = bytes.indexOf(0);
      const password = bytes.toString('latin1', 0, nul < 0 ? bytes.length : nul);
      b.add('bfd.auth.password', () => `Password: ${password}`, password, at + 3, bytes.length);
    } else if (type >= 2 && type <= 5) {
      const sha1 = type >= 4;
      const required = sha1 ? 28 : 24;
      if (length !== required) {
        b.add('bfd.auth.len.invalid', `Length of authentication section (${length}) is invalid for Authentication Type: ${typeName}`, null, at, length, '1');
      }
      const seq = b.u32(at + 4, 'sequence number');
      b.add('bfd.auth.seq_num', () => `Sequence Number: ${hex(seq, 8)}`, seq, at + 4, 4, () => hex(seq, 8));
      const checksum = b.bytes(at + 8, sha1 ? 20 : 16, 'checksum');
      b.add('bfd.checksum', () => `Checksum: ${checksum.toString('hex')}`, checksum, at + 8, checksum.length, () => checksum.toString('hex'));
    }
  });
}
