/** tshark's default one-line output: `    1   0.000000 10.0.0.1 → 10.0.0.2 TCP 74 443 → 51234 [SYN] ...`. */
import type { DissectedPacket } from '../../dissect/model';

export function summaryLine(packet: DissectedPacket): string {
  const s = packet.summary;
  const rel = packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_relative')?.text ?? '0.000000000';
  // tshark shows relative time with microsecond precision in the default column.
  const time = rel.includes('.') ? rel.slice(0, rel.indexOf('.') + 7) : rel;
  // tshark pads the address columns to 12 characters: source right-aligned, destination left.
  const addresses = s.source || s.destination ? `${s.source.padStart(12)} → ${s.destination.padEnd(12)} ` : '';
  return `${String(packet.number).padStart(5)} ${time.padStart(10)} ${addresses}${s.protocol} ${s.length} ${s.info}`;
}
