/** tshark's default one-line output: `    1   0.000000 10.0.0.1 → 10.0.0.2 TCP 74 443 → 51234 [SYN] ...`. */
import type { DissectedPacket } from '../../dissect/model';
import type { SummaryNames } from '../../dissect/names';

/**
 * The summary line of a packet. `time`: the Time column (TimeColumn); without it, seconds since
 * the first frame at microsecond precision. `names`: the Source and Destination columns by name.
 */
export function summaryLine(packet: DissectedPacket, time?: string, names?: SummaryNames): string {
  const s = packet.summary;
  time ??= summaryTime(packet);
  const source = names?.any ? names.address(s.source) : s.source;
  const destination = names?.any ? names.address(s.destination) : s.destination;
  // tshark pads the address columns to 12 characters: source right-aligned, destination left;
  // the arrow is there even when both are empty (a frame with no addresses: Frame Relay, PKTAP).
  const addresses = `${source.padStart(12)} → ${destination.padEnd(12)} `;
  return `${String(packet.number).padStart(5)} ${time.padStart(10)} ${addresses}${s.protocol} ${s.length} ${s.info}`;
}

/** The Time column: relative time with microsecond precision, as tshark's default column shows it. */
export function summaryTime(packet: DissectedPacket): string {
  const rel = packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_relative')?.text ?? '0.000000000';
  return rel.includes('.') ? rel.slice(0, rel.indexOf('.') + 7) : rel;
}

/** The columns of tshark's packet list (-T psml's sections): No., Time, Source, Destination, Protocol, Length, Info. */
export function summaryColumns(packet: DissectedPacket): string[] {
  const s = packet.summary;
  return [String(packet.number), summaryTime(packet), s.source, s.destination, s.protocol, String(s.length), s.info];
}
