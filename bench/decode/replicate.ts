/**
 * Grows a seed capture to a big one: the seed's packets written again and again, each copy
 * shifted in time to follow the previous one, until the file holds at least `minPackets`. The
 * packets stay byte-for-byte the real ones; only time stamps move (as `editcap -t` would do), so
 * the time column keeps increasing like a long capture's.
 */
import { CaptureReader } from '../../app/pcap/reader';
import { PcapWriter } from '../../app/pcap/pcap-writer';

export interface ReplicateResult {
  seedPackets: number;
  copies: number;
  packets: number;
  bytes: number;
}

export function replicateCapture(seedFile: string, outFile: string, minPackets: number): ReplicateResult {
  const reader = CaptureReader.open(seedFile);
  const seed: Array<{ tsNs: bigint; data: Buffer; origLen: number }> = [];
  for (const p of reader) seed.push({ tsNs: p.tsNs, data: Buffer.from(p.data), origLen: p.origLen });
  reader.close();
  if (reader.error) throw new Error(`cannot read the seed capture: ${reader.error.message}`);
  const first = seed[0];
  const last = seed[seed.length - 1];
  if (first === undefined || last === undefined) throw new Error(`the seed capture ${seedFile} holds no packet: was any traffic captured?`);
  const span = last.tsNs - first.tsNs + 1_000_000n; // next copy starts 1 ms after the last packet
  const copies = Math.ceil(minPackets / seed.length);
  const writer = new PcapWriter(outFile, { linkType: reader.linkType, snapLen: reader.interfaces[0]?.snapLen || 262144 });
  let bytes = 0;
  for (let c = 0; c < copies; c++) {
    const shift = span * BigInt(c);
    for (const p of seed) {
      writer.writePacket({ tsNs: p.tsNs + shift, data: p.data, origLen: p.origLen });
      bytes += 16 + p.data.length;
    }
  }
  writer.close();
  return { seedPackets: seed.length, copies, packets: copies * seed.length, bytes: bytes + 24 };
}
