/** The "frame" layer: tshark's frame.* fields (numbers, lengths, time stamps, protocol chain). */
import type { Field, FrameInput, Layer } from './model';
import { nsToSeconds } from './format';

/** Wireshark's WTAP_ENCAP_* numbers (frame.encap_type) for the link types we dissect. */
const WTAP_ENCAP: Record<number, number> = { 105: 20, 127: 23, 0: 15, 1: 1, 12: 7, 14: 7, 101: 7, 108: 15, 113: 25, 228: 129, 229: 130, 276: 210 };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 'Feb  9, 2010 01:18:39.618072000 UTC', as tshark prints frame.time (in UTC). */
export function frameTimeText(tsNs: bigint): string {
  const sec = tsNs / 1_000_000_000n;
  const ns = (tsNs % 1_000_000_000n).toString().padStart(9, '0');
  const d = new Date(Number(sec) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')}, ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${ns} UTC`;
}

function f(abbrev: string, label: string, value: Field['value'], text: string, hidden = false): Field {
  const field: Field = { abbrev, label, value, text, offset: 0, length: 0 };
  if (hidden) field.hidden = true;
  return field;
}

export function frameLayer(frame: FrameInput, relativeNs: bigint, deltaNs: bigint): { layer: Layer; setProtocols(chain: string): void } {
  const capLen = frame.data.length;
  const encap = WTAP_ENCAP[frame.linkType] ?? -1;
  const epoch = nsToSeconds(frame.tsNs);
  const delta = nsToSeconds(deltaNs);
  const relative = nsToSeconds(relativeNs);
  const protocols = f('frame.protocols', '[Protocols in frame: ]', '', '');
  const fields: Field[] = [
    f('frame.encap_type', `Encapsulation type: ${encap} (linktype ${frame.linkType})`, encap, String(encap)),
    f('frame.time', `Arrival Time: ${frameTimeText(frame.tsNs)}`, frame.tsNs, frameTimeText(frame.tsNs)),
    f('frame.offset_shift', '[Time shift for this packet: 0.000000000 seconds]', 0, '0.000000000'),
    f('frame.time_epoch', `Epoch Time: ${epoch} seconds`, frame.tsNs, epoch),
    f('frame.time_delta', `[Time delta from previous captured frame: ${delta} seconds]`, deltaNs, delta),
    f('frame.time_delta_displayed', `[Time delta from previous displayed frame: ${delta} seconds]`, deltaNs, delta),
    f('frame.time_relative', `[Time since reference or first frame: ${relative} seconds]`, relativeNs, relative),
    f('frame.number', `Frame Number: ${frame.number}`, frame.number, String(frame.number)),
    f('frame.len', `Frame Length: ${frame.origLen} bytes (${frame.origLen * 8} bits)`, frame.origLen, String(frame.origLen)),
    f('frame.cap_len', `Capture Length: ${capLen} bytes (${capLen * 8} bits)`, capLen, String(capLen)),
    f('frame.marked', '[Frame is marked: False]', false, '0'),
    f('frame.ignored', '[Frame is ignored: False]', false, '0'),
    protocols,
  ];
  const title = `Frame ${frame.number}: ${frame.origLen} bytes on wire (${frame.origLen * 8} bits), ${capLen} bytes captured (${capLen * 8} bits)`;
  const layer: Layer = { protocol: 'frame', title, offset: 0, length: capLen, fields, status: 'ok' };
  return {
    layer,
    setProtocols(chain: string) {
      protocols.value = chain;
      protocols.text = chain;
      protocols.label = `[Protocols in frame: ${chain}]`;
    },
  };
}
