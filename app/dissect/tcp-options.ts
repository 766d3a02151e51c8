/** TCP options (RFC 9293, 7323, 2018): fields as tshark names them and the Info-column suffix. */
import { addExpert } from './expert';
import type { LayerBuilder } from './builder';
import { bytesHex } from './format';
import { dissectMptcpOption } from './mptcp';

export interface TcpOptionSummary {
  /** Appended to the Info column: ' MSS=1460 WS=4 SACK_PERM TSval=.. TSecr=..'. */
  info: string;
  /** Window scale shift from a wscale option, -1 when absent. */
  windowShift: number;
  /** Multipath TCP options (kind 30): each adds `mptcp` to the protocol chain. */
  mptcp: number;
  /** Set when an MPTCP option was malformed (tshark then adds '[Malformed Packet]' to Info). */
  mptcpMalformed?: boolean;
  /**
   * Bytes the last SACK option reports received (its first three blocks, as Wireshark 4.0 keeps
   * them for bytes in flight); -1 when there is no SACK option.
   */
  sackDelivered: number;
}

const KIND_NAMES: Record<number, string> = {
  0: 'End of Option List (EOL)', 1: 'No-Operation (NOP)', 2: 'Maximum segment size', 3: 'Window scale', 4: 'SACK permitted',
  5: 'SACK', 8: 'Timestamps', 19: 'MD5 signature', 28: 'User Timeout', 29: 'TCP-AO', 30: 'Multipath TCP', 34: 'TCP Fast Open',
};
const KIND_SHORT: Record<number, string> = {
  0: 'End of Option List (0)', 1: 'No-Operation (1)', 2: 'Maximum Segment Size (2)', 3: 'Window Scale (3)', 4: 'SACK Permitted (4)',
  5: 'SACK (5)', 8: 'Time Stamp Option (8)',
};

/** The experiment identifier of TCP Fast Open before it had option kind 34 (RFC 7413: kind 254, ExID 0xF989). */
const TFO_EXID = 0xf989;

/** An experimental option (kind 253/254) carrying TCP Fast Open. */
function experimentalTfo(data: Buffer, kind: number, len: number, at: number): boolean {
  return (kind === 253 || kind === 254) && len >= 4 && at + 4 <= data.length && data.readUInt16BE(at + 2) === TFO_EXID;
}

/**
 * Adds the options in [start, stop) (when the layer builds fields) and returns what the Info
 * column and the window scaling need (the Info text only `withInfo`).
 */
/**
 * `sackBase`: the peer's initial sequence number, so that SACK edges show relative to it as tshark
 * shows them ("left edge = 5282 (relative)"); -1 when it is not known (raw edges). `syn`: the
 * segment is a SYN (tshark notes one without an MSS option, and warns of an MSS option on any other).
 */
export function dissectTcpOptions(b: LayerBuilder, start: number, stop: number, withInfo = true, sackBase = -1, ack = -1, syn = false, synOnly = false): TcpOptionSummary {
  const data = b.data;
  const summary: TcpOptionSummary = { info: '', windowShift: -1, mptcp: 0, sackDelivered: -1 };
  // Option fields are built only for a tree or a selection that names one (tcp.option_kind, tcp.options.*).
  const fields = b.wantsAny('tcp.option') || b.wantsAny('_ws.expert');
  const value = b.wants('tcp.options') ? data.subarray(start, stop) : null;
  if (!fields && value === null) {
    // Nothing of the options is shown (most dissections without a tree): what later code needs, no closures.
    scanOptions(b, start, stop, summary, null, false, withInfo, sackBase, ack, syn, synOnly);
    return summary;
  }
  const names: string[] = [];
  const optionsField = b.group('tcp.options', '', value, start, stop - start, () => {
    const mss = scanOptions(b, start, stop, summary, names, fields, withInfo, sackBase, ack, syn, synOnly);
    if (syn && !mss) addExpert(b, 'tcp.options.mss.absent', 'Note', 'Protocol', 'The SYN packet does not contain a MSS option', start, stop - start);
  }, () => bytesHex(data, start, stop - start));
  if (b.tree) optionsField.label = `Options: (${stop - start} bytes)${names.length ? ', ' : ''}${names.join(', ')}`;
  return summary;
}

/**
 * Walks the options: the summary's values, the Info text (withInfo) and, with `fields`, each
 * option's fields and its name in `names`. Returns whether an MSS option was there.
 */
function scanOptions(
  b: LayerBuilder, start: number, stop: number, summary: TcpOptionSummary, names: string[] | null, fields: boolean,
  withInfo: boolean, sackBase: number, ack: number, syn: boolean, synOnly: boolean,
): boolean {
  const data = b.data;
  let mss = false;
  for (let at = start; at < stop; ) {
    const kind = data[at]!;
    if (kind === 0 || kind === 1) {
      if (fields) addSingleByteOption(b, kind, at, names!);
      at += 1;
      continue;
    }
    if (at + 1 >= stop) {
      b.mark('malformed', `TCP option ${kind} has no length byte`);
      return mss;
    }
    const len = data[at + 1]!;
    if (len < 2 || at + len > stop) {
      b.mark('malformed', `TCP option ${kind} has a bad length ${len}`);
      return mss;
    }
    if (kind === 3 && len === 3) summary.windowShift = Math.min(data[at + 2]!, 14);
    if (kind === 5) summary.sackDelivered = sackDelivered(data, at, len);
    if (kind === 30) {
      summary.mptcp++;
      // Like tshark: a malformed MPTCP option ends the options (and their Info text).
      if (!dissectMptcpOption(b, at, len)) {
        summary.mptcpMalformed = true;
        return mss;
      }
      names?.push('MPTCP');
      at += len;
      continue;
    }
    if (kind === 2) mss = true;
    if (withInfo) summary.info += optionInfo(data, kind, len, at, sackBase);
    if (fields) addOption(b, kind, len, at, names!, sackBase, ack, syn, synOnly);
    at += len;
  }
  return mss;
}

/**
 * The bytes a SACK option's blocks cover. Wireshark 4.0 stores the blocks for its bytes-in-flight
 * count in slots 1 to 3 of a four-slot array: a fourth block is counted in the option but not kept.
 */
function sackDelivered(data: Buffer, at: number, len: number): number {
  let delivered = 0;
  let kept = 0;
  for (let o = at + 2, left = len - 2; left >= 8 && kept < 3; o += 8, left -= 8, kept++) {
    delivered = (delivered + data.readUInt32BE(o + 4) - data.readUInt32BE(o)) >>> 0;
  }
  return delivered;
}

/** EOL and NOP: one byte, no length. */
function addSingleByteOption(b: LayerBuilder, kind: number, at: number, names: string[]): void {
  const name = kind === 0 ? 'End of Option List (EOL)' : 'No-Operation (NOP)';
  names.push(name);
  // An option is a "protocol in name only" in Wireshark: a field of its bytes.
  b.group(kind === 0 ? 'tcp.options.eol' : 'tcp.options.nop', () => `TCP Option - ${name}`, b.data.subarray(at, at + 1), at, 1, () => {
    b.add('tcp.option_kind', () => `Kind: ${KIND_SHORT[kind]}`, kind, at, 1);
  }, () => bytesHex(b.data, at, 1));
}

/** What an option adds to the Info column (' MSS=1460', ' WS=4', ...). */
function optionInfo(data: Buffer, kind: number, len: number, at: number, sackBase: number): string {
  if (kind === 2 && len === 4) return ` MSS=${data.readUInt16BE(at + 2)}`;
  if (kind === 3 && len === 3) return ` WS=${2 ** Math.min(data[at + 2]!, 14)}`;
  if (kind === 4 && len === 2) return ' SACK_PERM';
  if (kind === 8 && len === 10) return ` TSval=${data.readUInt32BE(at + 2)} TSecr=${data.readUInt32BE(at + 6)}`;
  // TCP Fast Open: a cookie request, or a cookie (packet-tcp.c dissect_tcpopt_tfo).
  if (kind === 34) return len === 2 ? ' TFO=R' : ' TFO=C';
  if (experimentalTfo(data, kind, len, at)) return len === 4 ? ' TFO=R' : ' TFO=C';
  let info = '';
  if (kind === 5 && (len - 2) % 8 === 0) {
    for (let o = at + 2; o < at + len; o += 8) info += ` SLE=${edge(data, o, sackBase)} SRE=${edge(data, o + 4, sackBase)}`;
  }
  return info;
}

/** An option with a length byte, and its fields; its tree line says what it holds. */
/** A SACK edge, relative to the peer's initial sequence number when it is known. */
function edge(data: Buffer, at: number, base: number): number {
  const raw = data.readUInt32BE(at);
  return base < 0 ? raw : (raw - base) >>> 0;
}

/**
 * `ack`: the segment's relative acknowledgement number (-1 without ACK or relative edges), to tell
 * a D-SACK (RFC 2883): a first block at or below the ACK, or inside the second block.
 */
function addOption(b: LayerBuilder, kind: number, len: number, at: number, names: string[], sackBase: number, ack: number, syn: boolean, synOnly: boolean): void {
  const data = b.data;
  const tfo = experimentalTfo(data, kind, len, at);
  const name = tfo ? 'Experimental' : KIND_NAMES[kind] ?? 'Unknown';
  const kindLabel = tfo ? `RFC3692-style Experiment ${kind - 252} (${kind})` : KIND_SHORT[kind] ?? `Unknown (${kind})`;
  names.push(name);
  let detail = '';
  const body = () => {
    if (kind === 2 && !syn) addExpert(b, 'tcp.options.mss.present', 'Warning', 'Protocol', 'The non-SYN packet does contain a MSS option', at, len);
    b.add('tcp.option_kind', () => `Kind: ${kindLabel}`, kind, at, 1);
    b.add('tcp.option_len', () => `Length: ${len}`, len, at + 1, 1);
    if (kind === 2 && len === 4) {
      const mss = data.readUInt16BE(at + 2);
      b.add('tcp.options.mss_val', () => `MSS Value: ${mss}`, mss, at + 2, 2);
      detail = `: ${mss} bytes`;
    } else if (kind === 3 && len === 3) {
      const shift = data[at + 2]!;
      const multiplier = 2 ** Math.min(shift, 14);
      b.group('tcp.options.wscale.shift', () => `Shift count: ${shift}`, shift, at + 2, 1, () => {
        if (shift > 14) addExpert(b, 'tcp.options.wscale.shift.invalid', 'Warning', 'Protocol', 'Window scale shift exceeds 14', at + 2, 1);
      });
      b.add('tcp.options.wscale.multiplier', () => `[Multiplier: ${multiplier}]`, multiplier, at + 2, 1);
      detail = `: ${shift} (multiply by ${multiplier})`;
    } else if (kind === 8 && len === 10) {
      const tsval = data.readUInt32BE(at + 2);
      const tsecr = data.readUInt32BE(at + 6);
      b.add('tcp.options.timestamp.tsval', () => `Timestamp value: ${tsval}`, tsval, at + 2, 4);
      b.add('tcp.options.timestamp.tsecr', () => `Timestamp echo reply: ${tsecr}`, tsecr, at + 6, 4);
      detail = `: TSval ${tsval}, TSecr ${tsecr}`;
    } else if (tfo) {
      b.add('tcp.options.experimental.exid', () => 'Experiment Identifier: Fast Open (0xf989)', TFO_EXID, at + 2, 2, () => '0xf989');
      if (len === 4) b.add('tcp.options.tfo.request', 'Fast Open Cookie Request', null, at + 2, 2, '');
      else {
        b.group('tcp.options.tfo.cookie', () => `Fast Open Cookie: ${bytesHex(data, at + 4, len - 4)}`, data.subarray(at + 4, at + len), at + 4, len - 4, () => {
          // A SYN (without ACK) that sends its cookie: its data is for the server already.
          if (synOnly) addExpert(b, 'tcp.analysis.tfo_syn', 'Note', 'Sequence', 'TCP SYN with TFO Cookie', at + 4, len - 4);
        });
      }
      detail = ': Fast Open';
    } else if (kind === 5 && (len - 2) % 8 === 0) {
      const count = (len - 2) / 8;
      const relative = sackBase < 0 ? '' : ' (relative)';
      for (let i = 0; i < count; i++) {
        const le = edge(data, at + 2 + i * 8, sackBase);
        const re = edge(data, at + 6 + i * 8, sackBase);
        b.add('tcp.options.sack_le', () => `left edge = ${le}${relative}`, le, at + 2 + i * 8, 4);
        b.add('tcp.options.sack_re', () => `right edge = ${re}${relative}`, re, at + 6 + i * 8, 4);
        detail += ` ${le}-${re}`;
      }
      b.add('tcp.options.sack.count', () => `[TCP SACK Count: ${count}]`, count, at, 0);
      if (count > 0 && ack >= 0) {
        const le = edge(data, at + 2, sackBase);
        const re = edge(data, at + 6, sackBase);
        const below = ((re - ack) | 0) <= 0;
        const inside = count > 1 && ((le - edge(data, at + 10, sackBase)) | 0) >= 0 && ((re - edge(data, at + 14, sackBase)) | 0) <= 0;
        if (below || inside) {
          b.add('tcp.options.sack.dsack_le', () => `[D-SACK Left Edge = ${le} (relative)]`, le, at + 2, 4);
          b.add('tcp.options.sack.dsack_re', () => `[D-SACK Right Edge = ${re} (relative)]`, re, at + 6, 4);
          b.group('', 'D-SACK Sequence', null, at + 2, 8, () => addExpert(b, 'tcp.options.sack.dsack', 'Warning', 'Sequence', 'D-SACK Sequence', at + 2, 8), '');
        }
      }
    }
  };
  const abbrev = kind === 2 ? 'tcp.options.mss' : kind === 3 ? 'tcp.options.wscale' : kind === 4 ? 'tcp.options.sack_perm' : kind === 5 ? 'tcp.options.sack' : kind === 8 ? 'tcp.options.timestamp' : tfo ? 'tcp.options.experimental' : 'tcp.options.unknown';
  const bytes = b.data.subarray(at, Math.min(at + len, b.data.length));
  const field = b.group(abbrev, '', bytes, at, len, body, () => bytesHex(bytes, 0, bytes.length));
  if (b.tree) field.label = `TCP Option - ${name}${detail}`;
}
