/**
 * EngineSession: one open capture file or live capture, as the service API sees it — its
 * PacketStore, its display-filter views and reports by id, the requests running on it, and
 * everything closed and removed as one (views and feeds dropped, running requests answered
 * ECLOSED, the live spool deleted).
 */
import * as fs from 'node:fs';
import { linkTypeDescription, linkTypeShortName } from '../../pcap/linktype';
import type { DecodeAsRule, ErrorData, ReportInfo, SessionInfo, ViewInfo } from '../../rpc/engine-protocol';
import type { StatisticsReport } from '../../stats/report';
import type { FilterView } from '../filter-view';
import type { PcapngInterfaceOptions } from '../../pcap/pcapng-writer';
import type { ReportFeed } from '../report-feed';
import type { PacketStore } from '../store';
import type { SessionCapture } from './capture';
import { EngineError, nsString } from './plain';
import { FrameFlags } from './frame-flags';
import { interfaceFacts, type InterfaceFacts } from './capture-properties';

/**
 * Calls `fire` at most once per `intervalMs`; a call that comes sooner is made at the end of the
 * interval (so the last state is always told). `fire` reads the state when it runs, never a stale copy.
 */
export class Throttle {
  private last = -Infinity;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs: number, private readonly fire: () => void) {}

  poke(): void {
    const now = performance.now();
    if (now - this.last >= this.intervalMs) {
      this.cancel();
      this.last = now;
      this.fire();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.last = performance.now();
        this.fire();
      }, this.intervalMs - (now - this.last));
      this.timer.unref();
    }
  }

  /** Fires now, whether or not a call is waiting. */
  fireNow(): void {
    this.cancel();
    this.last = performance.now();
    this.fire();
  }

  /** Fires now if a call is waiting. */
  flush(): void {
    if (this.timer === null) return;
    this.cancel();
    this.last = performance.now();
    this.fire();
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

export interface SessionView {
  readonly id: number;
  filterView: FilterView;
  /** The createView/updateView request waiting for this view, for its progress events. */
  request: number | null;
  readonly progress: Throttle;
}

export interface SessionReport {
  readonly id: number;
  /** Replaced by a fresh report when frames are ignored or no longer are (it counts again from frame 1). */
  report: StatisticsReport;
  feed: ReportFeed;
  /** report.finish() was called (the capture had ended and every frame was fed). */
  finished: boolean;
}

export type SessionState = SessionInfo['state'];

export class EngineSession {
  readonly views = new Map<number, SessionView>();
  readonly reports = new Map<number, SessionReport>();
  /** Requests running on this session: closing it aborts them with ECLOSED. */
  readonly requests = new Set<AbortController>();
  state: SessionState;
  loadProgress = { bytesDone: 0, bytesTotal: 0 };
  loadMilliseconds: number | null = null;
  loadError: ErrorData | null = null;
  closed = false;
  /** Set by the service: tells listeners about new frames (throttled). */
  framesAppended: Throttle | null = null;
  /** A capture through the helper feeding this session: its settings and latest counters. */
  capture: SessionCapture | null = null;
  /** A live session's interface description blocks (saveFile writes them again), by interface id. */
  interfaceDetails: PcapngInterfaceOptions[] = [];
  /** Marked and ignored frames. */
  readonly flags = new FrameFlags();
  /** Decode As rules the file was opened with. */
  decodeAs: DecodeAsRule[] = [];
  private facts: InterfaceFacts[] | null = null;

  constructor(
    readonly id: number,
    readonly kind: 'file' | 'live',
    readonly path: string,
    readonly store: PacketStore,
    /** Interface names (live captures), by interface id. */
    private readonly interfaceNames: readonly (string | undefined)[] = [],
    /** A directory the session owns and removes on close (a live capture's spool). */
    private readonly ownedDir: string | null = null,
  ) {
    this.state = kind === 'file' ? 'loading' : 'capturing';
  }

  /** The interfaces' facts (name, snap length, time stamp digits), read from the file once its interfaces are all known. */
  interfaces(): InterfaceFacts[] {
    const linkTypes = this.store.interfaceLinkTypes;
    if (this.facts && this.facts.length === linkTypes.length) return this.facts;
    this.facts = interfaceFacts(this.kind, this.path, linkTypes, this.kind === 'live' ? this.interfaceDetails : []);
    return this.facts;
  }

  /** Digits of frame k's time stamps (0-based k): its interface's resolution. */
  timeDigits(k: number): number {
    return this.interfaces()[this.store.index.interfaceId[k]!]?.timeDigits ?? 9;
  }

  /** No more frames will come: reports may be finished. */
  get ended(): boolean {
    return this.state === 'loaded' || this.state === 'stopped';
  }

  view(id: number): SessionView {
    const view = this.views.get(id);
    if (!view) throw new EngineError('ENOVIEW', `session ${this.id} has no view ${id}${this.views.size ? ` (its views: ${[...this.views.keys()].join(', ')})` : ''}`);
    return view;
  }

  report(id: number): SessionReport {
    const report = this.reports.get(id);
    if (!report) throw new EngineError('ENOREPORT', `session ${this.id} has no report ${id}${this.reports.size ? ` (its reports: ${[...this.reports.keys()].join(', ')})` : ''}`);
    return report;
  }

  dropView(id: number): void {
    const entry = this.view(id);
    entry.progress.cancel();
    this.store.dropView(entry.filterView);
    this.views.delete(id);
  }

  viewInfo(entry: SessionView): ViewInfo {
    const v = entry.filterView;
    return {
      view: entry.id,
      filter: v.text,
      matches: v.count(),
      framesDone: Math.min(v.framesDone, this.store.count()),
      framesTotal: this.store.count(),
      error: v.error ? { code: 'EREAD', message: v.error.message } : null,
    };
  }

  reportInfo(entry: SessionReport): ReportInfo {
    return { report: entry.id, spec: entry.report.spec, framesFed: entry.feed.fed };
  }

  info(): SessionInfo {
    const store = this.store;
    const frames = store.count();
    const file = store.fileInfo;
    return {
      session: this.id,
      kind: this.kind,
      path: this.path,
      state: this.state,
      frames,
      loading: { ...this.loadProgress, milliseconds: this.loadMilliseconds, error: this.loadError },
      interfaces: store.interfaceLinkTypes.map((linkType, i) => ({
        linkType,
        linkTypeName: linkTypeShortName(linkType),
        linkTypeDescription: linkTypeDescription(linkType),
        name: this.interfaceNames[i] ?? null,
      })),
      file: file === null ? null : { format: file.format, compressed: file.compressed, nanosecond: file.nanosecond, byteOrder: file.byteOrder, version: file.version },
      bytes: this.kind === 'file' ? this.loadProgress.bytesTotal : this.fileSize(),
      firstTime: frames > 0 ? nsString(store.tsNs(0)) : null,
      lastTime: frames > 0 ? nsString(store.tsNs(frames - 1)) : null,
      marked: this.flags.marked,
      ignored: this.flags.ignored,
      ...(this.decodeAs.length ? { decodeAs: this.decodeAs.map((d) => ({ ...d })) } : {}),
      views: [...this.views.values()].map((v) => this.viewInfo(v)),
      reports: [...this.reports.values()].map((r) => this.reportInfo(r)),
      ...(this.capture === null
        ? {}
        : { capture: { ...this.capture, interfaces: [...this.capture.interfaces], statistics: this.capture.statistics.map((s) => ({ ...s })) } }),
    };
  }

  /** Closes everything the session holds; running requests answer `reason`. Safe to call twice. */
  close(reason: EngineError): void {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.requests) controller.abort(reason);
    this.requests.clear();
    for (const v of this.views.values()) v.progress.cancel();
    this.framesAppended?.cancel();
    this.views.clear();
    this.reports.clear();
    try {
      this.store.close();
    } finally {
      if (this.ownedDir !== null) fs.rmSync(this.ownedDir, { recursive: true, force: true });
    }
  }

  private fileSize(): number {
    try {
      return fs.statSync(this.path).size;
    } catch {
      return 0;
    }
  }
}
