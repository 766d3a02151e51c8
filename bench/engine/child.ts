/**
 * One timed task of bench/engine, run in its own process so that its CPU time and peak memory
 * are its own (measured by rusage.py around it, as tshark's are):
 *
 *   node child.js index  FILE            open + index the whole file (PacketStore.openFile)
 *   node child.js filter FILE 'FILTER'   open + index, then a display filter over every frame
 *   node child.js http   FILE            HTTP transactions (analyzeHttpCapture)
 *   node child.js conv   FILE            -z conv,tcp: open with the report attached (counted while indexing)
 *   node child.js conv-after FILE        -z conv,tcp asked for after opening: index, then the store feeds it
 *   node child.js conv-full FILE         -z conv,tcp with every frame through the full Dissector (the CLI's way)
 *
 * Prints one JSON line on stdout: in-process milliseconds of each step and what it found.
 */
import { Dissector } from '../../app/dissect/dissector';
import { PacketStore } from '../../app/engine';
import { CaptureReader } from '../../app/pcap/reader';
import { analyzeHttpCapture } from '../../app/reassembly';
import { createConversationReport } from '../../app/stats/conversations';

function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

async function main(): Promise<void> {
  const [mode, file, filterText] = process.argv.slice(2);
  if (!mode || !file) throw new Error('usage: child.js index|filter|http|conv FILE [FILTER]');
  const t0 = process.hrtime.bigint();
  const out: Record<string, unknown> = { mode };
  if (mode === 'index' || mode === 'filter') {
    const store = PacketStore.openFile(file, { sliceFrames: 200000 });
    const summary = await store.loading;
    out.indexMs = ms(t0);
    out.frames = summary.frames;
    out.error = summary.error;
    out.indexBytesPerPacket = store.indexBytesPerPacket();
    out.notSimpleFrames = store.notSimpleFrames;
    out.heapUsedBytes = process.memoryUsage().heapUsed;
    if (mode === 'filter') {
      const t1 = process.hrtime.bigint();
      const view = store.filter(filterText ?? '');
      await view.update();
      out.filterMs = ms(t1);
      out.matches = view.count();
    }
    store.close();
  } else if (mode === 'http') {
    const analysis = analyzeHttpCapture(file);
    out.transactions = analysis.transactions.length;
    out.frames = analysis.frames;
  } else if (mode === 'conv') {
    // As a window opens a file with its session table: conversations counted in the indexing pass.
    const report = createConversationReport('conv,tcp');
    const store = PacketStore.openFile(file, { sliceFrames: 200000, reports: [report] });
    await store.loading;
    out.indexMs = ms(t0);
    out.conversations = (report.json() as unknown[]).length;
    out.frames = store.count();
    out.textLines = report.text().split('\n').length;
    if (process.env.BENCH_PRINT === '1') process.stderr.write(report.text());
    store.close();
  } else if (mode === 'conv-after') {
    // A report asked for once the file is open: the store reads the frames again for it.
    const store = PacketStore.openFile(file, { sliceFrames: 200000 });
    await store.loading;
    out.indexMs = ms(t0);
    const report = createConversationReport('conv,tcp');
    const t1 = process.hrtime.bigint();
    await store.feedReport(report);
    out.feedMs = ms(t1);
    out.conversations = (report.json() as unknown[]).length;
    out.frames = store.count();
    store.close();
  } else if (mode === 'conv-full') {
    const report = createConversationReport('conv,tcp');
    const dissector = new Dissector();
    const reader = CaptureReader.open(file);
    let n = 0;
    for (let p = reader.next(); p !== null; p = reader.next()) {
      const packet = dissector.dissect({ number: ++n, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags });
      report.add({ packet, data: p.data, tsNs: p.tsNs, capLen: p.capLen, origLen: p.origLen });
    }
    reader.close();
    out.conversations = (report.json() as unknown[]).length;
    out.frames = n;
  } else throw new Error(`unknown mode ${mode}`);
  out.totalMs = ms(t0);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: Error) => {
  console.error(`bench/engine child: ${err.message}`);
  process.exitCode = 1;
});
