/**
 * EngineService: the engine as a service for a UI process. It takes requests of the engine
 * protocol (app/rpc/engine-protocol.ts) from any transport and answers each with a reply of plain
 * data; events (progress, frames appended, sessions opened and closed) go to its listeners.
 *
 *   const service = new EngineService();
 *   service.onEvent((event) => port.postMessage(event));
 *   port.on('message', async (m) => port.postMessage(await service.handle(m)));
 *
 * - Every request runs asynchronously with its own AbortController; `cancel` aborts it and it
 *   answers ECANCELED; closing a session aborts the requests running on it (ECLOSED).
 * - Long work runs in slices of at most `sliceMs` (indexing a file here, display filters and
 *   report feeds in FilterView/ReportFeed, pages of rows here) with a yield to the event loop
 *   between them, and reports progress (throttled to one event per `eventIntervalMs`). A page of
 *   rows comes first: while one is being answered, indexing waits (at most `foregroundWaitMs`).
 * - handle() never rejects and nothing it starts is left to reject unobserved: every failure is
 *   a reply `{type: 'error', error: {code, message}}` (codes: ENGINE_ERRORS).
 * - Live captures: startCapture/stopCapture drive the privileged capture helper (capture.ts: started
 *   on first use, or by startHelperNow(), and reused); its batches go into a live session; watch and
 *   setCaptureFilter change a running capture's watchlist and program. A host
 *   may also feed a live session itself: openLive()/appendBatch()/endCapture() here.
 * - Files and settings: saveFile (save.ts), the user's presets (app/presets) and recent files
 *   (recent-files.ts) in `configDir`, interfaces from /sys (interfaces.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileDisplayFilter } from '../../filter';
import { Dissector, PortRuleError, type PortRule } from '../../dissect/dissector';
import {
  parseEngineRequest,
  type EngineEvent,
  type EngineReply,
  type EngineRequest,
  type EngineResult,
  type DecodeAsRule,
  type LiveInterface,
  type NameResolutionFlags,
  type PacketRow,
} from '../../rpc/engine-protocol';
import { FLAG } from '../columns';
import type { FilterView } from '../filter-view';
import { PacketStore } from '../store';
import type { SpoolPacket } from '../spool';
import { EngineError, errorData, packetData, plainData, rowData } from './plain';
import { EngineSession, Throttle, type SessionReport, type SessionView } from './session';
import { createStatistic } from './statistics';
import type { LaunchRoute } from '../../helper/client';
import type { PcapngInterfaceOptions } from '../../pcap/pcapng-writer';
import { defaultConfigDir, UserPresets } from '../../presets';
import { CaptureController, checkFilter, defaultCaptureRoute, startRealHelper, type HelperStarter, type SessionCapture } from './capture';
import { interfaceLinkType, listNetworkInterfaces } from './interfaces';
import { RecentFiles } from './recent-files';
import { fileInterfaces, saveFrames } from './save';
import { AnalysisWork } from './analysis-work';
import { conversations, forgetConversations } from './conversations';
import { followStream } from './follow';
import { httpTransaction, httpTransactions } from './http';
import { exportHttpObjects, httpObjects } from './http-export';
import { forgetSort, sortedRows } from './sort';
import { withFrameFlags, withRowExtras } from './frame-flags';
import { findFrame, forgetFind } from './find';
import { propertiesOf } from './capture-properties';
import type { NameResolution } from '../../dissect/names';

export interface EngineServiceOptions {
  /** Where live spools and unpacked gzip files go (default the system's temporary directory). */
  spoolDir?: string;
  /** The longest a piece of work runs before it yields to the event loop, ms (default 5: GC pauses and the odd slow frame come on top). */
  sliceMs?: number;
  /** The shortest time between two progress (or framesAppended) events of one task, ms (default 100). */
  eventIntervalMs?: number;
  /** The longest indexing waits at a time while a page of rows is being answered, ms (default 250). */
  foregroundWaitMs?: number;
  /**
   * How the capture helper is started when a capture first needs it (default: as a child when this
   * process can capture, else through pkexec with the installed launcher; else EPERM saying how to
   * get the privilege). Called each time the helper has to be started.
   */
  captureRoute?: () => LaunchRoute;
  /** Starts the helper by a route (default HelperClient.start): unit tests give a fake helper. */
  startHelper?: HelperStarter;
  /** How often a capture's kernel counters are asked for, ms (default 1000). */
  statisticsIntervalMs?: number;
  /**
   * Traffic every capture leaves out, as a capture filter (read at each start): `sievecap serve`
   * leaves out its own HTTP/WebSocket connections on loopback, which would otherwise capture the
   * page's updates about the packets they carry, and so on without end.
   */
  captureExclusion?: () => string | null;
  /** The user's configuration directory: presets.json, recent.json (default $XDG_CONFIG_HOME/sievecap, else ~/.config/sievecap). */
  configDir?: string;
  /** $SSH_CONNECTION for the `not-my-ssh` preset (default the process's). */
  sshConnection?: string;
}

export type EngineEventListener = (event: EngineEvent) => void;

type Request<M extends EngineRequest['method']> = Extract<EngineRequest, { method: M }>;

interface RequestContext {
  readonly id: number;
  readonly signal: AbortSignal;
  /** The request works on this session: closing it aborts the request (ECLOSED). */
  attach(session: EngineSession): void;
  /** The request closes its session itself (a failed open): its own answer stands, not ECLOSED. */
  detach(session: EngineSession): void;
}

/** Rows dissected between two looks at the clock. */
const ROWS_PER_STEP = 16;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class EngineService {
  private readonly sessions = new Map<number, EngineSession>();
  private readonly closedSessions = new Set<number>();
  private readonly running = new Map<number, { controller: AbortController; session: EngineSession | null }>();
  private readonly listeners = new Set<EngineEventListener>();
  private readonly spoolDir: string;
  private readonly sliceMs: number;
  private readonly eventIntervalMs: number;
  private readonly foregroundWaitMs: number;
  private nextSession = 1;
  /** Requests being answered that the user waits to see (pages of rows): background indexing waits for them. */
  private foreground = 0;
  private foregroundWaiters: (() => void)[] = [];
  private nextView = 1;
  private nextReport = 1;
  private readonly captures: CaptureController;
  private readonly configDir: () => string;
  private readonly sshConnection: string | undefined;

  constructor(options: EngineServiceOptions = {}) {
    this.spoolDir = options.spoolDir ?? os.tmpdir();
    this.sliceMs = options.sliceMs ?? 5;
    this.eventIntervalMs = options.eventIntervalMs ?? 100;
    this.foregroundWaitMs = options.foregroundWaitMs ?? 250;
    // Read when needed: `serve` may change user (and HOME) after the engine is made.
    this.configDir = options.configDir !== undefined ? () => options.configDir! : () => defaultConfigDir();
    this.sshConnection = 'sshConnection' in options ? options.sshConnection : process.env.SSH_CONNECTION;
    this.captures = new CaptureController(
      {
        createSession: (interfaces, request, capture) => this.createLive(interfaces, request, capture),
        ended: (session) => this.captureEnded(session),
        emit: (event) => this.emit(event),
      },
      {
        route: options.captureRoute ?? defaultCaptureRoute,
        startHelper: options.startHelper ?? startRealHelper,
        statisticsIntervalMs: options.statisticsIntervalMs ?? 1000,
        exclusion: options.captureExclusion ?? (() => null),
      },
    );
  }

  /** Listens to events; returns the function that stops listening. */
  onEvent(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Answers one request (a structured-clone value, or JSON text). Never rejects. */
  async handle(message: unknown): Promise<EngineReply> {
    let id: number | null = null;
    let method: string | null = null;
    try {
      const parsed = parseEngineRequest(message);
      if (!parsed.ok) return { type: 'error', id: parsed.id, method: parsed.method, error: parsed.error };
      const request = parsed.request;
      id = request.id;
      method = request.method;
      if (this.running.has(request.id)) {
        return { type: 'error', id, method, error: { code: 'EBADMSG', message: `request id ${id} is already running: give each request an id of its own` } };
      }
      const controller = new AbortController();
      const task = { controller, session: null as EngineSession | null };
      this.running.set(request.id, task);
      const context: RequestContext = {
        id: request.id,
        signal: controller.signal,
        attach: (session) => {
          task.session = session;
          session.requests.add(controller);
        },
        detach: (session) => {
          session.requests.delete(controller);
        },
      };
      try {
        const result = await this.dispatch(request, context);
        // A request cancelled (or whose session closed) as it finished still says so: `cancel` answered true.
        if (controller.signal.aborted) throw controller.signal.reason;
        return { type: 'result', id: request.id, method: request.method, result };
      } catch (err) {
        return { type: 'error', id, method, error: errorData(controller.signal.aborted ? controller.signal.reason : err) };
      } finally {
        this.running.delete(request.id);
        task.session?.requests.delete(controller);
      }
    } catch (err) {
      return { type: 'error', id, method, error: errorData(err) };
    }
  }

  // ---- the engine's host: live captures --------------------------------------------------------

  /** A live-capture session (its spool in spoolDir); returns its id. */
  openLive(interfaces: readonly LiveInterface[]): number {
    return this.createLive(interfaces, null).id;
  }

  /** Appends a batch of pcapng EPBs (as the capture helper sends them) to a live session; returns the frames appended. */
  appendBatch(session: number, batch: Buffer, interfaceId = 0): number {
    const s = this.liveSession(session);
    const n = s.store.appendBatch(batch, interfaceId);
    s.framesAppended?.poke();
    return n;
  }

  /** Appends one frame to a live session; returns its number. */
  appendPacket(session: number, packet: SpoolPacket): number {
    const s = this.liveSession(session);
    const n = s.store.appendPacket(packet);
    s.framesAppended?.poke();
    return n;
  }

  /** The live capture ended: no more frames; reports can be read as final. */
  endCapture(session: number): void {
    this.captureEnded(this.liveSession(session));
  }

  closeSession(session: number): void {
    this.closeNow(this.session(session));
  }

  /**
   * Starts the capture helper now, unless it runs (by `route`, else the engine's captureRoute);
   * resolves with its pid. For `sievecap serve` run as root: start the helper, then give up root.
   * Rejects with an EngineError (EPERM, ECANCELED, ENOHELPER).
   */
  startHelperNow(route?: LaunchRoute): Promise<number> {
    return this.captures.startHelperNow(route);
  }

  /** The capture helper's process id while it runs, else null. */
  get helperPid(): number | null {
    return this.captures.helperPid;
  }

  /** Closes every session (the engine is shutting down) and lets the capture helper go (it exits). */
  close(): void {
    this.captures.close();
    for (const s of [...this.sessions.values()]) this.closeNow(s);
  }

  /** close(), then waits (at most timeoutMs) for the capture helper process to end. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    const helperGone = this.captures.shutdown(timeoutMs);
    this.close();
    await helperGone;
  }

  // ---- requests --------------------------------------------------------------------------------

  private dispatch(request: EngineRequest, ctx: RequestContext): Promise<unknown> {
    switch (request.method) {
      case 'openFile': return this.openFile(request, ctx);
      case 'openLive': return Promise.resolve(this.createLive(request.interfaces, ctx.id).info());
      case 'sessionInfo': return Promise.resolve(this.session(request.session).info());
      case 'listSessions': return Promise.resolve({ sessions: [...this.sessions.values()].map((s) => s.info()) });
      case 'rows': return this.rows(request, ctx);
      case 'packet': return Promise.resolve(this.packet(request));
      case 'checkFilter': {
        const filter = compileDisplayFilter(request.filter);
        return Promise.resolve({ filter: filter.text, fields: [...filter.fieldNames] });
      }
      case 'createView': return this.createView(request, ctx);
      case 'updateView': return this.updateView(request, ctx);
      case 'dropView': {
        this.session(request.session).dropView(request.view);
        return Promise.resolve({ view: request.view });
      }
      case 'createReport': return this.createReport(request, ctx);
      case 'readReport': return this.readReport(request, ctx);
      case 'dropReport': {
        const session = this.session(request.session);
        session.report(request.report);
        session.reports.delete(request.report);
        return Promise.resolve({ report: request.report });
      }
      case 'cancel': return Promise.resolve(this.cancel(request.request, ctx.id));
      case 'closeSession': {
        this.closeNow(this.session(request.session));
        return Promise.resolve({ session: request.session });
      }
      case 'listInterfaces': return Promise.resolve({ interfaces: listNetworkInterfaces(), time: Date.now() });
      case 'checkCaptureFilter': {
        // The named interface's link type (ENODEV when there is none), else Ethernet.
        const instructions = checkFilter(request.filter, request.interface === undefined ? 1 : interfaceLinkType(request.interface));
        return Promise.resolve({ filter: request.filter, instructions });
      }
      case 'startCapture': return this.captures.start(request, ctx.id, ctx.signal).then((session) => session.info());
      case 'stopCapture': {
        const session = this.session(request.session, ctx);
        return this.captures.stop(session).then((statistics) => ({ session: session.id, statistics }));
      }
      case 'watch': return this.captures.watch(this.session(request.session, ctx), request.rules);
      case 'setCaptureFilter': return this.captures.setFilter(this.session(request.session, ctx), request);
      case 'saveFile': return this.saveFile(request, ctx);
      case 'setFrameFlag': return Promise.resolve(this.setFrameFlag(request));
      case 'findFrame': {
        const session = this.session(request.session, ctx);
        const { id: _id, method: _method, ...params } = request;
        return findFrame(session, request.view === undefined ? undefined : session.view(request.view).filterView, params, this.work(session, ctx));
      }
      case 'setDecodeAs': return Promise.resolve(this.setDecodeAs(request));
      case 'captureProperties': {
        const session = this.session(request.session, ctx);
        return Promise.resolve(propertiesOf(session.store, session.kind, session.path, session.interfaces(), session.flags));
      }
      case 'listPresets': return Promise.resolve(this.presets().list());
      case 'savePreset': {
        const p = request.preset;
        // Checked for the link type of the first interface it names (Ethernet when it names none).
        checkFilter(p.filter, p.interfaces?.[0] ? linkTypeOrEthernet(p.interfaces[0]) : 1, p.snapLen);
        return Promise.resolve(this.presets().save(p));
      }
      case 'deletePreset': return Promise.resolve(this.presets().delete(request.name));
      case 'recentFiles': return Promise.resolve(new RecentFiles(this.configDir()).list());
      case 'conversations': {
        const session = this.session(request.session, ctx);
        return conversations(session, request.kind, request.view === undefined ? undefined : session.view(request.view).filterView, this.work(session, ctx));
      }
      case 'followStream': {
        const session = this.session(request.session, ctx);
        return followStream(session, request.protocol, request.stream, this.work(session, ctx));
      }
      case 'httpTransactions': {
        const session = this.session(request.session, ctx);
        return httpTransactions(session, request.start, request.count, this.work(session, ctx), request.order);
      }
      case 'httpTransaction': {
        const session = this.session(request.session, ctx);
        return httpTransaction(session, request.index, this.work(session, ctx));
      }
      case 'httpObjects': {
        const session = this.session(request.session, ctx);
        return httpObjects(session, this.work(session, ctx));
      }
      case 'exportHttpObjects': {
        const session = this.session(request.session, ctx);
        return exportHttpObjects(session, request, this.work(session, ctx));
      }
    }
  }

  private async openFile(request: Request<'openFile'>, ctx: RequestContext): Promise<EngineResult<'openFile'>> {
    const loadProgress = { bytesDone: 0, bytesTotal: 0 };
    let session: EngineSession | null = null;
    const progress = new Throttle(this.eventIntervalMs, () => {
      if (session) this.emit({ type: 'event', event: 'progress', request: ctx.id, session: session.id, task: 'load', done: loadProgress.bytesDone, total: loadProgress.bytesTotal, frames: session.store.count() });
    });
    // Decode As: checked by a Dissector before the file is read (an unknown protocol is refused with the known ones).
    const portRules = checkedPortRules(request.decodeAs ?? []);
    // The first slice is indexed inside openFile(), before the session exists: its progress is kept, then told.
    const store = PacketStore.openFile(request.path, {
      portRules,
      sliceMs: this.sliceMs,
      signal: ctx.signal,
      spoolDir: this.spoolDir,
      yieldBetweenSlices: this.backgroundYield,
      onProgress: (p) => {
        loadProgress.bytesDone = p.bytesDone;
        loadProgress.bytesTotal = p.bytesTotal;
        progress.poke();
        session?.framesAppended?.poke();
      },
    });
    session = new EngineSession(this.nextSession++, 'file', request.path, store);
    session.loadProgress = loadProgress;
    if (request.decodeAs?.length) session.decodeAs = request.decodeAs;
    this.register(session, ctx.id);
    ctx.attach(session);
    // Told at once (the first slice's progress was kept for it): the window shows the session and asks its first rows.
    progress.fireNow();
    if (store.count() > 0) session.framesAppended?.poke();
    let summary;
    try {
      summary = await store.loading;
    } catch (err) {
      ctx.detach(session);
      this.closeNow(session);
      throw err;
    } finally {
      progress.cancel();
    }
    if (ctx.signal.aborted) {
      // Cancelled while opening: the session goes (a request closing it already did).
      this.closeNow(session);
      throw ctx.signal.reason;
    }
    session.loadMilliseconds = summary.milliseconds;
    session.framesAppended?.flush();
    if (store.fileInfo?.format == null) {
      ctx.detach(session);
      this.closeNow(session);
      throw new EngineError('EFORMAT', `${request.path} is not a capture file sievecap reads: ${summary.error ?? 'no pcap or pcapng header'}`);
    }
    session.state = 'loaded';
    if (summary.error !== null) {
      const message = `${request.path} is damaged: ${summary.error}; the ${summary.frames} frames before the damage are open in session ${session.id}`;
      session.loadError = { code: 'EDAMAGED', message };
      throw new EngineError('EDAMAGED', message, session.id);
    }
    new RecentFiles(this.configDir()).record(request.path);
    return session.info();
  }

  /** A live session and its spool; `capture` when the helper feeds it (startCapture). */
  private createLive(interfaces: readonly (LiveInterface | PcapngInterfaceOptions)[], request: number | null, capture: SessionCapture | null = null): EngineSession {
    const dir = fs.mkdtempSync(path.join(this.spoolDir, 'sievecap-live-'));
    const spoolPath = path.join(dir, 'capture.pcapng');
    const details: PcapngInterfaceOptions[] = interfaces.map((i) => ({ ...i }));
    let store: PacketStore;
    try {
      store = PacketStore.createLive(spoolPath, details);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const session = new EngineSession(this.nextSession++, 'live', spoolPath, store, interfaces.map((i) => i.name), dir);
    session.interfaceDetails = details;
    session.capture = capture;
    this.register(session, request);
    return session;
  }

  /** A live session gets no more frames: 'stopped', the last framesAppended told, then captureEnded. */
  private captureEnded(session: EngineSession): void {
    session.state = 'stopped';
    session.framesAppended?.flush();
    this.emit({ type: 'event', event: 'captureEnded', session: session.id, frames: session.store.count() });
  }

  private presets(): UserPresets {
    return new UserPresets(this.configDir(), { sshConnection: this.sshConnection });
  }

  /** Writes the session's frames (or a view's matches) to a file: see save.ts. */
  private async saveFile(request: Request<'saveFile'>, ctx: RequestContext): Promise<EngineResult<'saveFile'>> {
    const session = this.session(request.session, ctx);
    const store = session.store;
    // A file still being indexed is saved whole; a view, once it has tested every frame.
    if (session.kind === 'file' && session.state === 'loading') await store.loading.catch(() => undefined);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    let count = store.count();
    let frameAt = (i: number): number => i;
    if (request.view !== undefined) {
      const view = session.view(request.view).filterView;
      if (view.framesDone < store.count()) await view.update();
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (view.error) throw new EngineError('EREAD', `view ${request.view} stopped at frame ${view.framesDone + 1}: ${view.error.message}; nothing was saved`);
      // A live view goes on growing: the matches so far, as a copy.
      const matches = view.frames().slice();
      count = matches.length;
      frameAt = (i) => matches[i]! - 1;
    }
    // Export Specified Packets: marked only, ranges of frame numbers, ignored left out.
    if (request.marked || request.ranges || request.removeIgnored) {
      const ranges = request.ranges;
      const keep: number[] = [];
      for (let i = 0; i < count; i++) {
        const k = frameAt(i);
        if (request.marked && !session.flags.has(k, 'marked')) continue;
        if (request.removeIgnored && session.flags.isIgnored(k)) continue;
        if (ranges && !ranges.some((r) => k + 1 >= r.first && k + 1 <= r.last)) continue;
        keep.push(k);
      }
      count = keep.length;
      frameAt = (i) => keep[i]!;
    }
    const progress = { done: 0, total: count };
    const throttle = new Throttle(this.eventIntervalMs, () => {
      if (!session.closed) this.emit({ type: 'event', event: 'progress', request: ctx.id, session: session.id, task: 'save', done: progress.done, total: progress.total, frames: store.count(), ...(request.view === undefined ? {} : { view: request.view }) });
    });
    try {
      return await saveFrames({
        store,
        interfaces: session.kind === 'live' ? session.interfaceDetails : fileInterfaces(session.path, store.interfaceLinkTypes),
        path: request.path,
        format: request.format,
        count,
        frameAt,
        signal: ctx.signal,
        sliceMs: this.sliceMs,
        onProgress: (done, total) => {
          progress.done = done;
          progress.total = total;
          throttle.poke();
        },
      });
    } finally {
      throttle.flush();
      throttle.cancel();
    }
  }

  /**
   * Background work's yield (indexing a file): to the event loop, and then, while a page of rows is
   * being answered, until it is (at most foregroundWaitMs at a time, so that a stream of pages
   * cannot stop indexing). A page asked while a file is indexed otherwise shares the CPU slice by
   * slice with the indexing, and the first rows of a big file took twice their own time to show.
   */
  private readonly backgroundYield = async (): Promise<void> => {
    await yieldToEventLoop();
    if (this.foreground === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.foregroundWaitMs);
      this.foregroundWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  };

  private async rows(request: Request<'rows'>, ctx: RequestContext): Promise<EngineResult<'rows'>> {
    this.foreground++;
    try {
      return await this.rowsNow(request, ctx);
    } finally {
      // Indexing goes on once the reply is on its way (the awaits that send it are microtasks).
      if (--this.foreground === 0) setImmediate(() => {
        if (this.foreground === 0) for (const wake of this.foregroundWaiters.splice(0)) wake();
      });
    }
  }

  private async rowsNow(request: Request<'rows'>, ctx: RequestContext): Promise<EngineResult<'rows'>> {
    const session = this.session(request.session, ctx);
    const view = request.view === undefined ? undefined : session.view(request.view).filterView;
    const page = await this.plainRows(session, view, request, ctx);
    // Marks, and the Time column in the format asked (tshark's -t, the CLI's code).
    const store = session.store;
    const context = {
      tsNs: (k: number) => store.tsNs(k),
      count: () => store.count(),
      flags: session.flags,
      view,
      timeDigits: (k: number) => session.timeDigits(k),
      fieldTexts: (k: number, names: readonly string[]) => readFrames(() => store.fieldTexts(k, names)),
    };
    return { ...page, rows: withRowExtras(page.rows, context, request.time, request.columns) };
  }

  /**
   * Decode As on a session as it is (Wireshark redissects every packet, a live capture's too): the
   * store's dissections use the new rules from now on; the session's caches (sorted orders,
   * conversation tables, the find bar's view) go, its views run again and its reports count again
   * from frame 1. (The HTTP tab's transactions come from the reassembly that finds HTTP by its
   * bytes, not by port, as `--http` does: Decode As does not change them, for a file either.)
   */
  private setDecodeAs(request: Request<'setDecodeAs'>): EngineResult<'setDecodeAs'> {
    const session = this.session(request.session);
    const portRules = checkedPortRules(request.decodeAs);
    const store = session.store;
    store.setPortRules(portRules);
    session.decodeAs = request.decodeAs.map((d) => ({ ...d }));
    forgetSort(session);
    forgetConversations(session);
    forgetFind(session);
    for (const entry of session.reports.values()) {
      entry.report = createStatistic(entry.report.spec);
      entry.feed = store.followReport(entry.report, (k) => session.flags.isIgnored(k));
      entry.finished = false;
    }
    for (const [id, old] of [...session.views]) {
      old.progress.cancel();
      store.dropView(old.filterView);
      // Runs on its own (store.filter starts it); its progress events tell the view's id.
      session.views.set(id, this.startView(session, id, old.filterView.text, old.request));
    }
    return session.info();
  }

  /**
   * Sets or clears a flag on frames. Ignoring (or no longer ignoring) frames makes every report of
   * the session count again from frame 1 when next read, as Wireshark dissects the file again.
   */
  private setFrameFlag(request: Request<'setFrameFlag'>): EngineResult<'setFrameFlag'> {
    const session = this.session(request.session);
    const store = session.store;
    const count = store.count();
    let changed = 0;
    const set = (k: number): void => {
      if (k >= 0 && k < count && session.flags.set(k, request.flag, request.value)) changed++;
    };
    for (const n of request.frames ?? []) set(n - 1);
    if (request.displayed) {
      if (request.view !== undefined) for (const n of session.view(request.view).filterView.frames()) set(n - 1);
      else for (let k = 0; k < count; k++) set(k);
    }
    if (request.flag === 'ignored' && changed > 0) {
      for (const entry of session.reports.values()) {
        entry.report = createStatistic(entry.report.spec);
        entry.feed = store.followReport(entry.report, (k) => session.flags.isIgnored(k));
        entry.finished = false;
      }
    }
    return { session: session.id, marked: session.flags.marked, ignored: session.flags.ignored, changed };
  }

  private async plainRows(session: EngineSession, view: FilterView | undefined, request: Request<'rows'>, ctx: RequestContext): Promise<EngineResult<'rows'>> {
    const names = engineNames(request.names);
    if (request.sort) return sortedRows(session, view, request.view ?? null, request.sort, request.start, request.count, this.work(session, ctx), names);
    const store = session.store;
    const total = store.count(view);
    const end = Math.min(total, request.start + request.count);
    const rows: PacketRow[] = [];
    let deadline = performance.now() + this.sliceMs;
    for (let i = request.start; i < end; ) {
      const n = Math.min(ROWS_PER_STEP, end - i);
      for (const row of readFrames(() => store.rows(i, n, view, names))) rows.push(rowData(row));
      i += n;
      if (i < end && performance.now() >= deadline) {
        await yieldToEventLoop();
        if (ctx.signal.aborted) throw ctx.signal.reason;
        deadline = performance.now() + this.sliceMs;
      }
    }
    return { total, start: request.start, view: request.view ?? null, rows };
  }

  private packet(request: Request<'packet'>): EngineResult<'packet'> {
    const session = this.session(request.session);
    const store = session.store;
    const count = store.count();
    if (request.number > count) {
      throw new EngineError('ERANGE', count === 0 ? `session ${session.id} holds no frames yet` : `session ${session.id} has no frame ${request.number}: its frames are numbered 1 to ${count}`);
    }
    const { packet, data } = readFrames(() => store.packet(request.number, engineNames(request.names)));
    const k = request.number - 1;
    const ix = store.index;
    const flags = ix.flags[k]!;
    const detail = packetData(packet, data, {
      tsNs: ix.tsNs(k),
      firstTsNs: ix.tsNs(0),
      origLen: ix.origLen[k]!,
      linkType: store.linkTypeOf(k),
      interfaceId: ix.interfaceId[k]!,
      flags: (flags & FLAG.INBOUND ? 1 : 0) | (flags & FLAG.OUTBOUND ? 2 : 0),
    }, request.fullValues === true);
    return withFrameFlags(detail, session.flags.has(k, 'marked'), session.flags.isIgnored(k));
  }

  private async createView(request: Request<'createView'>, ctx: RequestContext): Promise<EngineResult<'createView'>> {
    const session = this.session(request.session, ctx);
    const entry = this.startView(session, this.nextView++, request.filter, ctx.id);
    session.views.set(entry.id, entry);
    try {
      await this.runView(session, entry, ctx);
    } catch (err) {
      if (session.views.get(entry.id) === entry) session.dropView(entry.id);
      throw err;
    }
    if (session.views.get(entry.id) !== entry) throw new EngineError('ECANCELED', `view ${entry.id} was dropped while its filter ran`);
    entry.request = null;
    return session.viewInfo(entry);
  }

  private async updateView(request: Request<'updateView'>, ctx: RequestContext): Promise<EngineResult<'updateView'>> {
    const session = this.session(request.session, ctx);
    const old = session.view(request.view);
    // The old filter keeps answering rows until the new one has tested every frame.
    const next = this.startView(session, old.id, request.filter, ctx.id);
    try {
      await this.runView(session, next, ctx);
      if (session.views.get(old.id) !== old) throw new EngineError('ECANCELED', `view ${old.id} was dropped or changed while its new filter ran`);
    } catch (err) {
      next.progress.cancel();
      session.store.dropView(next.filterView);
      throw err;
    }
    old.progress.cancel();
    session.store.dropView(old.filterView);
    session.views.set(old.id, next);
    next.request = null;
    return session.viewInfo(next);
  }

  /** A view of the session's store (EFILTER for a bad filter); its first progress event tells its id. */
  private startView(session: EngineSession, id: number, filter: string, request: number | null): SessionView {
    let entry: SessionView | null = null;
    // Ignored frames match no display filter (Wireshark dissects them no further than the frame).
    const filterView: FilterView = session.store.filter(filter, () => entry?.progress.poke(), (k) => session.flags.isIgnored(k));
    entry = {
      id,
      filterView,
      request,
      progress: new Throttle(this.eventIntervalMs, () => {
        const frames = session.store.count();
        this.emit({ type: 'event', event: 'progress', request: entry!.request, session: session.id, task: 'filter', done: Math.min(filterView.framesDone, frames), total: frames, frames, view: id, matches: filterView.count() });
      }),
    };
    entry.progress.poke();
    return entry;
  }

  private async runView(session: EngineSession, entry: SessionView, ctx: RequestContext): Promise<void> {
    const view = entry.filterView;
    const stop = (): void => session.store.dropView(view);
    ctx.signal.addEventListener('abort', stop, { once: true });
    try {
      await view.update();
    } finally {
      ctx.signal.removeEventListener('abort', stop);
      entry.progress.cancel();
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (view.error) throw new EngineError('EREAD', `the filter stopped at frame ${view.framesDone + 1}: ${view.error.message}`);
  }

  private async createReport(request: Request<'createReport'>, ctx: RequestContext): Promise<EngineResult<'createReport'>> {
    const session = this.session(request.session, ctx);
    const report = createStatistic(request.spec);
    const entry: SessionReport = { id: this.nextReport++, report, feed: session.store.followReport(report, (k) => session.flags.isIgnored(k)), finished: false };
    session.reports.set(entry.id, entry);
    try {
      await this.feed(session, entry, ctx);
    } catch (err) {
      if (session.reports.get(entry.id) === entry) session.reports.delete(entry.id);
      throw err;
    }
    return session.reportInfo(entry);
  }

  private async readReport(request: Request<'readReport'>, ctx: RequestContext): Promise<EngineResult<'readReport'>> {
    const session = this.session(request.session, ctx);
    const entry = session.report(request.report);
    await this.feed(session, entry, ctx);
    const final = session.ended && entry.feed.fed >= session.store.count();
    if (final && !entry.finished) {
      entry.report.finish?.();
      entry.finished = true;
    }
    const format = request.format ?? 'json';
    return {
      report: entry.id,
      spec: entry.report.spec,
      framesFed: entry.feed.fed,
      final,
      text: format === 'json' ? null : entry.report.text(),
      data: format === 'text' ? null : plainData(entry.report.json()),
    };
  }

  /** Feeds a report every frame the session holds (slices of ReportFeed), telling progress; its first progress event tells its id. */
  private async feed(session: EngineSession, entry: SessionReport, ctx: RequestContext): Promise<void> {
    const progress = new Throttle(this.eventIntervalMs, () => {
      const frames = session.store.count();
      this.emit({ type: 'event', event: 'progress', request: ctx.id, session: session.id, task: 'report', done: Math.min(entry.feed.fed, frames), total: frames, frames, report: entry.id });
    });
    progress.poke();
    try {
      await entry.feed.update(() => progress.poke(), ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw new EngineError('EREAD', `report ${entry.id} (${entry.report.spec}) stopped at frame ${entry.feed.fed + 1}: ${(err as Error).message}`);
    } finally {
      progress.cancel();
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
  }

  /** Slices, cancellation and progress events for an analysis request (conversations, follow, HTTP, sorting) on a session. */
  private work(session: EngineSession, ctx: RequestContext): AnalysisWork {
    return new AnalysisWork(ctx.signal, this.sliceMs, this.eventIntervalMs, (task, done, total) => {
      this.emit({ type: 'event', event: 'progress', request: ctx.id, session: session.id, task, done, total, frames: session.store.count() });
    });
  }

  private cancel(target: number, self: number): EngineResult<'cancel'> {
    const task = this.running.get(target);
    if (!task || target === self || task.controller.signal.aborted) return { request: target, cancelled: false };
    task.controller.abort(new EngineError('ECANCELED', `request ${target} was cancelled`));
    return { request: target, cancelled: true };
  }

  // ---- sessions --------------------------------------------------------------------------------

  private register(session: EngineSession, request: number | null): void {
    this.sessions.set(session.id, session);
    session.framesAppended = new Throttle(this.eventIntervalMs, () => {
      if (session.closed) return;
      this.emit({
        type: 'event',
        event: 'framesAppended',
        session: session.id,
        frames: session.store.count(),
        views: [...session.views.values()].map((v) => ({ view: v.id, matches: v.filterView.count(), framesDone: Math.min(v.filterView.framesDone, session.store.count()) })),
      });
    });
    this.emit({ type: 'event', event: 'opened', request, session: session.id, kind: session.kind, path: session.path });
  }

  private session(id: number, ctx?: RequestContext): EngineSession {
    const session = this.sessions.get(id);
    if (!session) {
      throw new EngineError('ENOSESSION', this.closedSessions.has(id) ? `session ${id} is closed` : `there is no session ${id}${this.sessions.size ? ` (open sessions: ${[...this.sessions.keys()].join(', ')})` : ' (no session is open)'}`);
    }
    ctx?.attach(session);
    return session;
  }

  private liveSession(id: number): EngineSession {
    const session = this.session(id);
    if (session.kind !== 'live') throw new EngineError('ENOTLIVE', `session ${id} is an opened file: frames are appended only to a live capture`);
    if (session.state !== 'capturing') throw new EngineError('ENOTLIVE', `the live capture of session ${id} has ended: no more frames can be appended`);
    if (session.capture !== null) throw new EngineError('ENOTLIVE', `session ${id} is fed by the capture helper (startCapture): its host neither appends to it nor ends it (stopCapture does)`);
    return session;
  }

  private closeNow(session: EngineSession): void {
    if (session.closed) return;
    this.captures.abandon(session);
    this.sessions.delete(session.id);
    this.closedSessions.add(session.id);
    forgetFind(session);
    session.close(new EngineError('ECLOSED', `session ${session.id} was closed while the request ran`));
    this.emit({ type: 'event', event: 'sessionClosed', session: session.id });
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // A transport's failure must not stop the work that told it something.
        process.emitWarning(`an engine event listener threw: ${(err as Error).message}`);
      }
    }
  }
}

/** A preset's interface may be one of another machine: its link type when it is here, else Ethernet. */
function linkTypeOrEthernet(name: string): number {
  try {
    return interfaceLinkType(name);
  } catch {
    return 1;
  }
}

/** Runs a read of captured bytes; a failure that is not about the request's numbers is EREAD. */
function readFrames<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof RangeError || err instanceof EngineError) throw err;
    throw new EngineError('EREAD', `the captured bytes cannot be read back: ${(err as Error).message}`);
  }
}

/**
 * A request's names as the dissectors take them. Host names come from Wireshark's hosts files and
 * /etc/hosts (Wireshark's default, "use an external network name resolver", whose system resolver
 * looks there first): Sievecap never sends a DNS query.
 */
function engineNames(names: NameResolutionFlags | undefined): NameResolution | null {
  return names ? { ...names, external: true } : null;
}

/** Decode As rules as the Dissector takes them, checked by one (EDECODEAS names the protocols there are). */
function checkedPortRules(rules: readonly DecodeAsRule[]): PortRule[] {
  const portRules: PortRule[] = rules.map((d) => ({ transport: d.transport, ports: [d.port], protocol: d.protocol, origin: `Decode As ${d.transport}.port==${d.port},${d.protocol}` }));
  if (portRules.length > 0) {
    try {
      new Dissector({ portRules });
    } catch (err) {
      if (err instanceof PortRuleError) throw new EngineError('EDECODEAS', err.message);
      throw err;
    }
  }
  return portRules;
}
