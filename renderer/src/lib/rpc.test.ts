// @vitest-environment node
/**
 * The renderer's engine client (rpc.ts) against the real engine: an EngineService in this process
 * on the far side of a MessageChannel (as Electron's utilityProcess port), on captures written by
 * the engine's own test-traffic helper. Then the window state (AppState, PacketListState) paging,
 * filtering and sorting through it.
 *
 * The engine is loaded by path at run time (vitest compiles its TypeScript) so that svelte-check,
 * which types the renderer with DOM types only, does not type the Node engine.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { EngineClient, RpcError, messagePortTransport, type EventOf, type ProgressEvent } from './rpc';
import { AppState } from './app.svelte';
import { maxScrollTop } from './viewport';

/** What the tests use of the engine's host side (a live capture's frames come from the host). */
interface HostedService {
  close(): void;
  openLive(interfaces: { linkType: number; name?: string }[]): number;
  appendPacket(session: number, packet: { interfaceId: number; tsNs: bigint; data: Uint8Array }): number;
  endCapture(session: number): void;
}
interface EngineModule {
  EngineService: new (options?: { spoolDir?: string; configDir?: string; sliceMs?: number; eventIntervalMs?: number }) => HostedService;
  connectEngine(service: unknown, send: (message: unknown) => void): { receive(message: unknown): void; detach(): void };
}
interface TrafficModule {
  sampleTraffic(options: { connections: number; dnsQueries?: number; pings?: number }): { tsNs: bigint; data: Uint8Array }[];
  writeCapture(file: string, frames: unknown[], format?: 'pcap' | 'pcapng'): void;
}
interface NodeFs {
  mkdtempSync(prefix: string): string;
  rmSync(path: string, options: { recursive: boolean; force: boolean }): void;
  writeFileSync(path: string, data: string): void;
}

const load = <T>(specifier: string): Promise<T> => import(/* @vite-ignore */ specifier) as Promise<T>;
const root = new URL('../../../', import.meta.url).pathname;

let engineModule: EngineModule;
let fs: NodeFs;
let dir = '';
let small = '';
let large = '';
let huge = '';
let notCapture = '';
const services: HostedService[] = [];
let traffic: TrafficModule;

/** A client connected to a fresh engine through a MessageChannel. */
function connect(): EngineClient {
  const service = new engineModule.EngineService({ spoolDir: dir, configDir: `${dir}/config`, eventIntervalMs: 20, sliceMs: 2 });
  services.push(service);
  const channel = new MessageChannel();
  const engineSide = channel.port2;
  const connection = engineModule.connectEngine(service, (m) => engineSide.postMessage(m));
  engineSide.onmessage = (e) => connection.receive(e.data);
  return new EngineClient(messagePortTransport(channel.port1));
}

beforeAll(async () => {
  engineModule = await load<EngineModule>(`${root}app/engine/service/index.ts`);
  traffic = await load<TrafficModule>(`${root}app/engine/service/test-traffic.ts`);
  fs = await load<NodeFs>('node:fs');
  const os = await load<{ tmpdir(): string }>('node:os');
  dir = fs.mkdtempSync(`${os.tmpdir()}/sievecap-renderer-rpc-`);
  small = `${dir}/small.pcapng`;
  large = `${dir}/large.pcap`;
  huge = `${dir}/huge.pcap`;
  notCapture = `${dir}/notes.txt`;
  // 20 HTTP exchanges (200 frames), 10 DNS pairs, 5 ping pairs: 230 frames.
  traffic.writeCapture(small, traffic.sampleTraffic({ connections: 20, dnsQueries: 10, pings: 5 }), 'pcapng');
  traffic.writeCapture(large, traffic.sampleTraffic({ connections: 4000 }), 'pcap');
  traffic.writeCapture(huge, traffic.sampleTraffic({ connections: 20_000 }), 'pcap');
  fs.writeFileSync(notCapture, 'this is not a capture file\n'.repeat(10));
});

afterAll(() => {
  for (const s of services) s.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('EngineClient over a MessagePort to a real EngineService', () => {
  test('opens a file with progress and events, pages rows, reads a packet', async () => {
    const engine = connect();
    const opened: EventOf<'opened'>[] = [];
    engine.on('opened', (e) => opened.push(e));
    const info = await engine.call('openFile', { path: small });
    expect(info.frames).toBe(230);
    expect(info.state).toBe('loaded');
    expect(opened.map((e) => e.session)).toEqual([info.session]);

    // A file that takes more than a slice to index tells its progress, to this request only.
    const progress: ProgressEvent[] = [];
    const appended: EventOf<'framesAppended'>[] = [];
    engine.on('framesAppended', (e) => appended.push(e));
    const big = await engine.call('openFile', { path: large }, { onProgress: (p) => progress.push(p) });
    expect(big.frames).toBe(40_000);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.task === 'load' && p.session === big.session && p.done <= p.total)).toBe(true);
    expect(appended.filter((e) => e.session === big.session).at(-1)?.frames).toBe(40_000);

    const page = await engine.call('rows', { session: info.session, start: 0, count: 12 });
    expect(page.total).toBe(230);
    expect(page.rows.map((r) => r.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(page.rows[0]!.info).toMatch(/\[SYN\]/);
    expect(page.rows.some((r) => r.protocol === 'HTTP')).toBe(true);

    const packet = await engine.call('packet', { session: info.session, number: 4 });
    expect(packet.number).toBe(4);
    expect(packet.layers.map((l) => l.protocol)).toContain('tcp');
    expect(atob(packet.bytes).length).toBe(packet.capturedLength);
    engine.close();
  });

  test('display filters: checkFilter, createView, rows of a view, sorted rows', async () => {
    const engine = connect();
    const info = await engine.call('openFile', { path: small });
    await expect(engine.call('checkFilter', { filter: 'tcp.port == 80' })).resolves.toMatchObject({ fields: expect.arrayContaining(['tcp.port']) });
    const bad = await engine.call('checkFilter', { filter: 'tcp.port ==' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(RpcError);
    expect((bad as RpcError).code).toBe('EFILTER');

    const view = await engine.call('createView', { session: info.session, filter: 'dns' });
    expect(view.matches).toBe(20);
    const rows = await engine.call('rows', { session: info.session, view: view.view, start: 0, count: 100 });
    expect(rows.total).toBe(20);
    expect(rows.rows.every((r) => r.protocol === 'DNS')).toBe(true);

    const sorted = await engine.call('rows', { session: info.session, start: 0, count: 230, sort: { column: 'length', descending: true } });
    const lengths = sorted.rows.map((r) => r.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    engine.close();
  });

  test('errors arrive as RpcError with the engine’s code; a failing listener harms no other', async () => {
    const engine = connect();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen: number[] = [];
    engine.on('opened', () => {
      throw new Error('a listener with a bug');
    });
    engine.on('opened', (e) => seen.push(e.session));
    const ok = await engine.call('openFile', { path: small });
    expect(seen).toEqual([ok.session]);
    expect(logged).toHaveBeenCalledWith('an engine event listener failed:', expect.any(Error));
    const missing = await engine.call('openFile', { path: `${dir}/nope.pcap` }).catch((e: unknown) => e);
    expect((missing as RpcError).code).toBe('ENOENT');
    const format = await engine.call('openFile', { path: notCapture }).catch((e: unknown) => e);
    expect((format as RpcError).code).toBe('EFORMAT');
    const session = await engine.call('sessionInfo', { session: 999 }).catch((e: unknown) => e);
    expect((session as RpcError).code).toBe('ENOSESSION');
    logged.mockRestore();
    engine.close();
  });

  test('an AbortSignal cancels a running request (ECANCELED)', async () => {
    const engine = connect();
    const abort = new AbortController();
    let aborted = false;
    const result = await engine
      .call('openFile', { path: large }, {
        signal: abort.signal,
        onProgress: () => {
          if (!aborted) {
            aborted = true;
            abort.abort();
          }
        },
      })
      .catch((e: unknown) => e);
    expect(aborted).toBe(true);
    expect(result).toBeInstanceOf(RpcError);
    expect((result as RpcError).code).toBe('ECANCELED');
    // An already aborted signal never sends the request.
    await expect(engine.call('listSessions', {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ECANCELED' });
    engine.close();
  });

  test('closing the connection fails what is pending and what comes after', async () => {
    const engine = connect();
    const pending = engine.call('openFile', { path: large });
    let reason = '';
    engine.onClose((r) => (reason = r));
    engine.close();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(engine.call('listSessions', {})).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(engine.connected).toBe(false);
    expect(reason).toMatch(/closed/);
  });
});

describe('the window state over the real engine', () => {
  test('AppState opens a file, the packet list pages it, a filter and a sort re-page it', async () => {
    const engine = connect();
    const app = new AppState(null);
    await app.connect(async () => engine);
    expect(app.connection).toBe('connected');
    expect(await app.openFile(small)).toBe(true);
    expect(app.frames).toBe(230);
    expect(app.list.total).toBe(230);

    app.list.resize(22 * 20);
    await app.list.load();
    const drawn = app.list.drawn;
    expect(drawn.length).toBeGreaterThanOrEqual(20);
    expect(drawn.slice(0, 20).map((d) => d.row?.number)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));

    // Keyboard: End selects the last row and scrolls to it.
    app.list.navigate('End');
    await app.list.load();
    expect(app.list.selectedIndex).toBe(229);
    expect(app.list.selectedNumber).toBe(230);
    await app.loadDetail(app.list.selectedNumber);
    expect(app.detail?.number).toBe(230);

    // Select the fourth ICMP frame: it stays selected (fourth of the view) through a filter.
    const icmp = (await engine.call('rows', { session: app.session!.session, start: 0, count: 230 })).rows.filter((r) => r.protocol === 'ICMP')[3]!.number;
    expect(await app.goToPacket(icmp)).toBe(true);
    expect(await app.checkFilter('icmp')).toBeNull();
    expect(await app.checkFilter('icmp ==')).toMatch(/./);
    expect(await app.applyFilter('icmp')).toBe(true);
    expect(app.appliedFilter).toBe('icmp');
    expect(app.displayed).toBe(10);
    await app.list.load();
    expect(app.list.drawn.map((d) => d.row?.protocol)).toEqual(Array(10).fill('ICMP'));
    // The selection is looked up in the view's rows: wait for it, however busy the machine.
    await expect.poll(() => app.list.selectedIndex).toBe(3);
    expect(app.list.selectedNumber).toBe(icmp);
    expect(await app.goToPacket(3)).toBe(false);

    app.list.setSort({ column: 'number', descending: true });
    await app.list.load();
    const numbers = app.list.drawn.map((d) => d.row!.number);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));

    expect(await app.applyFilter('frame.len >')).toBe(false);
    expect(app.banners.at(-1)?.title).toBe('The display filter is not valid');
    expect(app.appliedFilter).toBe('icmp');

    expect(await app.applyFilter('')).toBe(true);
    expect(app.view).toBeNull();
    expect(app.list.total).toBe(230);
    app.list.setSort(null);
    expect(await app.goToPacket(123)).toBe(true);
    expect(app.list.selectedIndex).toBe(122);

    expect(await app.openFile(notCapture)).toBe(false);
    expect(app.banners.at(-1)?.title).toBe('Not a capture file Sievecap can read');
    // A file that cannot be opened loses nothing: the capture shown stays.
    expect(app.session?.path).toBe(small);
    expect(app.list.total).toBe(230);
    // An open cancelled half-way (its rows were already showing) gives the window its capture back.
    const cancelling = app.openFile(huge);
    await expect.poll(() => app.session?.path, { interval: 2 }).toBe(huge);
    app.tasks[0]!.cancel!();
    expect(await cancelling).toBe(false);
    expect(app.session?.path).toBe(small);
    expect(app.list.total).toBe(230);
    expect(app.banners.at(-1)?.title).toBe('Not a capture file Sievecap can read');

    const first = app.session!.session;
    expect(await app.openFile(large)).toBe(true);
    expect(app.frames).toBe(40_000);
    // The file shown before is closed once the new one is open.
    await new Promise((r) => setTimeout(r, 50));
    const { sessions } = await engine.call('listSessions', {});
    expect(sessions.map((x) => x.session)).not.toContain(first);
    engine.close();
  });

  test('a live capture: the list follows appended frames until scrolled away; the capture ends', async () => {
    const engine = connect();
    const service = services.at(-1)!;
    const app = new AppState(null);
    await app.connect(async () => engine);
    // The engine's host opens a live session (as the capture helper's batches would fill it): the window shows it.
    const id = service.openLive([{ linkType: 1, name: 'test0' }]);
    await expect.poll(() => app.session?.session).toBe(id);
    expect(app.capturing).toBe(true);
    expect(app.documentState).toEqual({ title: 'Capturing from test0', unsaved: false, capturing: true, time: { format: 'r', precision: null, hms: false }, names: { mac: false, network: false, transport: false } });
    app.list.resize(22 * 10);
    const frames = traffic.sampleTraffic({ connections: 40 });
    for (const f of frames.slice(0, 300)) service.appendPacket(id, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
    await expect.poll(() => app.frames).toBe(300);
    expect(app.list.total).toBe(300);
    expect(app.list.follow).toBe(true);
    // A followed list moves to the new last row once that row's page has arrived (until then it
    // shows the last rows it has: on a loaded machine the 300 frames come in several steps).
    await expect.poll(() => app.list.drawn.at(-1)?.row?.number).toBe(300);
    expect(app.list.scrollTop).toBe(maxScrollTop(app.list.viewport));
    expect(app.unsaved).toBe(true);

    // Scrolled away: new frames arrive, the view stays where the user put it.
    app.list.onScroll(0);
    for (const f of frames.slice(300, 350)) service.appendPacket(id, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
    await expect.poll(() => app.list.total).toBe(350);
    expect(app.list.scrollTop).toBe(0);
    expect(app.list.follow).toBe(false);
    // Back at the bottom: following again.
    app.list.onScroll(maxScrollTop(app.list.viewport));
    for (const f of frames.slice(350)) service.appendPacket(id, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
    await expect.poll(() => app.list.total).toBe(400);
    await expect.poll(() => app.list.drawn.at(-1)?.row?.number).toBe(400);
    expect(app.list.scrollTop).toBe(maxScrollTop(app.list.viewport));

    // A filter on a live capture follows its matches too.
    expect(await app.applyFilter('tcp.flags.syn == 1 && tcp.flags.ack == 0')).toBe(true);
    expect(app.displayed).toBe(40);

    service.endCapture(id);
    await expect.poll(() => app.session?.state).toBe('stopped');
    expect(app.capturing).toBe(false);
    expect(app.documentState.title).toBe('Capture on test0');
    expect(app.documentState.unsaved).toBe(true);
    engine.close();
  });
});
