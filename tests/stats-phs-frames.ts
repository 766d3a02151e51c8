/** Feeds a capture file to -z reports as the CLI does: every frame dissected in order, as a ReportFrame. */
import { Dissector } from '../app/dissect/dissector';
import { CaptureReader } from '../app/pcap/reader';
import type { StatisticsReport } from '../app/stats/report';

export function feedReports(path: string, reports: readonly StatisticsReport[]): void {
  const reader = CaptureReader.open(path);
  // Segments as they are, unless a report's filters test packets as tshark's do (io,stat columns).
  const dissector = new Dissector({ desegment: reports.some((r) => r.reads?.desegment === true) });
  let number = 0;
  try {
    for (let p = reader.next(); p !== null; p = reader.next()) {
      const input = { number: ++number, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags };
      const packet = dissector.dissect(input);
      for (const r of reports) r.add({ packet, data: p.data, tsNs: p.tsNs, capLen: p.data.length, origLen: p.origLen });
    }
  } finally {
    reader.close();
  }
}
