/**
 * The window's state: the engine connection, the open session (a file or a live capture), its
 * display-filter view, capture counters, long work under way (with Cancel), error banners, and the
 * packet list and selected packet. Components read it and call its methods; every engine request
 * the main window makes goes through here.
 */
import type {
  CaptureFormat,
  CaptureStatistics,
  CaptureProperties,
  DecodeAsRule,
  EngineParams,
  FrameFlag,
  NameResolutionFlags,
  PacketDetail,
  RowSort,
  SessionInfo,
  TimeDisplay,
  ViewInfo,
} from '../../../app/rpc/engine-protocol';
import type { DesktopBridge, DocumentState } from '../../../app/rpc/desktop-bridge';
import type { KernelStagesSpec } from '../../../app/rpc/helper-protocol';
import { connectEngine, serveToken, type EngineClient, type ProgressEvent } from './rpc';
import { PacketListState } from './packet-list.svelte';
import { errorParts, errorTitle, isCancellation, type Banner } from './errors';
import { baseName } from './format';
import { appendSample, sampleOf, type CounterSample } from '../views/counter-history';
import { DEFAULT_TIME_DISPLAY } from './time-display';
import { anyNames, NO_NAMES } from './name-resolution';
import type { FieldColumn } from './packet-columns';
import { buildTree } from './hex';

/** Export Specified Packets' choices besides captured/displayed. */
export interface ExportNarrowing {
  marked?: boolean;
  ranges?: Array<{ first: number; last: number }>;
  removeIgnored?: boolean;
}

/** What Find Packet looks for (the engine's findFrame). */
export type FindQuery = EngineParams<'findFrame'>['find'];

export type Tab = 'packets' | 'sessions' | 'http' | 'hierarchy' | 'endpoints' | 'io-graph' | 'http-statistics' | 'statistics';

/** How long a note of success ('Saved 812 packets') stays, ms. */
const INFO_BANNER_MS = 8000;
export type CaptureParams = EngineParams<'startCapture'>;

export interface Task {
  id: number;
  label: string;
  done: number;
  total: number;
  unit: 'bytes' | 'frames';
  cancel: (() => void) | null;
}

export function desktopBridge(): DesktopBridge | null {
  return (globalThis as unknown as { sievecap?: DesktopBridge }).sievecap ?? null;
}

export class AppState {
  engine = $state.raw<EngineClient | null>(null);
  connection = $state<'connecting' | 'connected' | 'closed'>('connecting');
  readonly bridge: DesktopBridge | null;

  session = $state.raw<SessionInfo | null>(null);
  /** Frames in the session (kept current by framesAppended). */
  frames = $state(0);
  view = $state.raw<ViewInfo | null>(null);
  /** Matches of the view so far. */
  matches = $state(0);
  /** The display filter the list shows ('' none). */
  appliedFilter = $state('');
  statistics = $state.raw<CaptureStatistics[]>([]);
  /** The live capture's kernel counters over time (summed over its interfaces), for the Statistics tab's chart. */
  counterHistory = $state.raw<CounterSample[]>([]);
  /** A live capture is being started or stopped. */
  captureBusy = $state(false);
  /** Settings of the last capture started (Restart, Ctrl+E on a stopped capture). */
  lastCapture = $state.raw<CaptureParams | null>(null);
  /** Frames written to a file by the last full save (a live capture is unsaved past them). */
  savedFrames = $state(0);

  banners = $state<Banner[]>([]);
  tasks = $state<Task[]>([]);
  tab = $state<Tab>('packets');
  /** The start page shows over an open session (Capture Options, Ctrl+K). */
  startPageRequested = $state(false);
  detail = $state.raw<PacketDetail | null>(null);
  detailError = $state<string | null>(null);
  /** The packet list's Time column (View › Time Display Format). */
  timeDisplay = $state.raw<TimeDisplay>({ ...DEFAULT_TIME_DISPLAY });
  /** Fields shown as columns (Apply as Column). */
  fieldColumns = $state.raw<FieldColumn[]>([]);
  /** View › Name Resolution: names in the Source, Destination and Info columns and the details tree. */
  names = $state.raw<NameResolutionFlags>({ ...NO_NAMES });
  /** Frames marked and ignored in the session. */
  marked = $state(0);
  ignored = $state(0);

  readonly list = new PacketListState();
  private nextBanner = 1;
  private nextTask = 1;
  private detailAbort: AbortController | null = null;
  /** The frame whose detail is on its way, and the promise of its arrival. */
  private detailLoading: number | null = null;
  private detailPending: Promise<void> | null = null;
  private infoTimer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribe: (() => void)[] = [];

  constructor(bridge: DesktopBridge | null = desktopBridge()) {
    this.bridge = bridge;
  }

  get isLive(): boolean {
    return this.session?.kind === 'live';
  }

  get capturing(): boolean {
    return this.session?.state === 'capturing';
  }

  /** Rows the list shows: the view's matches, or every frame. */
  get displayed(): number {
    return this.view ? this.matches : this.frames;
  }

  get dropped(): number {
    return this.statistics.reduce((n, s) => n + s.dropped, 0);
  }

  get received(): number {
    return this.statistics.reduce((n, s) => n + s.received, 0);
  }

  get unsaved(): boolean {
    return this.isLive && this.frames > this.savedFrames;
  }

  get showStartPage(): boolean {
    return this.session === null || this.startPageRequested;
  }

  get documentState(): DocumentState {
    const s = this.session;
    let title = 'Sievecap';
    if (s?.kind === 'file') title = baseName(s.path);
    else if (s?.kind === 'live') {
      const names = s.capture?.interfaces.join(', ') ?? s.interfaces.map((i) => i.name).filter(Boolean).join(', ');
      title = s.state === 'capturing' ? `Capturing from ${names || 'the network'}` : `Capture on ${names || 'the network'}`;
    }
    const t = this.timeDisplay;
    return { title, unsaved: this.unsaved, capturing: this.capturing, time: { format: t.format, precision: t.precision ?? null, hms: t.hms === true }, names: { ...this.names } };
  }

  // ---- connection ------------------------------------------------------------------------------

  async connect(connector: () => Promise<EngineClient> = connectEngine): Promise<void> {
    this.connection = 'connecting';
    let engine: EngineClient;
    try {
      engine = await connector();
    } catch (err) {
      this.connection = 'closed';
      this.showError(err, 'Connecting to the engine');
      return;
    }
    this.attachEngine(engine);
    // A reload in serve mode finds the sessions the engine still holds: show the newest.
    try {
      const { sessions } = await engine.call('listSessions', {});
      const newest = sessions[sessions.length - 1];
      if (newest && !this.session) this.attach(newest);
    } catch (err) {
      this.showError(err, 'Listing sessions');
    }
  }

  attachEngine(engine: EngineClient): void {
    for (const stop of this.unsubscribe) stop();
    this.engine = engine;
    this.connection = 'connected';
    this.unsubscribe = [
      engine.on('framesAppended', (e) => {
        if (e.session !== this.session?.session) return;
        this.frames = e.frames;
        const v = this.view && e.views.find((x) => x.view === this.view!.view);
        if (v) this.matches = v.matches;
        this.list.grow(this.displayed);
        this.scheduleInfo();
      }),
      engine.on('opened', (e) => {
        // A session the engine's host opened (`sievecap serve FILE`) shows when nothing else does.
        if (e.request !== null || this.session) return;
        void engine.call('sessionInfo', { session: e.session }).then((info) => {
          if (!this.session) this.attach(info);
        }, () => undefined);
      }),
      engine.on('captureStatistics', (e) => {
        if (e.session !== this.session?.session) return;
        this.statistics = e.statistics;
        this.counterHistory = appendSample(this.counterHistory, sampleOf(e.statistics, Date.now()));
      }),
      engine.on('captureError', (e) => {
        if (e.session !== this.session?.session) return;
        const where = e.interface ? ` (${e.interface})` : '';
        this.addBanner('error', `${errorTitle(e.error.code, 'The capture')}${where}`, `${e.error.message} — the ${this.frames} packets captured so far are kept.`);
      }),
      engine.on('captureEnded', (e) => {
        if (e.session !== this.session?.session) return;
        this.frames = e.frames;
        this.list.grow(this.displayed);
        void this.refreshInfo();
      }),
      engine.on('sessionClosed', (e) => {
        if (e.session === this.session?.session) this.detach();
      }),
      engine.onClose((reason) => {
        this.connection = 'closed';
        this.addBanner('error', 'Lost the connection to the engine', `${reason}. The rows already shown stay; reload the window to reconnect.`);
      }),
    ];
  }

  // ---- sessions --------------------------------------------------------------------------------

  /** Shows a session (its rows, no filter). */
  attach(info: SessionInfo): void {
    this.session = info;
    this.frames = info.frames;
    this.view = null;
    this.matches = 0;
    this.appliedFilter = '';
    this.statistics = info.capture?.statistics ?? [];
    this.counterHistory = info.capture && info.state === 'capturing' ? [sampleOf(info.capture.statistics, Date.now())] : [];
    this.savedFrames = info.kind === 'file' ? Number.MAX_SAFE_INTEGER : 0;
    this.marked = info.marked ?? 0;
    this.ignored = info.ignored ?? 0;
    this.forgetDetail();
    this.startPageRequested = false;
    this.tab = 'packets';
    this.list.setSource(this.rowSource(info.session, null), info.frames, { live: info.state === 'capturing' });
  }

  private detach(): void {
    this.session = null;
    this.view = null;
    this.frames = 0;
    this.matches = 0;
    this.marked = 0;
    this.ignored = 0;
    this.forgetDetail();
    this.statistics = [];
    this.counterHistory = [];
    this.list.setSource(null, 0);
  }

  private forgetDetail(): void {
    this.detailAbort?.abort();
    this.detailAbort = null;
    this.detailLoading = null;
    this.detail = null;
    this.detailError = null;
  }

  private rowSource(session: number, view: number | null) {
    return {
      fetch: async (start: number, count: number, sort: RowSort | null, signal: AbortSignal) => {
        const engine = this.engine;
        if (!engine) throw new Error('not connected');
        const params: EngineParams<'rows'> = { session, start, count };
        if (view !== null) params.view = view;
        if (sort) params.sort = sort;
        params.time = this.timeDisplay;
        if (anyNames(this.names)) params.names = this.names;
        if (this.fieldColumns.length > 0) params.columns = this.fieldColumns.map((c) => c.field);
        return engine.call('rows', params, { signal });
      },
    };
  }

  /** Asks before replacing an unsaved live capture. */
  confirmDiscard(action: string): boolean {
    if (!this.unsaved) return true;
    return globalThis.confirm?.(`${action} discards the ${this.frames} captured packets that are not saved. Continue?`) ?? true;
  }

  /**
   * Opens a capture file. The new session shows as soon as it exists (rows page while it is
   * indexed), but the one shown before is closed only once the file is open: a file that cannot be
   * opened, or an open cancelled half-way, gives the window back its previous capture.
   */
  async openFile(path: string, decodeAs?: DecodeAsRule[]): Promise<boolean> {
    const engine = this.engine;
    if (!engine) return false;
    if (!this.confirmDiscard(`Opening ${baseName(path)}`)) return false;
    const previous = this.session;
    const abort = new AbortController();
    const task = this.startTask(`Opening ${baseName(path)}`, 'bytes', () => abort.abort());
    let early: number | null = null;
    const show = (info: SessionInfo): void => {
      if (this.session?.session === info.session) this.updateInfo(info);
      else this.attach(info);
    };
    const done = (info: SessionInfo): void => {
      show(info);
      if (previous && previous.session !== info.session) void this.retire(previous);
    };
    try {
      const info = await engine.call('openFile', decodeAs?.length ? { path, decodeAs } : { path }, {
        signal: abort.signal,
        onProgress: (p) => {
          this.progress(task, p);
          if (early === null) {
            early = p.session;
            void engine.call('sessionInfo', { session: p.session }).then((i) => {
              if (early === i.session && !abort.signal.aborted) show(i);
            }, () => undefined);
          }
        },
      });
      done(info);
      this.bridge?.addRecentFile(path);
      return true;
    } catch (err) {
      const { session } = errorParts(err);
      let kept = false;
      if (session !== null) {
        // EDAMAGED: the frames before the damage stay open.
        try {
          done(await engine.call('sessionInfo', { session }));
          kept = true;
        } catch {
          // gone after all
        }
      }
      if (!kept && previous && this.session?.session !== previous.session) {
        // The new session went with its failure: back to the capture shown before.
        try {
          this.attach(await engine.call('sessionInfo', { session: previous.session }));
        } catch {
          // closed meanwhile
        }
      }
      if (!isCancellation(err)) this.showError(err, `Opening ${baseName(path)}`);
      return false;
    } finally {
      this.endTask(task);
    }
  }

  /** Stops and closes a session no longer shown. */
  private async retire(old: SessionInfo): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    if (old.state === 'capturing') await engine.call('stopCapture', { session: old.session }).catch(() => undefined);
    await engine.call('closeSession', { session: old.session }).catch(() => undefined);
  }

  async startCapture(params: CaptureParams): Promise<boolean> {
    const engine = this.engine;
    if (!engine || this.captureBusy) return false;
    if (!this.confirmDiscard('Starting a new capture')) return false;
    this.captureBusy = true;
    // The session shown stays until the new capture runs: a capture that cannot start loses nothing.
    const previous = this.session;
    try {
      if (this.capturing) await this.stopCapture();
      this.lastCapture = params;
      const info = await engine.call('startCapture', params);
      this.attach(info);
      if (previous) void this.retire(previous);
      return true;
    } catch (err) {
      if (!isCancellation(err)) this.showError(err, 'Starting the capture');
      return false;
    } finally {
      this.captureBusy = false;
    }
  }

  async stopCapture(): Promise<void> {
    const engine = this.engine;
    const s = this.session;
    if (!engine || !s || s.state !== 'capturing') return;
    try {
      const result = await engine.call('stopCapture', { session: s.session });
      if (this.session?.session === s.session) this.statistics = result.statistics;
    } catch (err) {
      if (errorParts(err).code !== 'ENOTLIVE') this.showError(err, 'Stopping the capture');
    }
    await this.refreshInfo();
  }

  /**
   * Replaces the running capture's CIDR watchlist (the Statistics tab's editor): in place when it
   * has one, else by a program swap. Resolves to null when done, else the engine's sentence (a
   * bad prefix, too many rules); the watchlist is then as it was.
   */
  async watch(rules: Array<{ name: string; prefixes: string[] }>): Promise<string | null> {
    const engine = this.engine;
    const s = this.session;
    if (!engine || !s || s.state !== 'capturing') return 'The capture is not running';
    try {
      await engine.call('watch', { session: s.session, rules });
    } catch (err) {
      return errorParts(err).message;
    }
    await this.refreshInfo();
    this.followRunningSettings();
    return null;
  }

  /**
   * "Apply to running capture": another filter and kernel stages for the running capture, swapped
   * into the kernel atomically. Resolves to null when done, else why not (libpcap's message for a
   * bad filter: the capture keeps its program).
   */
  async applyToCapture(settings: { filter: string; preset?: string; stages?: KernelStagesSpec }): Promise<string | null> {
    const engine = this.engine;
    const s = this.session;
    if (!engine || !s || s.state !== 'capturing') return 'The capture is not running';
    try {
      const params: EngineParams<'setCaptureFilter'> = { session: s.session, filter: settings.filter };
      if (settings.preset) params.preset = settings.preset;
      if (settings.stages) params.stages = settings.stages;
      await engine.call('setCaptureFilter', params);
    } catch (err) {
      return errorParts(err).message;
    }
    await this.refreshInfo();
    this.followRunningSettings();
    this.startPageRequested = false;
    this.addBanner('info', 'Applied to the running capture', `${settings.filter ? `Capture filter “${settings.filter}”` : 'No capture filter'}${settings.preset ? `, preset “${settings.preset}”` : ''}: packets from now on follow it.`);
    return null;
  }

  /** Restart uses the running capture's settings as they now are (after a watchlist edit or a new filter). */
  private followRunningSettings(): void {
    const c = this.session?.capture;
    if (!c) return;
    const next: CaptureParams = { ...(this.lastCapture ?? { interfaces: c.interfaces }), filter: c.filter };
    delete next.preset;
    delete next.stages;
    if (c.preset) next.preset = c.preset;
    if (c.stages) next.stages = c.stages;
    this.lastCapture = next;
  }

  /** Settings a Start or Restart uses: the last capture's, or those of the live session shown (after a reload). */
  get captureSettings(): CaptureParams | null {
    if (this.lastCapture) return this.lastCapture;
    const c = this.session?.capture;
    if (!c) return null;
    const params: CaptureParams = { interfaces: c.interfaces, filter: c.filter };
    if (c.preset) params.preset = c.preset;
    if (c.stages) params.stages = c.stages;
    if (c.snapLen > 0 && c.snapLen <= 262144) params.snapLen = c.snapLen;
    return params;
  }

  /** Ctrl+E: stops a running capture, else starts one with the last settings (or shows the options). */
  async toggleCapture(): Promise<void> {
    const settings = this.captureSettings;
    if (this.capturing) await this.stopCapture();
    else if (settings) await this.startCapture(settings);
    else this.startPageRequested = true;
  }

  async restartCapture(): Promise<void> {
    const settings = this.captureSettings;
    if (settings) await this.startCapture(settings);
    else this.startPageRequested = true;
  }

  private scheduleInfo(): void {
    if (this.infoTimer !== null) return;
    this.infoTimer = setTimeout(() => {
      this.infoTimer = null;
      void this.refreshInfo();
    }, 1000);
  }

  async refreshInfo(): Promise<void> {
    const s = this.session;
    if (!s || !this.engine) return;
    try {
      const info = await this.engine.call('sessionInfo', { session: s.session });
      if (this.session?.session === info.session) this.updateInfo(info);
    } catch {
      // closed meanwhile: sessionClosed tells
    }
  }

  private updateInfo(info: SessionInfo): void {
    this.session = info;
    this.list.setLive(info.state === 'capturing');
    if (info.frames > this.frames) this.frames = info.frames;
    if (info.capture) this.statistics = info.capture.statistics;
    this.marked = info.marked ?? this.marked;
    this.ignored = info.ignored ?? this.ignored;
    const v = this.view && info.views.find((x) => x.view === this.view!.view);
    if (v && v.matches > this.matches) this.matches = v.matches;
    this.list.grow(this.displayed);
  }

  // ---- display filter --------------------------------------------------------------------------

  /** Validates a filter as the user types: null when fine, else the parser's message. */
  async checkFilter(filter: string): Promise<string | null> {
    if (filter.trim() === '' || !this.engine) return null;
    try {
      await this.engine.call('checkFilter', { filter });
      return null;
    } catch (err) {
      return errorParts(err).message;
    }
  }

  /** Applies a display filter ('' shows every packet). Resolves false when the filter was refused. */
  async applyFilter(filter: string): Promise<boolean> {
    const engine = this.engine;
    const s = this.session;
    if (!engine || !s) return false;
    const text = filter.trim();
    const keep = { keepSelection: true };
    if (text === '') {
      const old = this.view;
      this.view = null;
      this.matches = 0;
      this.appliedFilter = '';
      this.list.setSource(this.rowSource(s.session, null), this.frames, keep);
      if (old) void engine.call('dropView', { session: s.session, view: old.view }).catch(() => undefined);
      this.keepSelected();
      return true;
    }
    const abort = new AbortController();
    const task = this.startTask(`Filtering: ${text}`, 'frames', () => abort.abort());
    let shown = false;
    const show = (view: number, matches: number): void => {
      if (shown || this.session?.session !== s.session) return;
      shown = true;
      this.view = { view, filter: text, matches, framesDone: 0, framesTotal: this.frames, error: null };
      this.matches = matches;
      this.appliedFilter = text;
      this.list.setSource(this.rowSource(s.session, view), matches, keep);
    };
    const onProgress = (p: ProgressEvent): void => {
      this.progress(task, p);
      if (p.view !== undefined) show(p.view, p.matches ?? 0);
    };
    try {
      const old = this.view;
      const info = old
        ? await engine.call('updateView', { session: s.session, view: old.view, filter: text }, { signal: abort.signal, onProgress })
        : await engine.call('createView', { session: s.session, filter: text }, { signal: abort.signal, onProgress });
      show(info.view, info.matches);
      if (this.session?.session === s.session) {
        this.view = info;
        this.matches = Math.max(this.matches, info.matches);
        this.list.grow(this.matches);
        this.keepSelected();
      }
      return true;
    } catch (err) {
      if (isCancellation(err)) {
        // A cancelled filter shows every packet again.
        await this.applyFilter('');
        return false;
      }
      this.showError(err, 'Applying the display filter');
      return false;
    } finally {
      this.endTask(task);
    }
  }

  // ---- packets ---------------------------------------------------------------------------------

  /**
   * A field of the shown packet whole (Copy Value of a byte field the packet reply cut, see
   * PacketField.cut): the packet asked for again with its full values, the node found by its id.
   */
  async fullFieldText(nodeId: string): Promise<string | null> {
    const s = this.session;
    const number = this.detail?.number;
    if (!s || !this.engine || number === undefined) return null;
    const params: EngineParams<'packet'> = { session: s.session, number, fullValues: true };
    if (anyNames(this.names)) params.names = this.names;
    const full = await this.engine.call('packet', params);
    const field = buildTree(full.layers).get(nodeId)?.field;
    return field ? field.text || String(field.value ?? '') : null;
  }

  /** Loads the selected frame's tree and bytes (once: asking again for the frame shown or on its way does nothing). */
  loadDetail(number: number | null): Promise<void> {
    const s = this.session;
    if (number !== null && s && this.detail?.number === number) return Promise.resolve();
    if (number !== null && s && this.detailLoading === number && this.detailPending) return this.detailPending;
    const pending = this.fetchDetail(number);
    this.detailPending = pending;
    return pending;
  }

  private async fetchDetail(number: number | null): Promise<void> {
    const s = this.session;
    this.detailAbort?.abort();
    this.detailAbort = null;
    this.detailLoading = null;
    if (number === null || !s || !this.engine) {
      this.detail = null;
      return;
    }
    const abort = new AbortController();
    this.detailAbort = abort;
    this.detailLoading = number;
    try {
      const params: EngineParams<'packet'> = { session: s.session, number };
      if (anyNames(this.names)) params.names = this.names;
      const detail = await this.engine.call('packet', params, { signal: abort.signal });
      if (!abort.signal.aborted) {
        this.detail = detail;
        this.detailError = null;
      }
    } catch (err) {
      if (!abort.signal.aborted && !isCancellation(err)) {
        this.detail = null;
        this.detailError = `Packet ${number} could not be read: ${errorParts(err).message}`;
      }
    } finally {
      if (this.detailAbort === abort) {
        this.detailAbort = null;
        this.detailLoading = null;
      }
    }
  }

  /** Go to packet N (Ctrl+G): in frame order without a filter, else by looking the frame up. */
  async goToPacket(number: number): Promise<boolean> {
    if (!this.session || number < 1 || number > this.frames) return false;
    if (!this.view && !this.list.sort) {
      this.list.select(number - 1, number);
      return true;
    }
    return this.findAndSelect(number, Number.MAX_SAFE_INTEGER);
  }

  /**
   * Selects frame `number` in a filtered or sorted list by scanning its rows (as Wireshark does),
   * looking at most at `limit` rows; false when it is not there.
   */
  private async findAndSelect(number: number, limit: number): Promise<boolean> {
    const s = this.session;
    const engine = this.engine;
    if (!s || !engine) return false;
    const view = this.view?.view ?? null;
    const sort = this.list.sort;
    const page = 1000;
    for (let start = 0; start < Math.min(this.displayed, limit); start += page) {
      const params: EngineParams<'rows'> = { session: s.session, start, count: page };
      if (view !== null) params.view = view;
      if (sort) params.sort = sort;
      const { rows } = await engine.call('rows', params);
      // The list changed meanwhile (another filter, another order): this search is moot.
      if (this.session !== s || (this.view?.view ?? null) !== view || this.list.sort !== sort) return false;
      const k = rows.findIndex((r) => r.number === number);
      if (k >= 0) {
        this.list.select(start + k, number);
        return true;
      }
      if (rows.length < page) break;
    }
    return false;
  }

  /** After a new filter, the packet selected before stays selected (and in view) when it is displayed. */
  private keepSelected(): void {
    const number = this.list.selectedNumber;
    if (number === null || this.list.selectedIndex >= 0) return;
    if (!this.view && !this.list.sort) this.list.select(number - 1, number);
    else void this.findAndSelect(number, 100_000).catch(() => false);
  }

  // ---- time display, marks, find --------------------------------------------------------------

  /** Other field columns: the rows are fetched again. */
  setFieldColumns(columns: FieldColumn[]): void {
    this.fieldColumns = columns;
    if (this.session) this.list.refresh();
  }

  /**
   * Analyze › Decode As on the session shown: a file is opened again with the rules; a live
   * capture's frames are dissected again in place (the engine's setDecodeAs, as Wireshark
   * redissects), and the frames captured afterwards use the rules too.
   */
  async decodeAs(rules: DecodeAsRule[]): Promise<void> {
    const s = this.session;
    const engine = this.engine;
    if (!s || !engine) return;
    if (s.kind === 'file') {
      await this.openFile(s.path, rules);
      return;
    }
    try {
      const info = await engine.call('setDecodeAs', { session: s.session, decodeAs: rules });
      if (this.session?.session !== info.session) return;
      this.updateInfo(info);
      // The filter shown is run again on what the frames read now.
      if (this.view) await this.applyFilter(this.appliedFilter);
      else this.list.refresh();
      const number = this.detail?.number ?? null;
      if (number !== null) this.detailPending = this.fetchDetail(number);
    } catch (err) {
      this.showError(err, 'Decode As');
    }
  }

  /** Other names shown (View › Name Resolution): the rows and the selected packet's details are fetched again. */
  setNames(names: NameResolutionFlags): void {
    this.names = names;
    if (!this.session) return;
    this.list.refresh();
    // The tree shown stays until the one with the new names comes.
    const number = this.detail?.number ?? this.detailLoading;
    if (number !== null) this.detailPending = this.fetchDetail(number);
  }

  /** Another Time column format: the rows are fetched again. */
  setTimeDisplay(t: TimeDisplay): void {
    this.timeDisplay = t;
    if (this.session) this.list.refresh();
  }

  /**
   * Sets a flag on the selected packet (toggling it: Ctrl+M, Ctrl+D) or on every displayed one
   * (Edit › Mark All Displayed…): the engine keeps it, the rows are fetched again.
   */
  async setFrameFlag(flag: FrameFlag, target: 'selected' | 'displayed', value?: boolean): Promise<void> {
    const engine = this.engine;
    const s = this.session;
    if (!engine || !s) return;
    const params: EngineParams<'setFrameFlag'> = { session: s.session, flag, value: value ?? true };
    if (target === 'selected') {
      const number = this.list.selectedNumber;
      if (number === null) return;
      const row = this.list.selectedRow;
      params.frames = [number];
      params.value = value ?? !(row?.number === number && row[flag] === true);
    } else {
      params.displayed = true;
      if (this.view) params.view = this.view.view;
    }
    try {
      const result = await engine.call('setFrameFlag', params);
      if (this.session?.session !== s.session) return;
      this.marked = result.marked;
      this.ignored = result.ignored;
      // Ignored packets match no display filter: the filter shown is run again.
      if (flag === 'ignored' && result.changed > 0 && this.view) await this.applyFilter(this.appliedFilter);
      else this.list.refresh();
    } catch (err) {
      this.showError(err, flag === 'marked' ? 'Marking packets' : 'Ignoring packets');
    }
  }

  /**
   * Find Packet, Next Mark, Next Packet in Conversation: the first packet after (or before) the
   * selected one, in the list's order, that matches; selects it. Resolves to null when found, else
   * what to tell the user.
   */
  async findPacket(find: FindQuery, backwards = false): Promise<string | null> {
    const engine = this.engine;
    const s = this.session;
    if (!engine || !s) return 'No capture is open';
    const params: EngineParams<'findFrame'> = { session: s.session, from: this.list.selectedNumber ?? 0, find };
    if (backwards) params.backwards = true;
    const view = this.view;
    if (view) params.view = view.view;
    const abort = new AbortController();
    const task = find.kind === 'filter' ? this.startTask(`Finding: ${find.filter}`, 'frames', () => abort.abort()) : null;
    try {
      const result = await engine.call('findFrame', params, { signal: abort.signal, onProgress: (p) => task && this.progress(task, p) });
      if (this.session?.session !== s.session) return null;
      if (result.frame === null) return find.kind === 'conversation' ? 'No other packet of this conversation is displayed' : find.kind === 'marked' ? 'No other packet is marked' : 'No packet matched';
      if (!this.list.sort && this.view === view && result.index !== null) this.list.select(result.index, result.frame);
      else if (!(await this.goToPacket(result.frame))) return `Packet ${result.frame} is not displayed`;
      return null;
    } catch (err) {
      if (isCancellation(err)) return 'Cancelled';
      return errorParts(err).message;
    } finally {
      if (task) this.endTask(task);
    }
  }

  /** Statistics › Capture File Properties: capinfos' facts. */
  async captureProperties(): Promise<CaptureProperties | null> {
    const engine = this.engine;
    const s = this.session;
    if (!engine || !s) return null;
    try {
      return await engine.call('captureProperties', { session: s.session });
    } catch (err) {
      this.showError(err, 'Reading the capture file properties');
      return null;
    }
  }

  // ---- saving ----------------------------------------------------------------------------------

  /** The name a saved file gets by default. */
  defaultSaveName(format: CaptureFormat, displayedOnly: boolean): string {
    const s = this.session;
    const stem = s?.kind === 'file' ? baseName(s.path).replace(/\.gz$/i, '').replace(/\.(pcapng|pcap|cap)$/i, '') : `sievecap-capture-${s?.session ?? 0}`;
    return `${stem}${displayedOnly ? '-filtered' : ''}.${format}`;
  }

  /** The serve-mode download URL of the session (or its displayed packets, narrowed as Export Specified Packets asks). */
  downloadUrl(format: CaptureFormat, displayedOnly: boolean, narrowing: ExportNarrowing = {}): string | null {
    const s = this.session;
    if (!s) return null;
    const q = new URLSearchParams({ session: String(s.session), format });
    if (displayedOnly && this.view) q.set('view', String(this.view.view));
    if (narrowing.marked) q.set('marked', '1');
    if (narrowing.removeIgnored) q.set('removeIgnored', '1');
    if (narrowing.ranges) q.set('ranges', narrowing.ranges.map((r) => `${r.first}-${r.last}`).join(','));
    const token = serveToken();
    if (token) q.set('token', token);
    return `download?${q.toString()}`;
  }

  /**
   * Save / Save As / Export Specified Packets: Electron asks where (its Save dialog) and the
   * engine writes the file; serve mode downloads it through the browser.
   */
  async save(format: CaptureFormat, displayedOnly: boolean, narrowing: ExportNarrowing = {}): Promise<boolean> {
    const engine = this.engine;
    const s = this.session;
    if (!engine || !s) return false;
    const exportView = displayedOnly && this.view ? this.view.view : null;
    const narrowed = narrowing.marked === true || narrowing.removeIgnored === true || narrowing.ranges !== undefined;
    const framesNow = this.frames;
    if (!this.bridge) {
      const url = this.downloadUrl(format, displayedOnly, narrowing);
      if (!url) return false;
      const a = document.createElement('a');
      a.href = url;
      a.download = this.defaultSaveName(format, exportView !== null || narrowed);
      a.rel = 'noopener';
      document.body.append(a);
      a.click();
      a.remove();
      if (exportView === null && !narrowed) this.savedFrames = framesNow;
      return true;
    }
    const path = await this.bridge.saveFileDialog({ defaultName: this.defaultSaveName(format, exportView !== null || narrowed), format });
    if (!path) return false;
    const abort = new AbortController();
    const task = this.startTask(`Saving ${baseName(path)}`, 'frames', () => abort.abort());
    try {
      const params: EngineParams<'saveFile'> = { session: s.session, path, format };
      if (exportView !== null) params.view = exportView;
      if (narrowing.marked) params.marked = true;
      if (narrowing.removeIgnored) params.removeIgnored = true;
      if (narrowing.ranges) params.ranges = narrowing.ranges;
      const result = await engine.call('saveFile', params, { signal: abort.signal, onProgress: (p) => this.progress(task, p) });
      if (exportView === null && !narrowed) this.savedFrames = Math.max(framesNow, result.frames);
      this.addBanner('info', `Saved ${result.frames} packets`, `to ${result.path}`);
      this.bridge.addRecentFile(result.path);
      return true;
    } catch (err) {
      if (!isCancellation(err)) this.showError(err, 'Saving the capture');
      return false;
    } finally {
      this.endTask(task);
    }
  }

  // ---- long work and messages ------------------------------------------------------------------

  startTask(label: string, unit: Task['unit'], cancel: (() => void) | null): Task {
    const task: Task = { id: this.nextTask++, label, done: 0, total: 0, unit, cancel };
    this.tasks = [...this.tasks, task];
    return task;
  }

  progress(task: Task, p: ProgressEvent): void {
    this.tasks = this.tasks.map((t) => (t.id === task.id ? { ...t, done: p.done, total: p.total, unit: p.task === 'load' ? 'bytes' : 'frames' } : t));
  }

  setProgress(task: Task, done: number, total: number): void {
    this.tasks = this.tasks.map((t) => (t.id === task.id ? { ...t, done, total } : t));
  }

  endTask(task: Task): void {
    this.tasks = this.tasks.filter((t) => t.id !== task.id);
  }

  addBanner(kind: Banner['kind'], title: string, message: string): void {
    // The same message twice in a row is shown once.
    if (this.banners.some((b) => b.title === title && b.message === message)) return;
    const id = this.nextBanner++;
    this.banners = [...this.banners.slice(-4), { id, kind, title, message }];
    // Errors stay until dismissed; a note of success goes by itself.
    if (kind === 'info') setTimeout(() => this.dismiss(id), INFO_BANNER_MS);
  }

  showError(err: unknown, action: string): void {
    const { code, message } = errorParts(err);
    this.addBanner(code === 'EDAMAGED' ? 'warning' : 'error', errorTitle(code, action), message);
  }

  dismiss(id: number): void {
    this.banners = this.banners.filter((b) => b.id !== id);
  }
}
