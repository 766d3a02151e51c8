/**
 * Reads capture files for the printer tests through the project's CaptureReader (app/pcap),
 * which stops at the first damaged record the way libpcap does for tcpdump.
 */
import { readAllPackets } from '../app/pcap';

export interface TestPacket {
  tsNs: bigint;
  data: Buffer;
  origLen: number;
  linkType: number;
  flags?: number;
}

export interface TestCapture {
  packets: TestPacket[];
  /** True when the file uses nanosecond time stamps. */
  nano: boolean;
}

export function readCaptureFile(path: string): TestCapture {
  const { packets, reader } = readAllPackets(path);
  return {
    packets: packets.map((p) => ({ tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags })),
    nano: reader.info.nanosecond,
  };
}
