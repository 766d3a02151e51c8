/**
 * Live capture through the engine service with a fake capture helper (no root needed): the helper
 * is started once and reused, batches become frames, counters are polled, a second capture is
 * refused, and whatever ends a capture early (an interface vanishing, the helper dying) is told and
 * leaves a stopped session with its frames; start-up failures map to EPERM/ECANCELED/ENOHELPER.
 * The real helper on real traffic: tests/engine-service-capture.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { watchKey } from '../../../bpf/programs/watchlist';
import { HelperStartError, type HelperEvents, type LaunchRoute } from '../../helper/client';
import { epb, option, u32Value } from '../../pcap/craft';
import type { HelperMethod, HelperParams, HelperResult, InterfaceStatistics } from '../../rpc/helper-protocol';
import type { HelperConnection } from './capture';
import { EngineService, type EngineServiceOptions } from './service';
import { EngineTestClient } from './test-client';
import { sampleTraffic, writeCapture, type TrafficFrame } from './test-traffic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-capture-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FRAMES = sampleTraffic({ connections: 3, dnsQueries: 2, pings: 2 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Little-endian EPBs (interface 0, ns time stamps, epb_flags inbound), as the helper's pcapng batches carry them. */
function epbBatch(frames: readonly TrafficFrame[]): Uint8Array {
  return Buffer.concat(frames.map((f) => epb(true, 0, f.tsNs, f.data, f.data.length, [option(2, u32Value(true, 1))])));
}

const prefixId = (cidr: string): string => watchKey(cidr).key.toString('hex');

/** A capture helper in this process: answers as the real one does and sends what the test says. */
class FakeHelper implements HelperConnection {
  static nextPid = 90000;
  readonly pid = FakeHelper.nextPid++;
  readonly requests: Array<{ method: HelperMethod; params: unknown }> = [];
  running: string[] | null = null;
  closed = false;
  /** What `start` answers with instead of starting (a helper error). */
  refuseStart: { code: string; message: string } | null = null;
  /** Batches sent just before the answer to `stop` (what the rings still held). */
  drainOnStop: TrafficFrame[] = [];
  /** A batch sent before the answer to `start` (the engine keeps it for the session it is making). */
  sendOnStart: TrafficFrame[] = [];
  received = 0;
  /** The running program's watchlist as the helper keeps it: rule names by counter, prefixes with their rule. */
  watchNames: string[] | null = null;
  /** Prefix (by its kernel key, as the real helper: '10.0.0.1' is '10.0.0.1/32') → [its text, its rule]. */
  watchPrefixes = new Map<string, [string, string]>();
  /** The running program's stages (the traffic mix is reported when they have it). */
  stages: HelperParams<'start'>['spec']['stages'];
  /** What `setFilter` answers with instead of swapping (a helper error). */
  refuseSetFilter: { code: string; message: string } | null = null;

  constructor(readonly events: HelperEvents) {}

  private program(stages: HelperParams<'start'>['spec']['stages']): void {
    this.stages = stages;
    this.watchNames = stages?.watchlist ? stages.watchlist.rules.map((r) => r.name) : null;
    this.watchPrefixes = new Map(stages?.watchlist?.rules.flatMap((r) => r.prefixes.map((p) => [prefixId(p), [p, r.name]] as const)) ?? []);
  }

  send(frames: readonly TrafficFrame[]): void {
    this.events.onBatch({ interfaceIndex: 0, format: 'pcapng', packetCount: frames.length, records: epbBatch(frames) });
    this.received += frames.length;
  }

  statistics(): InterfaceStatistics[] {
    return (this.running ?? []).map((name) => ({
      name,
      received: this.received,
      dropped: 0,
      seenPackets: this.received * 2,
      seenBytes: 0,
      acceptedPackets: this.received,
      acceptedBytes: 0,
      ...(this.watchNames ? { rules: this.watchNames.map((rule, k) => ({ name: rule, packets: k + 1, bytes: 100 * (k + 1) })) } : {}),
      ...(this.stages?.trafficMix ? { mix: { ethertypes: [{ ethertype: 0x0800, packets: this.received * 2, bytes: 0 }], ipProtocols: [{ protocol: 17, packets: this.received * 2, bytes: 0 }] } } : {}),
    }));
  }

  async request<M extends HelperMethod>(method: M, params: HelperParams<M>): Promise<HelperResult<M>> {
    this.requests.push({ method, params });
    await sleep(1);
    if (this.closed) throw Object.assign(new Error('the helper connection is closed'), { code: 'ECONNRESET' });
    const fail = (code: string, message: string): never => {
      throw Object.assign(new Error(message), { code });
    };
    switch (method) {
      case 'start': {
        if (this.refuseStart) fail(this.refuseStart.code, this.refuseStart.message);
        if (this.running) fail('EBUSY', 'a capture is already running in this session');
        const spec = (params as unknown as HelperParams<'start'>).spec;
        this.running = spec.interfaces;
        this.received = 0;
        this.program(spec.stages);
        if (this.sendOnStart.length) this.send(this.sendOnStart.splice(0));
        return { interfaces: spec.interfaces.map((name) => ({ name, linkType: 1, snapLen: spec.snapLen })) } as HelperResult<M>;
      }
      case 'stop': {
        if (!this.running) fail('ENOTSTARTED', 'no capture is running');
        if (this.drainOnStop.length) this.send(this.drainOnStop.splice(0));
        const statistics = this.statistics();
        this.running = null;
        return { statistics } as HelperResult<M>;
      }
      case 'counters':
        if (!this.running) fail('ENOTSTARTED', 'no capture is running');
        return { statistics: this.statistics() } as HelperResult<M>;
      case 'setFilter': {
        if (!this.running) fail('ENOTSTARTED', 'no capture is running');
        if (this.refuseSetFilter) fail(this.refuseSetFilter.code, this.refuseSetFilter.message);
        const p = params as unknown as HelperParams<'setFilter'>;
        this.program(p.stages);
        return { filter: p.filter } as HelperResult<M>;
      }
      case 'watch': {
        if (!this.running) fail('ENOTSTARTED', 'no capture is running');
        if (!this.watchNames) fail('EINVAL', 'this capture has no watchlist');
        const p = params as unknown as HelperParams<'watch'>;
        for (const prefix of p.remove ?? []) this.watchPrefixes.delete(prefixId(prefix));
        for (const { rule, prefix } of p.add ?? []) {
          if (!this.watchNames!.includes(rule)) {
            if (this.watchNames!.length >= 64) fail('EINVAL', 'a watchlist has at most 64 rules');
            this.watchNames!.push(rule);
          }
          this.watchPrefixes.set(prefixId(prefix), [prefix, rule]);
        }
        const rules = this.watchNames!.map((name) => ({ name, prefixes: [...this.watchPrefixes.values()].filter(([, r]) => r === name).map(([p]) => p) }));
        return { rules } as HelperResult<M>;
      }
      default:
        return fail('EINVAL', `the fake helper does not do ${method}`);
    }
  }

  close(): void {
    this.closed = true;
  }

  exited(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** The helper process dies. */
  die(): void {
    this.closed = true;
    this.events.onLost(`the capture helper (pid ${this.pid}) was killed by SIGKILL`);
  }
}

class Client extends EngineTestClient {
  readonly helpers: FakeHelper[] = [];
  readonly routes: LaunchRoute[] = [];

  constructor(options: EngineServiceOptions & { starter?: (route: LaunchRoute, events: HelperEvents) => Promise<FakeHelper> } = {}) {
    const helpers: FakeHelper[] = [];
    const routes: LaunchRoute[] = [];
    super(
      new EngineService({
        spoolDir: tmp,
        configDir: path.join(tmp, 'config'),
        eventIntervalMs: 0,
        statisticsIntervalMs: 20,
        captureRoute: () => ({ kind: 'child', uid: 0, gid: 0 }),
        startHelper: async (route, events) => {
          routes.push(route);
          const helper = options.starter ? await options.starter(route, events) : new FakeHelper(events);
          helpers.push(helper);
          return helper;
        },
        ...options,
      }),
    );
    this.helpers = helpers;
    this.routes = routes;
  }

  get helper(): FakeHelper {
    return this.helpers[this.helpers.length - 1]!;
  }
}

test('capture: start, frames from batches, counters about every interval, stop with the final figures; the helper is reused', async () => {
  const c = new Client();
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: 'tcp or udp or icmp', preset: 'icmp', snapLen: 1500 });
  assert.equal(info.kind, 'live');
  assert.equal(info.state, 'capturing');
  assert.deepEqual(info.capture, { interfaces: ['lo'], filter: 'tcp or udp or icmp', preset: 'icmp', snapLen: 1500, statistics: [], error: null });
  assert.deepEqual(info.interfaces.map((i) => [i.name, i.linkType]), [['lo', 1]]);
  const opened = c.eventsOf('opened', info.session);
  assert.equal(opened.length, 1);
  assert.equal(opened[0]!.request, 1, 'the opened event names the startCapture request');
  assert.equal(c.helpers.length, 1);
  const start = c.helper.requests.find((r) => r.method === 'start')!.params as HelperParams<'start'>;
  assert.deepEqual({ ...start.spec, bufferBytes: 0 }, { interfaces: ['lo'], filter: 'tcp or udp or icmp', snapLen: 1500, promiscuous: true, bufferBytes: 0, recordFormat: 'pcapng' });

  c.helper.send(FRAMES.slice(0, 10));
  c.helper.send(FRAMES.slice(10, 20));
  await c.until('counters', () => c.eventsOf('captureStatistics', info.session).some((e) => e.statistics[0]!.received === 20));
  const during = await c.call('sessionInfo', { session: info.session });
  assert.equal(during.frames, 20);
  assert.deepEqual(during.capture!.statistics, [{ interface: 'lo', received: 20, dropped: 0, seenPackets: 40, acceptedPackets: 20 }]);
  const rows = await c.call('rows', { session: info.session, start: 0, count: 20 });
  assert.deepEqual(rows.rows.map((r) => r.time), FRAMES.slice(0, 20).map((f) => f.tsNs.toString()));

  await c.fails('EBUSY', 'startCapture', { interfaces: ['lo'], filter: '' }, /already running \(session \d+, on lo\).*stop it first/);

  // What the rings still held when stop came is in the session before stopCapture answers.
  c.helper.drainOnStop = FRAMES.slice(20, 25);
  const stopped = await c.call('stopCapture', { session: info.session });
  assert.deepEqual(stopped, { session: info.session, statistics: [{ interface: 'lo', received: 25, dropped: 0, seenPackets: 50, acceptedPackets: 25 }] });
  const ended = c.eventsOf('captureEnded', info.session);
  assert.deepEqual(ended.map((e) => e.frames), [25]);
  const last = c.eventsOf('captureStatistics', info.session).at(-1)!;
  assert.equal(last.statistics[0]!.received, 25, 'the final counters are told');
  const polls = c.helper.requests.filter((r) => r.method === 'counters').length;
  await sleep(80);
  assert.equal(c.helper.requests.filter((r) => r.method === 'counters').length, polls, 'no polling after the stop');
  const afterStop = await c.call('sessionInfo', { session: info.session });
  assert.equal(afterStop.state, 'stopped');
  assert.equal(afterStop.frames, 25);
  await c.fails('ENOTLIVE', 'stopCapture', { session: info.session }, /already ended/);

  const second = await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  assert.notEqual(second.session, info.session);
  assert.equal(c.helpers.length, 1, 'the same helper captures again');
  assert.equal(second.capture!.snapLen, 262144);
  await c.call('stopCapture', { session: second.session });
  await c.service.shutdown();
  assert.equal(c.helper.closed, true, 'shutting the engine down lets the helper go');
});

test('capture: a preset’s kernel stages go to the helper with the filter and into the session’s info', async () => {
  const c = new Client({ captureExclusion: () => 'tcp port 22' });
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: 'tcp', preset: 'http', stages: { httpSessions: true } });
  const start = c.helper.requests.find((r) => r.method === 'start')!.params as HelperParams<'start'>;
  assert.equal(start.spec.filter, '(tcp) and not (tcp port 22)', 'the stages run after the filter, exclusion included');
  assert.deepEqual(start.spec.stages, { httpSessions: true });
  assert.deepEqual(info.capture, { interfaces: ['lo'], filter: 'tcp', preset: 'http', stages: { httpSessions: true }, snapLen: 262144, statistics: [], error: null });
  assert.deepEqual((await c.call('sessionInfo', { session: info.session })).capture!.stages, { httpSessions: true });
  await c.call('stopCapture', { session: info.session });
  // Without stages the spec has none (not an empty object).
  await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  const second = c.helper.requests.filter((r) => r.method === 'start')[1]!.params as HelperParams<'start'>;
  assert.equal('stages' in second.spec, false);
  c.service.close();
});

test('capture: an interface that vanishes ends the capture with captureError; the frames stay', async () => {
  const c = new Client();
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  c.helper.send(FRAMES.slice(0, 7));
  c.helper.drainOnStop = FRAMES.slice(7, 9);
  c.helper.events.onCaptureError('lo', { code: 'ENODEV', message: 'The interface disappeared' });
  await c.until('the end', () => c.eventsOf('captureEnded', info.session).length === 1);
  const [error] = c.eventsOf('captureError', info.session);
  assert.equal(error!.interface, 'lo');
  assert.equal(error!.error.code, 'ENODEV');
  assert.match(error!.error.message, /^lo: The interface disappeared; the capture stopped, frames captured before stay$/);
  const after = await c.call('sessionInfo', { session: info.session });
  assert.equal(after.state, 'stopped');
  assert.equal(after.frames, 9, 'the frames the rings still held are kept too');
  assert.deepEqual(after.capture!.error, error!.error);
  assert.equal(c.events.indexOf(error!) < c.events.indexOf(c.eventsOf('captureEnded', info.session)[0]!), true, 'captureError, then captureEnded');
  await c.fails('ENOTLIVE', 'stopCapture', { session: info.session });
  // The helper stays for the next capture.
  await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  assert.equal(c.helpers.length, 1);
  c.service.close();
});

test('capture: the helper dying ends the capture (ENOHELPER); the next capture starts a new helper', async () => {
  const c = new Client();
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  c.helper.send(FRAMES.slice(0, 5));
  const first = c.helper;
  first.die();
  await c.until('the end', () => c.eventsOf('captureEnded', info.session).length === 1);
  const [error] = c.eventsOf('captureError', info.session);
  assert.equal(error!.interface, null);
  assert.equal(error!.error.code, 'ENOHELPER');
  assert.match(error!.error.message, new RegExp(`pid ${first.pid}\\) was killed by SIGKILL; the capture ended early`));
  const after = await c.call('sessionInfo', { session: info.session });
  assert.equal(after.state, 'stopped');
  assert.equal(after.frames, 5);
  const rows = await c.call('rows', { session: info.session, start: 0, count: 5 });
  assert.equal(rows.rows.length, 5, 'the frames can still be read');

  const next = await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  assert.equal(c.helpers.length, 2, 'a new helper');
  assert.notEqual(c.helper, first);
  c.helper.send(FRAMES.slice(0, 3));
  const stopped = await c.call('stopCapture', { session: next.session });
  assert.equal(stopped.statistics[0]!.received, 3);
  c.service.close();
});

test('capture: closing a capturing session stops the capture; its late batches go nowhere', async () => {
  const c = new Client();
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  c.helper.send(FRAMES.slice(0, 4));
  await c.call('closeSession', { session: info.session });
  await c.until('stop', () => c.helper.requests.some((r) => r.method === 'stop'));
  c.helper.send(FRAMES.slice(4, 6));
  const next = await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  c.helper.send(FRAMES.slice(6, 8));
  const info2 = await c.call('sessionInfo', { session: next.session });
  assert.equal(info2.frames, 2, 'only the new capture frames');
  assert.equal(c.helpers.length, 1);
  c.service.close();
});

test('capture: checked before the helper starts (ENODEV, ECAPFILTER); helper refusals keep their meaning', async () => {
  const c = new Client();
  await c.fails('ENODEV', 'startCapture', { interfaces: ['nosuch0'], filter: '' }, /there is no network interface 'nosuch0' \(this machine has .*lo/);
  await c.fails('ECAPFILTER', 'startCapture', { interfaces: ['lo'], filter: 'tcp port' }, /invalid filter expression 'tcp port': /);
  await c.fails('EBADMSG', 'startCapture', { interfaces: ['lo', 'lo'], filter: '' }, /named twice/);
  assert.equal(c.helpers.length, 0, 'no helper was started for a typo');
  const pid = await c.service.startHelperNow();
  assert.equal(pid, c.helper.pid);
  for (const [code, expected] of [['ENODEV', 'ENODEV'], ['EFILTER', 'ECAPFILTER'], ['EPERM', 'EPERM'], ['ENOTSUP', 'ENOTSUP']] as const) {
    c.helper.refuseStart = { code, message: `lo: refused (${code})` };
    await c.fails(expected, 'startCapture', { interfaces: ['lo'], filter: '' }, new RegExp(`refused \\(${code}\\)`));
  }
  c.helper.refuseStart = null;
  c.helper.sendOnStart = FRAMES.slice(0, 2);
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  assert.equal(c.helpers.length, 1, 'startHelperNow started the helper the captures use');
  assert.equal((await c.call('sessionInfo', { session: info.session })).frames, 2, 'a batch that came before the answer to start is kept');
  c.service.close();
});

test('capture: failing to start the helper answers EPERM, ECANCELED or ENOHELPER with its sentence', async () => {
  const noPrivilege = new Client({
    captureRoute: () => {
      throw new HelperStartError('capturing needs CAP_NET_RAW and CAP_BPF, which this process does not have. Either run it as root', 'EPERM');
    },
  });
  await noPrivilege.fails('EPERM', 'startCapture', { interfaces: ['lo'], filter: '' }, /needs CAP_NET_RAW and CAP_BPF/);
  for (const [code, expected] of [['ECANCELED', 'ECANCELED'], ['EACCES', 'EPERM'], ['EHELPER', 'ENOHELPER'], ['ETIMEDOUT', 'ENOHELPER']] as const) {
    const c = new Client({ starter: () => Promise.reject(new HelperStartError(`starting failed (${code})`, code)) });
    await c.fails(expected, 'startCapture', { interfaces: ['lo'], filter: '' }, new RegExp(`starting failed \\(${code}\\)`));
    // The next capture tries again.
    await c.fails(expected, 'startCapture', { interfaces: ['lo'], filter: '' });
  }
  // A capture cancelled while the helper starts (a password dialog open) answers ECANCELED.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = new Client({ starter: async (_route, events) => (await gate, new FakeHelper(events)) });
  const id = slow.upcomingId;
  const pending = slow.send({ method: 'startCapture', interfaces: ['lo'], filter: '' });
  await sleep(5);
  await slow.call('cancel', { request: id });
  const reply = await pending;
  assert.equal(reply.type === 'error' && reply.error.code, 'ECANCELED');
  release();
  await sleep(5);
  // The helper that came up meanwhile is kept for the next capture.
  await slow.call('startCapture', { interfaces: ['lo'], filter: '' });
  assert.equal(slow.helpers.length, 1);
  slow.service.close();
});

test('capture: stopCapture on an opened file, a host-fed live session or an unknown session', async () => {
  const c = new Client();
  await c.fails('ENOSESSION', 'stopCapture', { session: 99 });
  const file = path.join(tmp, 'opened.pcap');
  writeCapture(file, FRAMES);
  const opened = await c.call('openFile', { path: file });
  await c.fails('ENOTLIVE', 'stopCapture', { session: opened.session }, /opened file/);
  const live = c.service.openLive([{ linkType: 1, name: 'replay' }]);
  await c.fails('ENOTLIVE', 'stopCapture', { session: live }, /fed by the engine’s host/);
  assert.equal(c.helpers.length, 0);
  c.service.close();
});

test('capture: a spool that cannot be made fails the start and stops the helper capturing', async () => {
  const c = new Client({ spoolDir: path.join(tmp, 'no-such-folder') });
  const reply = await c.send({ method: 'startCapture', interfaces: ['lo'], filter: '' });
  assert.equal(reply.type === 'error' && reply.error.code, 'ENOENT');
  await c.until('stop', () => c.helper.running === null);
  assert.deepEqual(c.helper.requests.map((r) => r.method), ['start', 'stop']);
  c.service.close();
});

test('capture: a watchlist’s counters and the traffic mix reach captureStatistics and the session’s info', async () => {
  const c = new Client();
  const stages = { trafficMix: true, watchlist: { rules: [{ name: 'lab', prefixes: ['10.1.0.0/16'] }, { name: 'dns', prefixes: ['10.0.0.53'] }] } };
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: '', stages });
  c.helper.send(FRAMES.slice(0, 3));
  await c.until('counters', () => c.eventsOf('captureStatistics', info.session).some((e) => e.statistics[0]!.received === 3));
  const last = c.eventsOf('captureStatistics', info.session).at(-1)!.statistics[0]!;
  assert.deepEqual(last.rules, [{ name: 'lab', packets: 1, bytes: 100 }, { name: 'dns', packets: 2, bytes: 200 }]);
  assert.deepEqual(last.mix, { ethertypes: [{ ethertype: 0x0800, packets: 6, bytes: 0 }], ipProtocols: [{ protocol: 17, packets: 6, bytes: 0 }] });
  const stopped = await c.call('stopCapture', { session: info.session });
  assert.deepEqual(stopped.statistics[0]!.rules, last.rules, 'and in the final figures');
  // Without those stages, neither field is there.
  const plain = await c.call('startCapture', { interfaces: ['lo'], filter: '' });
  c.helper.send(FRAMES.slice(0, 1));
  await c.until('counters', () => c.eventsOf('captureStatistics', plain.session).some((e) => e.statistics[0]!.received === 1));
  const figures = c.eventsOf('captureStatistics', plain.session).at(-1)!.statistics[0]!;
  assert.equal('rules' in figures || 'mix' in figures, false);
  c.service.close();
});

test('capture: watch adds, moves and removes prefixes in place (one helper request each way), and refuses a bad prefix before the helper hears of it', async () => {
  const c = new Client();
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: 'ip', preset: 'lab', stages: { watchlist: { rules: [{ name: 'lab', prefixes: ['10.1.0.0/16'] }] } } });
  const watches = (): unknown[] => c.helper.requests.filter((r) => r.method === 'watch' || r.method === 'setFilter').map((r) => ({ [r.method]: r.params }));

  let result = await c.call('watch', { session: info.session, rules: [{ name: 'lab', prefixes: ['10.1.0.0/16', '10.2.0.1'] }, { name: 'dns', prefixes: ['10.0.0.53/32'] }] });
  assert.deepEqual(result, { session: info.session, rules: [{ name: 'lab', prefixes: ['10.1.0.0/16', '10.2.0.1'] }, { name: 'dns', prefixes: ['10.0.0.53/32'] }] });
  assert.deepEqual(watches(), [{ watch: { add: [{ rule: 'lab', prefix: '10.2.0.1' }, { rule: 'dns', prefix: '10.0.0.53/32' }] } }], 'only what changed; no program swap');

  // 10.2.0.1 moves to dns (written another way: the same prefix), 10.1.0.0/16 goes, a rule with no prefix yet is kept.
  result = await c.call('watch', { session: info.session, rules: [{ name: 'lab', prefixes: [] }, { name: 'dns', prefixes: ['10.0.0.53', '10.2.0.1/32'] }, { name: 'later', prefixes: [] }] });
  assert.deepEqual(watches().slice(1), [{ watch: { remove: ['10.1.0.0/16'] } }, { watch: { add: [{ rule: 'dns', prefix: '10.2.0.1/32' }] } }]);
  assert.deepEqual([...c.helper.watchPrefixes.values()].sort(), [['10.0.0.53/32', 'dns'], ['10.2.0.1/32', 'dns']]);
  const during = await c.call('sessionInfo', { session: info.session });
  assert.deepEqual(during.capture!.stages, { watchlist: { rules: [{ name: 'lab', prefixes: [] }, { name: 'dns', prefixes: ['10.0.0.53', '10.2.0.1/32'] }, { name: 'later', prefixes: [] }] } });
  assert.equal(during.capture!.preset, 'lab', 'an edit in place keeps the preset’s name');

  const asked = c.helper.requests.length;
  await c.fails('EWATCHLIST', 'watch', { session: info.session, rules: [{ name: 'lab', prefixes: ['10.0.0.300'] }] }, /^rule “lab”: '10\.0\.0\.300': an IPv4 address has four numbers from 0 to 255$/);
  await c.fails('EWATCHLIST', 'watch', { session: info.session, rules: [{ name: 'lab', prefixes: ['10.0.0.0/4'] }] }, /bits set past \/4/);
  await c.fails('EWATCHLIST', 'watch', { session: info.session, rules: [{ name: 'a', prefixes: ['10.9.0.0/16'] }, { name: 'b', prefixes: ['10.9.0.0/16'] }] }, /10\.9\.0\.0\/16 is in two rules, “a” and “b”/);
  await c.fails('EBADMSG', 'watch', { session: info.session, rules: Array.from({ length: 65 }, (_, k) => ({ name: `r${k}`, prefixes: [] })) }, /at most 64 rules/);
  assert.equal(c.helper.requests.length, asked, 'nothing reached the helper');
  assert.deepEqual((await c.call('sessionInfo', { session: info.session })).capture!.stages, during.capture!.stages, 'the watchlist is as it was');

  // 64 counters in all: rules emptied keep theirs until the program is replaced.
  const many = Array.from({ length: 62 }, (_, k) => ({ name: `r${k}`, prefixes: [`10.100.${k}.0/24`] }));
  await c.call('watch', { session: info.session, rules: [{ name: 'lab', prefixes: [] }, { name: 'dns', prefixes: ['10.0.0.53'] }, ...many] });
  assert.equal(c.helper.watchNames!.length, 64);
  await c.fails('EWATCHLIST', 'watch', { session: info.session, rules: [{ name: 'dns', prefixes: ['10.0.0.53'] }, { name: 'new', prefixes: ['10.200.0.0/16'] }] }, /at most 64 rule counters, and this capture would need 65/);
  // A swap gives a new program, whose watchlist counts afresh.
  await c.call('setCaptureFilter', { session: info.session, filter: 'ip', stages: { watchlist: { rules: [{ name: 'dns', prefixes: ['10.0.0.53'] }] } } });
  await c.call('watch', { session: info.session, rules: [{ name: 'dns', prefixes: ['10.0.0.53'] }, { name: 'new', prefixes: ['10.200.0.0/16'] }] });
  assert.deepEqual(c.helper.watchNames, ['dns', 'new']);

  await c.call('stopCapture', { session: info.session });
  await c.fails('ENOTLIVE', 'watch', { session: info.session, rules: [] }, /already ended/);
  c.service.close();
});

test('capture: watch on a capture without a watchlist swaps the program in with one, and no rules swaps it out', async () => {
  const c = new Client({ captureExclusion: () => 'tcp port 22' });
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: 'udp', preset: 'mine', stages: { trafficMix: true } });
  // No rules on a capture without a watchlist: nothing to do.
  assert.deepEqual(await c.call('watch', { session: info.session, rules: [] }), { session: info.session, rules: [] });
  assert.equal(c.helper.requests.some((r) => r.method === 'setFilter'), false);

  await c.call('watch', { session: info.session, rules: [{ name: 'lab', prefixes: ['fd00::/8'] }] });
  const swap = c.helper.requests.filter((r) => r.method === 'setFilter').map((r) => r.params);
  assert.deepEqual(swap, [{ filter: '(udp) and not (tcp port 22)', stages: { trafficMix: true, watchlist: { rules: [{ name: 'lab', prefixes: ['fd00::/8'] }] } } }]);
  let capture = (await c.call('sessionInfo', { session: info.session })).capture!;
  assert.deepEqual(capture.stages, { trafficMix: true, watchlist: { rules: [{ name: 'lab', prefixes: ['fd00::/8'] }] } });
  assert.equal(capture.preset, null, 'the preset no longer describes the capture');

  await c.call('watch', { session: info.session, rules: [] });
  assert.deepEqual(c.helper.requests.filter((r) => r.method === 'setFilter').at(-1)!.params, { filter: '(udp) and not (tcp port 22)', stages: { trafficMix: true } });
  capture = (await c.call('sessionInfo', { session: info.session })).capture!;
  assert.deepEqual(capture.stages, { trafficMix: true });
  c.service.close();
});

test('capture: setCaptureFilter checks the filter with libpcap, then swaps the program; the session shows the new settings', async () => {
  const c = new Client({ captureExclusion: () => 'tcp port 22' });
  const info = await c.call('startCapture', { interfaces: ['lo'], filter: 'udp port 5000', preset: 'five', stages: { trafficMix: true } });
  await c.fails('ECAPFILTER', 'setCaptureFilter', { session: info.session, filter: 'udp port' }, /invalid filter expression 'udp port'/);
  await c.fails('EWATCHLIST', 'setCaptureFilter', { session: info.session, filter: '', stages: { watchlist: { rules: [{ name: 'x', prefixes: ['nonsense'] }] } } }, /rule “x”: 'nonsense' is not an IPv4 or IPv6 address/);
  assert.equal(c.helper.requests.some((r) => r.method === 'setFilter'), false, 'a bad filter never reaches the helper');

  const result = await c.call('setCaptureFilter', { session: info.session, filter: 'udp port 6000', preset: 'six', stages: { trafficMix: true, httpSessions: false } });
  assert.deepEqual(result, { session: info.session, filter: 'udp port 6000', preset: 'six', stages: { trafficMix: true, httpSessions: false } });
  assert.deepEqual(c.helper.requests.filter((r) => r.method === 'setFilter').map((r) => r.params), [{ filter: '(udp port 6000) and not (tcp port 22)', stages: { trafficMix: true, httpSessions: false } }]);
  const capture = (await c.call('sessionInfo', { session: info.session })).capture!;
  assert.deepEqual([capture.filter, capture.preset, capture.stages], ['udp port 6000', 'six', { trafficMix: true, httpSessions: false }]);

  // Without stages, or with none on: the filter alone.
  const alone = await c.call('setCaptureFilter', { session: info.session, filter: '', stages: { httpSessions: false } });
  assert.deepEqual(alone, { session: info.session, filter: '', preset: null });
  assert.deepEqual(c.helper.requests.filter((r) => r.method === 'setFilter').at(-1)!.params, { filter: 'not (tcp port 22)' });

  // The helper refusing (the kernel's verifier, say): its code, and the settings stay.
  c.helper.refuseSetFilter = { code: 'EFILTER', message: 'the kernel refused the program' };
  await c.fails('ECAPFILTER', 'setCaptureFilter', { session: info.session, filter: 'tcp' }, /kernel refused/);
  assert.equal((await c.call('sessionInfo', { session: info.session })).capture!.filter, '');

  await c.call('stopCapture', { session: info.session });
  await c.fails('ENOTLIVE', 'setCaptureFilter', { session: info.session, filter: 'tcp' });
  const file = path.join(tmp, 'not-live.pcap');
  writeCapture(file, FRAMES);
  const opened = await c.call('openFile', { path: file });
  await c.fails('ENOTLIVE', 'setCaptureFilter', { session: opened.session, filter: 'tcp' }, /opened file/);
  c.service.close();
});
