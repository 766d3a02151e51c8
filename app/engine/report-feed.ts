/**
 * Feeding a statistics report (app/stats: `-z conv,…`, `-z endpoints,…`) from the store: every
 * frame in order, as the report contract wants, in slices that yield to the event loop. Reports
 * that only look at addresses, ports, stream numbers, TCP flags, lengths and times (TCP/UDP/IP
 * conversations and endpoints) take the light packet for frames the light path read, like
 * display filters do; everything else gets the full Dissector's tree.
 */
import type { StatisticsReport } from '../stats/report';
import { lightPacket } from './light-fields';
import { RowDissector } from './row-dissector';
import type { FilterSource } from './filter-view';

/** Report specs that light packets answer exactly (no Ethernet addresses, no payload protocols in their text). */
export function reportTakesLightPackets(spec: string): boolean {
  return /^(conv|endpoints),(tcp|udp|ip|ipv6)(,.*)?$/.test(spec);
}

const SLICE_FRAMES = 50000;

export async function feedReport(source: FilterSource, report: StatisticsReport, onProgress?: (framesDone: number, framesTotal: number) => void): Promise<void> {
  const light = reportTakesLightPackets(report.spec);
  const dissector = new RowDissector(source);
  const total = source.count();
  for (let start = 0; start < total; start += SLICE_FRAMES) {
    const end = Math.min(total, start + SLICE_FRAMES);
    for (let k = start; k < end; k++) {
      const tsNs = source.tsNs(k);
      let packet;
      if (light && source.isLight(k)) {
        packet = lightPacket(source.lightFrame(k));
      } else packet = dissector.dissect(k, false);
      const data = source.frameInput(k, false).data;
      report.add({ packet, data, tsNs, capLen: data.length, origLen: source.origLenOf(k) });
    }
    onProgress?.(end, total);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
