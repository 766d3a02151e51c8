/**
 * The engine service's analyses on a large capture the test traffic makes (app/engine/service/
 * test-traffic.ts: HTTP exchanges, DNS, ping): how long each request takes, first and when asked
 * again (kept per session), and the longest the event loop waited meanwhile (the service promises
 * slices of a few ms; GC pauses and a busy machine come on top).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/engine/service-analyses.js [--connections 20000]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineService } from '../../app/engine/service/service';
import { sampleTraffic, writeCapture } from '../../app/engine/service/test-traffic';

async function main(): Promise<void> {
  const at = process.argv.indexOf('--connections');
  const connections = at > 0 ? Number(process.argv[at + 1]) : 20000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-bench-analyses-'));
  const file = path.join(dir, 'traffic.pcap');
  writeCapture(file, sampleTraffic({ connections, dnsQueries: connections / 2, pings: connections / 2 }));
  const service = new EngineService({ spoolDir: dir });
  let id = 1;
  let last = performance.now();
  let longest = 0;
  let ticking = true;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  try {
    const opened = await service.handle({ id: id++, method: 'openFile', path: file });
    if (opened.type === 'error') throw new Error(opened.error.message);
    const frames = (opened.result as { frames: number }).frames;
    console.log(`${frames} frames, ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB`);
    setImmediate(tick);
    const requests: Array<Record<string, unknown>> = [
      { method: 'conversations', kind: 'tcp' },
      { method: 'conversations', kind: 'tcp' },
      { method: 'conversations', kind: 'eth' },
      { method: 'httpTransactions', start: 0, count: 100 },
      { method: 'httpTransactions', start: 100, count: 100 },
      { method: 'httpTransaction', index: connections - 1 },
      { method: 'followStream', protocol: 'tcp', stream: connections - 1 },
      { method: 'followStream', protocol: 'udp', stream: connections / 2 - 1 },
      { method: 'rows', start: 0, count: 100, sort: { column: 'length', descending: true } },
      { method: 'rows', start: 0, count: 100, sort: { column: 'info', descending: false } },
      { method: 'rows', start: 5000, count: 100, sort: { column: 'info', descending: true } },
      { method: 'rows', start: 5000, count: 100, sort: { column: 'source', descending: false } },
    ];
    for (const request of requests) {
      longest = 0;
      last = performance.now();
      const started = performance.now();
      const reply = await service.handle({ id: id++, session: 1, ...request });
      const ms = performance.now() - started;
      if (reply.type === 'error') throw new Error(`${String(request.method)}: ${reply.error.message}`);
      const what = [request.method, request.kind, request.protocol, (request.sort as { column?: string } | undefined)?.column].filter(Boolean).join(' ');
      console.log(`${what.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms   longest event-loop wait ${longest.toFixed(1)} ms`);
    }
  } finally {
    ticking = false;
    service.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
