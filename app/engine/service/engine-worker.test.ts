/**
 * The engine service behind a real worker_threads MessagePort: every reply and event crosses by
 * structured clone and arrives equal to what the same requests get in-process, valid against the
 * schema; closing the port closes the sessions (a live spool is removed) and the worker exits.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { parseEngineMessage, parseEngineResult, type EngineEvent, type EngineReply } from '../../rpc/engine-protocol';
import { EngineService } from './service';
import { sampleTraffic, writeCapture } from './test-traffic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-worker-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Channel {
  request(message: Record<string, unknown>): Promise<EngineReply>;
  events: EngineEvent[];
}

function overPort(port: MessagePort): Channel {
  const pending = new Map<number, (reply: EngineReply) => void>();
  const events: EngineEvent[] = [];
  port.on('message', (message: unknown) => {
    const m = parseEngineMessage(message);
    if (m.type === 'event') events.push(m);
    else pending.get(m.id!)?.(m);
  });
  return {
    events,
    request: (message) => new Promise((resolve) => {
      pending.set(message.id as number, resolve);
      port.postMessage(message);
    }),
  };
}

function inProcess(service: EngineService): Channel {
  const events: EngineEvent[] = [];
  service.onEvent((e) => events.push(e));
  return { events, request: (message) => service.handle(message) };
}

/** One conversation of every request kind; the replies in order. */
async function conversation(channel: Channel, file: string): Promise<EngineReply[]> {
  const replies: EngineReply[] = [];
  let id = 0;
  const ask = async (message: Record<string, unknown>): Promise<EngineReply> => {
    const reply = await channel.request({ id: ++id, ...message });
    if (reply.type === 'result') parseEngineResult(reply.method, reply.result);
    replies.push(reply);
    return reply;
  };
  await ask({ method: 'openFile', path: file });
  await ask({ method: 'sessionInfo', session: 1 });
  await ask({ method: 'rows', session: 1, start: 0, count: 40 });
  await ask({ method: 'packet', session: 1, number: 4 });
  await ask({ method: 'packet', session: 1, number: 11 });
  await ask({ method: 'checkFilter', filter: 'dns.qry.name contains "host"' });
  await ask({ method: 'createView', session: 1, filter: 'dns || icmp' });
  await ask({ method: 'createView', session: 1, filter: 'dns ||' });
  await ask({ method: 'updateView', session: 1, view: 1, filter: 'http' });
  await ask({ method: 'rows', session: 1, start: 0, count: 40, view: 1 });
  for (const spec of ['conv,tcp', 'endpoints,ip', 'io,phs', 'io,stat,0.005', 'http,tree', 'follow,tcp,hex,0']) await ask({ method: 'createReport', session: 1, spec });
  for (let report = 1; report <= 6; report++) await ask({ method: 'readReport', session: 1, report, format: 'both' });
  await ask({ method: 'openLive', interfaces: [{ linkType: 1, name: 'test0', snapLen: 0 }] });
  await ask({ method: 'listSessions' });
  await ask({ method: 'cancel', request: 999 });
  await ask({ method: 'dropReport', session: 1, report: 1 });
  await ask({ method: 'dropView', session: 1, view: 1 });
  await ask({ method: 'packet', session: 1, number: 1000 });
  await ask({ method: 'rows', session: 9, start: 0, count: 1 });
  await ask({ method: 'rows', session: 1, start: 0, count: 100000 });
  await ask({ method: 'closeSession', session: 1 });
  await ask({ method: 'sessionInfo', session: 1 });
  return replies;
}

/** Times differ between runs; everything else must not. */
function comparable(replies: EngineReply[]): unknown {
  return JSON.parse(JSON.stringify(replies, (key, value: unknown) => (key === 'milliseconds' ? 0 : key === 'path' && typeof value === 'string' && value.includes('sievecap-live-') ? 'SPOOL' : value)));
}

test('engine over a worker MessagePort: every reply kind arrives as the in-process service answers it, valid and plain', async () => {
  const file = path.join(tmp, 'worker.pcapng');
  writeCapture(file, sampleTraffic({ connections: 5, dnsQueries: 3, pings: 3 }), 'pcapng');
  const spoolDir = path.join(tmp, 'spools');
  fs.mkdirSync(spoolDir);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(path.join(__dirname, 'engine-worker.js'), { workerData: { port: port2, options: { spoolDir, configDir: path.join(tmp, 'worker-config'), eventIntervalMs: 0 } }, transferList: [port2] });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  try {
    const remote = overPort(port1);
    const theirs = await Promise.race([conversation(remote, file), failed]);
    const local = inProcess(new EngineService({ spoolDir: path.join(tmp), configDir: path.join(tmp, 'config'), eventIntervalMs: 0 }));
    const ours = await conversation(local, file);
    assert.deepStrictEqual(comparable(theirs), comparable(ours));
    const codes = theirs.filter((r) => r.type === 'error').map((r) => (r.type === 'error' ? r.error.code : ''));
    assert.deepEqual(codes, ['EFILTER', 'ERANGE', 'ENOSESSION', 'EBADMSG', 'ENOSESSION']);
    const kinds = new Set(remote.events.map((e) => e.event));
    assert.deepEqual([...kinds].sort(), ['framesAppended', 'opened', 'progress', 'sessionClosed']);
    assert.equal(fs.readdirSync(spoolDir).length, 1, 'the live session has its spool');
    // Closing the port closes the engine's sessions: the live spool goes, and the worker ends.
    port1.close();
    assert.equal(await Promise.race([exited, failed]), 0);
    assert.deepEqual(fs.readdirSync(spoolDir), []);
  } finally {
    await worker.terminate();
  }
});
