/**
 * Feeding a statistics report (app/stats: `-z conv,…`, `-z endpoints,…`) from the store: every
 * frame in order, as the report contract wants, in slices that yield to the event loop.
 *
 * - Reports that take PairTaps (conversations and endpoints without a filter) go through a
 *   PairTapFeeder (pair-tap.ts), straight from the file's bytes: a few hundred ns a frame.
 * - Other reports that only look at addresses, ports, stream numbers, TCP flags, lengths and times
 *   (TCP/UDP/IP conversations and endpoints with a filter) take the light packet for frames the
 *   light path read, like display filters do.
 * - Everything else gets the full Dissector's tree.
 */
import type { StatisticsReport } from '../stats/report';
import { lightPacket } from './light-fields';
import { RowDissector } from './row-dissector';
import type { FilterSource } from './filter-view';
import { PairTapFeeder } from './pair-tap';

/** A source that can hand frame k to a PairTapFeeder without a Buffer per frame (PacketStore). */
export interface TapSource extends FilterSource {
  feedFrame(k: number, feeder: PairTapFeeder): void;
}

function isTapSource(source: FilterSource): source is TapSource {
  return typeof (source as Partial<TapSource>).feedFrame === 'function';
}

/** Report specs that light packets answer exactly (no Ethernet addresses, no payload protocols in their text). */
export function reportTakesLightPackets(spec: string): boolean {
  return /^(conv|endpoints),(tcp|udp|ip|ipv6)(,.*)?$/.test(spec);
}

const SLICE_FRAMES = 50000;

export async function feedReport(source: FilterSource, report: StatisticsReport, onProgress?: (framesDone: number, framesTotal: number) => void): Promise<void> {
  if (isTapSource(source) && PairTapFeeder.canFeed([report])) return feedPairTaps(source, report, onProgress);
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

async function feedPairTaps(source: TapSource, report: StatisticsReport, onProgress?: (framesDone: number, framesTotal: number) => void): Promise<void> {
  const feeder = new PairTapFeeder([report]);
  const total = source.count();
  for (let start = 0; start < total; start += SLICE_FRAMES) {
    const end = Math.min(total, start + SLICE_FRAMES);
    for (let k = start; k < end; k++) source.feedFrame(k, feeder);
    onProgress?.(end, total);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
