/**
 * NTP (RFC 5905) on UDP 123: header flags, stratum, poll, precision, root delay/dispersion,
 * reference ID and the four timestamps, printed as tshark 4.0 prints them. Control (mode 6) and
 * private (mode 7) messages get their flags and Info line only.
 */
import { LayerBuilder, dissectSafely, hex } from './builder';
import type { AppContext, AppDissector, AppResult } from './model';
import { nsToSeconds } from './format';
import { ntpTimestampText } from './app-format';

const MODES = ['reserved', 'symmetric active', 'symmetric passive', 'client', 'server', 'broadcast', 'control', 'private'];
const LEAP = ['no warning', 'last minute of the day has 61 seconds', 'last minute of the day has 59 seconds', 'unknown (clock unsynchronized)'];
const TIMESTAMPS: Array<[string, string]> = [['reftime', 'Reference Timestamp'], ['org', 'Origin Timestamp'], ['rec', 'Receive Timestamp'], ['xmt', 'Transmit Timestamp']];

export const ntpDissector: AppDissector = {
  protocol: 'ntp',
  udpPorts: [123],
  dissect(data, offset, end, ctx): AppResult {
    const b = new LayerBuilder(data, 'ntp', 'Network Time Protocol', offset, end, ctx.fields);
    let info = 'NTP';
    const layer = dissectSafely(b, () => {
      const flags = b.u8(offset, 'flags');
      const li = flags >> 6;
      const version = (flags >> 3) & 7;
      const mode = flags & 7;
      info = `NTP Version ${version}, ${MODES[mode]}`;
      b.layer.title = `Network Time Protocol (NTP Version ${version}, ${MODES[mode]})`;
      b.group('ntp.flags', () => `Flags: ${hex(flags, 2)}`, flags, offset, 1, () => {
        // Mode 7 puts response/more bits where the leap indicator is.
        if (mode !== 7) b.add('ntp.flags.li', () => `Leap Indicator: ${LEAP[li]} (${li})`, li, offset, 1);
        b.add('ntp.flags.vn', () => `Version number: NTP Version ${version} (${version})`, version, offset, 1);
        b.add('ntp.flags.mode', () => `Mode: ${MODES[mode]} (${mode})`, mode, offset, 1);
      }, () => hex(flags, 2));
      if (mode === 6 || mode === 7) return;
      // tshark's -2 matches a client's request with the server's response (packet-ntp.c: on
      // later passes only): the request's transmit time stamp is the response's origin.
      if ((mode === 3 || mode === 4) && ctx.hindsight !== undefined && offset + 48 <= Math.min(end, data.length)) {
        pairItems(b, ctx, mode === 3, data.toString('hex', mode === 3 ? offset + 40 : offset + 24, mode === 3 ? offset + 48 : offset + 32), offset);
      }
      const stratum = b.u8(offset + 1, 'stratum');
      b.add('ntp.stratum', () => `Peer Clock Stratum: ${stratum}`, stratum, offset + 1, 1);
      const poll = b.u8(offset + 2, 'poll');
      b.add('ntp.ppoll', () => `Peer Polling Interval: ${poll}`, poll, offset + 2, 1);
      const precision = b.u8(offset + 3, 'precision');
      b.add('ntp.precision', () => `Peer Clock Precision: ${precision}`, precision, offset + 3, 1);
      // tshark 4.0 prints root delay and dispersion as their raw 32-bit fixed-point values.
      const delay = b.u32(offset + 4, 'root delay');
      b.add('ntp.rootdelay', () => `Root Delay: ${delay / 65536} seconds`, delay, offset + 4, 4);
      const dispersion = b.u32(offset + 8, 'root dispersion');
      b.add('ntp.rootdispersion', () => `Root Dispersion: ${dispersion / 65536} seconds`, dispersion, offset + 8, 4);
      const refid = b.bytes(offset + 12, 4, 'reference ID');
      b.add('ntp.refid', () => `Reference ID: ${refid.toString('hex')}`, Buffer.from(refid), offset + 12, 4, () => refid.toString('hex'));
      TIMESTAMPS.forEach(([name, label], i) => {
        const at = offset + 16 + 8 * i;
        const seconds = b.u32(at, label);
        const fraction = b.u32(at + 4, label);
        const text = seconds === 0 && fraction === 0 ? 'NULL' : ntpTimestampText(seconds, fraction);
        b.add(`ntp.${name}`, () => `${label}: ${text}`, text, at, 8);
      });
    });
    return { layers: [layer], protocolColumn: 'NTP', info };
  },
};

/**
 * -2's "[Response In: N]" on a request, "[Request In: N]" and "[Delta Time]" on its response.
 * Each pass matches in order (Hindsight.state: the second pass's own table); the first pass's
 * matches give a request its response.
 */
function pairItems(b: LayerBuilder, ctx: AppContext, request: boolean, stamp: string, at: number): void {
  const hindsight = ctx.hindsight!;
  const requests = hindsight.state('ntp', () => new Map<string, { frame: number; tsNs: bigint; answered: boolean }>());
  const a = `${ctx.src}|${ctx.srcPort}`;
  const c = `${ctx.dst}|${ctx.dstPort}`;
  const key = `${a < c ? `${a}|${c}` : `${c}|${a}`}|${stamp}`;
  const frame = ctx.frameNumber;
  if (request) {
    requests.set(key, { frame, tsNs: ctx.tsNs ?? 0n, answered: false });
    const later = hindsight.later('ntp.response_in', `${frame}|${key}`);
    if (later !== undefined) b.add('ntp.response_in', () => `[Response In: ${later}]`, later, at, 0);
    return;
  }
  const known = requests.get(key);
  if (known === undefined || known.answered) return;
  known.answered = true;
  hindsight.link('ntp.response_in', `${known.frame}|${key}`, frame);
  if (!hindsight.recalling) return;
  const delta = nsToSeconds((ctx.tsNs ?? 0n) - known.tsNs);
  b.add('ntp.request_in', () => `[Request In: ${known.frame}]`, known.frame, at, 0);
  b.add('ntp.delta_time', () => `[Delta Time: ${delta} seconds]`, delta, at, 0);
}
