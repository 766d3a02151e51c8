/**
 * Statistics › Capture File Properties: capinfos' facts about a session's file (or a live
 * capture's spool) — format, encapsulation, packets, first and last time, elapsed, data size,
 * average rates, snap lengths, interfaces — from the index and the file's interface blocks; and
 * the digits of each interface's time stamps (the Time column's automatic precision, as tshark's).
 */
import * as fs from 'node:fs';
import type { CaptureProperties } from '../../rpc/engine-protocol';
import { linkTypeDescription } from '../../pcap/linktype';
import type { CaptureInterface } from '../../pcap/packet';
import { CaptureReader } from '../../pcap/reader';
import { precisionDigits, timeColumnText } from '../time-column';
import type { PacketStore } from '../store';
import { nsString } from './plain';

/** The interfaces a capture file declares, reading on until `count` are known (pcapng may declare them late); [] when it cannot be read. */
export function readFileInterfaces(file: string, count: number): CaptureInterface[] {
  let reader: CaptureReader | null = null;
  try {
    reader = CaptureReader.open(file);
    while (reader.interfaces.length < count && reader.nextView() !== null);
    return [...reader.interfaces];
  } catch {
    return [];
  } finally {
    reader?.close();
  }
}

/** A session's interfaces as far as the properties need them. */
export interface InterfaceFacts {
  name: string | null;
  description: string | null;
  linkType: number;
  snapLength: number;
  timeDigits: number;
}

/** Interface facts of a file (from its blocks) or of a live capture (nanosecond time stamps, as its spool). */
export function interfaceFacts(kind: 'file' | 'live', file: string, linkTypes: readonly number[], liveDetails: ReadonlyArray<{ name?: string; description?: string; snapLen?: number }>): InterfaceFacts[] {
  if (kind === 'live') {
    return linkTypes.map((linkType, k) => ({ name: liveDetails[k]?.name ?? null, description: liveDetails[k]?.description ?? null, linkType, snapLength: liveDetails[k]?.snapLen ?? 262144, timeDigits: 9 }));
  }
  const read = readFileInterfaces(file, linkTypes.length);
  return linkTypes.map((linkType, k) => {
    const i = read[k];
    return { name: i?.name ?? null, description: i?.description ?? null, linkType, snapLength: i?.snapLen ?? 0, timeDigits: precisionDigits(i?.tsresol) };
  });
}

const PRECISION_NAMES = ['seconds', 'deciseconds', 'centiseconds', 'milliseconds', '', '', 'microseconds', '', '', 'nanoseconds'];

export function propertiesOf(
  store: PacketStore,
  kind: 'file' | 'live',
  file: string,
  interfaces: readonly InterfaceFacts[],
  flags: { marked: number; ignored: number },
): CaptureProperties {
  const ix = store.index;
  const packets = store.count();
  let dataBytes = 0;
  const perInterface = new Array<number>(interfaces.length).fill(0);
  for (let k = 0; k < packets; k++) {
    dataBytes += ix.capLen[k]!;
    const i = ix.interfaceId[k]!;
    if (i < perInterface.length) perInterface[i]!++;
  }
  // capinfos' first and last times are the earliest and latest time stamps, not frame 1's and the last frame's.
  let first: bigint | null = null;
  let last: bigint | null = null;
  for (let k = 0; k < packets; k++) {
    const t = ix.tsNs(k);
    if (first === null || t < first) first = t;
    if (last === null || t > last) last = t;
  }
  const elapsed = first !== null && last !== null ? Number(last - first) / 1e9 : null;
  const rate = (n: number): number | null => (elapsed !== null && elapsed > 0 ? n / elapsed : null);
  let fileBytes = 0;
  try {
    fileBytes = fs.statSync(file).size;
  } catch {
    // a spool removed underneath: 0
  }
  const info = store.fileInfo;
  const format = kind === 'live' ? 'pcapng' : info?.format ?? 'pcap';
  let fileType = format === 'pcapng' ? 'Wireshark/... - pcapng' : info?.nanosecond ? 'Wireshark/tcpdump/... - nanosecond pcap' : 'Wireshark/tcpdump/... - pcap';
  if (info?.compressed) fileType += ' (gzip compressed)';
  const linkTypes = new Set(interfaces.map((i) => i.linkType));
  const digits = new Set(interfaces.map((i) => i.timeDigits));
  const snaps = interfaces.map((i) => i.snapLength);
  // capinfos prints local date and time (tshark's -t ad) at the file's finest precision.
  const timeDigits = Math.max(0, ...interfaces.map((i) => i.timeDigits));
  const localText = (ns: bigint | null): string | null => (ns === null ? null : timeColumnText('ad', { tsNs: ns, relativeNs: 0n, deltaNs: 0n, deltaDisplayedNs: 0n }, timeDigits));
  const digitsName = (d: number): string => `${PRECISION_NAMES[d] || `10^-${d} seconds`} (${d})`;
  return {
    path: file,
    fileType,
    encapsulation: linkTypes.size === 1 ? linkTypeDescription([...linkTypes][0]!) : linkTypes.size === 0 ? 'Unknown' : 'Per packet',
    timePrecision: digits.size === 1 ? digitsName([...digits][0]!) : 'mixed',
    fileBytes,
    dataBytes,
    packets,
    firstTime: first === null ? null : nsString(first),
    lastTime: last === null ? null : nsString(last),
    firstTimeText: localText(first),
    lastTimeText: localText(last),
    elapsedSeconds: elapsed,
    bytesPerSecond: rate(dataBytes),
    bitsPerSecond: rate(dataBytes * 8),
    averagePacketBytes: packets > 0 ? dataBytes / packets : null,
    packetsPerSecond: rate(packets),
    snapLengthMin: snaps.length ? Math.min(...snaps) : null,
    snapLengthMax: snaps.length ? Math.max(...snaps) : null,
    interfaces: interfaces.map((i, k) => ({
      name: i.name,
      description: i.description,
      encapsulation: `${linkTypeDescription(i.linkType)} (${i.linkType})`,
      snapLength: i.snapLength,
      timeDigits: i.timeDigits,
      packets: perInterface[k] ?? 0,
    })),
    marked: flags.marked,
    ignored: flags.ignored,
  };
}
