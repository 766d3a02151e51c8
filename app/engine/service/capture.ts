/**
 * Live captures of the engine service through the privileged capture helper (app/helper).
 *
 * - The helper is started when the first capture needs it (or at once by startHelperNow(), for a
 *   `sievecap serve` run as root that then gives up its privileges) and kept for later captures: it
 *   accepts a new `start` after a `stop`. If it dies it is started again by the next capture.
 * - One capture at a time (the helper runs one per connection): a second answers EBUSY.
 * - Its batches (pcapng EPBs) go into a live session's spool as they arrive; its kernel counters are
 *   polled about once a second (captureStatistics events, SessionInfo.capture.statistics).
 * - Whatever ends a capture early (an interface vanished or went down, the helper died, the spool's
 *   disk filled up) is a captureError event; the session is then 'stopped' and keeps its frames.
 * - While it runs, its CIDR watchlist changes in place (the helper's `watch`: no reload, counters
 *   kept) and its filter and stages change by an atomic program swap (the helper's `setFilter`);
 *   both are checked here first (libpcap, the watchlist's prefixes), so a bad one changes nothing.
 */
import { MAX_WATCH_RULES, watchKey } from '../../../bpf/programs/watchlist';
import { compileFilter, FilterSyntaxError } from '../../capture/filter';
import { chooseCliRoute, HelperClient, HelperStartError, type HelperEvents, type LaunchRoute } from '../../helper/client';
import { linkTypeToDlt } from '../../pcap/linktype';
import type { PcapngInterfaceOptions } from '../../pcap/pcapng-writer';
import type { CaptureStatistics, EngineEvent, EngineParams, EngineResult, ErrorData } from '../../rpc/engine-protocol';
import type { DecodedBatch, HelperMethod, HelperParams, HelperResult, InterfaceStatistics, KernelStagesSpec } from '../../rpc/helper-protocol';
import { hasKernelStages } from '../../rpc/kernel-stages';
import { interfaceLinkType } from './interfaces';
import { EngineError } from './plain';
import type { EngineSession } from './session';

/** What the engine needs of a started helper (HelperClient; a fake one in unit tests). */
export interface HelperConnection {
  readonly pid: number;
  request<M extends HelperMethod>(method: M, params: HelperParams<M>): Promise<HelperResult<M>>;
  /** Disconnects: the helper stops its capture and exits. */
  close(): void;
  exited(timeoutMs?: number): Promise<boolean>;
}

export type HelperStarter = (route: LaunchRoute, events: HelperEvents) => Promise<HelperConnection>;

/** The engine's default: the helper as a child when this process can capture, else pkexec with the installed launcher, else EPERM. */
export function defaultCaptureRoute(): LaunchRoute {
  return chooseCliRoute({ uid: process.getuid!(), gid: process.getgid!() });
}

export const DEFAULT_SNAPLEN = 262144;
/**
 * Kernel ring per interface: four times the CLI's default -B. The desktop's engine indexes every
 * frame and answers the window between batches, so it can pause longer than the CLI's writer; at
 * 50,000 packets a second of everyday traffic (about 32 MB/s) this holds a second of it.
 */
const RING_BYTES = 32 * 1024 * 1024;
/** How long the helper may take to drain its rings and answer `stop`. */
const STOP_TIMEOUT_MS = 10_000;
/** Prefixes per helper `watch` request (its requests are at most 64 KiB of JSON). */
const WATCH_CHANGES_PER_REQUEST = 256;

export type WatchRules = Array<{ name: string; prefixes: string[] }>;

/** What a session knows of the capture feeding it (SessionInfo.capture). */
export interface SessionCapture {
  interfaces: string[];
  filter: string;
  preset: string | null;
  /** Kernel stages after the filter (the preset's), as the helper was asked for them; absent: none. */
  stages?: KernelStagesSpec;
  snapLen: number;
  statistics: CaptureStatistics[];
  error: ErrorData | null;
}

/** What the controller asks of the service. */
export interface CaptureHost {
  /** A live session for the started interfaces (its `opened` event names `request`). */
  createSession(interfaces: PcapngInterfaceOptions[], request: number, capture: SessionCapture): EngineSession;
  /** The capture fed no more frames: state 'stopped', framesAppended flushed, captureEnded told. */
  ended(session: EngineSession): void;
  emit(event: EngineEvent): void;
}

export interface CaptureOptions {
  route: () => LaunchRoute;
  startHelper: HelperStarter;
  statisticsIntervalMs: number;
  /** Traffic to leave out of every capture (a capture filter), or null. */
  exclusion: () => string | null;
}

/** The filter the kernel runs: the user's, less the host's exclusion. */
export function effectiveFilter(filter: string, exclusion: string | null): string {
  if (!exclusion) return filter;
  return filter.trim() ? `(${filter}) and not (${exclusion})` : `not (${exclusion})`;
}

interface ActiveCapture {
  /** Null until the helper has started capturing. */
  session: EngineSession | null;
  /** Batches that came before the session existed. */
  early: DecodedBatch[];
  poller: NodeJS.Timeout | null;
  polling: boolean;
  /** A problem ended it: the helper's last frames are still taken while it stops. */
  failed: boolean;
  /** Over: nothing more is appended. */
  finished: boolean;
  /** The helper's answer to `stop` (once asked). */
  stopping: Promise<InterfaceStatistics[] | null> | null;
  /** The interfaces' link types and the snap length, to check a new filter as start() did. */
  linkTypes: number[];
  snapLen: number;
  /**
   * Rule names that hold a counter in the helper's watchlist: a rule keeps its counter for the
   * program's life, even with all its prefixes removed (MAX_WATCH_RULES counters in all).
   */
  watchCounters: Set<string>;
  /** The change of filter or watchlist under way: the next one waits for it. */
  changing: Promise<unknown>;
}

function statisticsOf(s: InterfaceStatistics): CaptureStatistics {
  return {
    interface: s.name,
    received: s.received,
    dropped: s.dropped,
    seenPackets: s.seenPackets,
    acceptedPackets: s.acceptedPackets,
    ...(s.rules ? { rules: s.rules.map((r) => ({ ...r })) } : {}),
    ...(s.mix ? { mix: { ethertypes: s.mix.ethertypes.map((e) => ({ ...e })), ipProtocols: s.mix.ipProtocols.map((p) => ({ ...p })) } } : {}),
  };
}

/** A watchlist prefix as the kernel keys it ('4:...' / '6:...'), so '10.0.0.1' and '10.0.0.1/32' are one. */
function prefixKey(cidr: string): string {
  const { version, key } = watchKey(cidr);
  return `${version}:${key.toString('hex')}`;
}

/**
 * Checks a watchlist as the helper will take it: every prefix an address or CIDR prefix, none in
 * two rules. Returns each prefix by its kernel key with its rule; EWATCHLIST naming the first problem.
 */
export function checkWatchlist(rules: readonly { name: string; prefixes: readonly string[] }[]): Map<string, { rule: string; text: string }> {
  if (rules.length > MAX_WATCH_RULES) throw new EngineError('EWATCHLIST', `a watchlist has at most ${MAX_WATCH_RULES} rules; this one has ${rules.length}`);
  const out = new Map<string, { rule: string; text: string }>();
  for (const rule of rules) {
    for (const text of rule.prefixes) {
      let key: string;
      try {
        key = prefixKey(text);
      } catch (err) {
        throw new EngineError('EWATCHLIST', `rule “${rule.name}”: ${(err as Error).message}`);
      }
      const other = out.get(key);
      if (other && other.rule !== rule.name) throw new EngineError('EWATCHLIST', `${text} is in two rules, “${other.rule}” and “${rule.name}”: a prefix counts for one rule`);
      out.set(key, { rule: rule.name, text });
    }
  }
  return out;
}

/** Stages with the watchlist replaced (or taken away); undefined when no stage is left. */
function withWatchlist(stages: KernelStagesSpec | undefined, rules: WatchRules): KernelStagesSpec | undefined {
  const { watchlist: _old, ...others } = stages ?? {};
  const next: KernelStagesSpec = rules.length > 0 ? { ...others, watchlist: { rules } } : others;
  return hasKernelStages(next) ? next : undefined;
}

/** A helper's error code as the engine protocol names it. */
function engineCode(code: string | undefined): string {
  switch (code) {
    case 'EFILTER': return 'ECAPFILTER';
    case 'ENODEV':
    case 'ENXIO': return 'ENODEV';
    case 'EPERM':
    case 'EACCES': return 'EPERM';
    case 'ECONNRESET': return 'ENOHELPER';
    default: return code && /^E[A-Z0-9_]+$/.test(code) ? code : 'ENOHELPER';
  }
}

/** A failure to start the helper, as the engine protocol names it. */
function startError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const e = err as Error & { code?: string };
  if (err instanceof HelperStartError) {
    const code = e.code === 'EPERM' || e.code === 'EACCES' ? 'EPERM' : e.code === 'ECANCELED' ? 'ECANCELED' : 'ENOHELPER';
    return new EngineError(code, e.message);
  }
  return new EngineError('ENOHELPER', `the capture helper could not be started: ${e?.message ?? String(err)}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`${what} within ${ms / 1000} s`), { code: 'ETIMEDOUT' })), ms);
    }),
  ]);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class CaptureController {
  private helper: HelperConnection | null = null;
  private starting: Promise<HelperConnection> | null = null;
  private active: ActiveCapture | null = null;
  /** The last capture's `stop`: a new `start` waits for it, so no batch of the old capture reaches the new one. */
  private lastStop: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly host: CaptureHost, private readonly options: CaptureOptions) {}

  /** The running helper's process id, or null. */
  get helperPid(): number | null {
    return this.helper?.pid ?? null;
  }

  /** Starts the helper now (by `route`, else the configured one) unless it runs; resolves with its pid. */
  async startHelperNow(route?: LaunchRoute): Promise<number> {
    const helper = await this.ensureHelper(route);
    return helper.pid;
  }

  /** Starts a capture; resolves with its session once the helper is capturing. */
  async start(params: EngineParams<'startCapture'>, request: number, signal: AbortSignal): Promise<EngineSession> {
    if (this.closed) throw new EngineError('ENOHELPER', 'the engine is shutting down');
    if (this.active) {
      const s = this.active.session;
      throw new EngineError('EBUSY', `a capture is already running${s ? ` (session ${s.id}, on ${s.capture?.interfaces.join(', ')})` : ''}: the helper runs one capture at a time; stop it first`);
    }
    const names = params.interfaces;
    if (new Set(names).size !== names.length) throw new EngineError('EBADMSG', `an interface is named twice: ${names.join(', ')}`);
    const snapLen = params.snapLen ?? DEFAULT_SNAPLEN;
    // Checked here, before a password dialog: an unknown interface or a typo in the filter.
    const linkTypes = names.map((n) => interfaceLinkType(n));
    for (const linkType of new Set(linkTypes)) checkFilter(params.filter, linkType, snapLen);
    if (params.stages?.watchlist) checkWatchlist(params.stages.watchlist.rules);
    const kernelFilter = effectiveFilter(params.filter, this.options.exclusion());

    const active: ActiveCapture = {
      session: null,
      early: [],
      poller: null,
      polling: false,
      failed: false,
      finished: false,
      stopping: null,
      linkTypes,
      snapLen,
      watchCounters: new Set(params.stages?.watchlist?.rules.map((r) => r.name) ?? []),
      changing: Promise.resolve(),
    };
    this.active = active;
    let helperCapturing = false;
    try {
      const helper = await abortable(this.ensureHelper(), signal);
      await this.lastStop;
      if (signal.aborted) throw signal.reason;
      if (this.helper !== helper) throw new EngineError('ENOHELPER', 'the capture helper was lost before the capture started');
      let started: HelperResult<'start'>;
      try {
        started = await helper.request('start', {
          spec: {
            interfaces: names,
            filter: kernelFilter,
            snapLen,
            promiscuous: params.promiscuous ?? true,
            bufferBytes: RING_BYTES,
            recordFormat: 'pcapng',
            ...(params.stages ? { stages: params.stages } : {}),
          },
        });
      } catch (err) {
        const e = err as Error & { code?: string };
        throw new EngineError(engineCode(e.code), e.message);
      }
      helperCapturing = true;
      const capture: SessionCapture = {
        interfaces: started.interfaces.map((i) => i.name),
        filter: params.filter,
        preset: params.preset ?? null,
        ...(params.stages ? { stages: params.stages } : {}),
        snapLen,
        statistics: [],
        error: null,
      };
      const session = this.host.createSession(
        started.interfaces.map((i) => ({ linkType: i.linkType, name: i.name, snapLen: i.snapLen, filter: kernelFilter || undefined })),
        request,
        capture,
      );
      active.session = session;
      for (const b of active.early.splice(0)) this.append(active, b);
      active.poller = setInterval(() => this.poll(active), this.options.statisticsIntervalMs);
      active.poller.unref();
      if (signal.aborted) {
        // Cancelled as it started: the capture stops, the session stays (its id was told in `opened`).
        await this.stop(session).catch(() => undefined);
        throw signal.reason;
      }
      return session;
    } catch (err) {
      if (this.active === active && active.session === null) {
        // No session to take its frames (the spool could not be made): the helper stops at once.
        if (helperCapturing) void this.requestStop(active);
        this.active = null;
      }
      if (signal.aborted) throw signal.reason;
      // Starting the helper has mapped its own errors; others (the spool's) keep their code.
      throw err instanceof HelperStartError ? startError(err) : err;
    }
  }

  /** The running capture feeding `session`, else ENOTLIVE saying why there is none. */
  private running(session: EngineSession): ActiveCapture {
    const active = this.active;
    if (!active || active.session !== session || active.finished) {
      const why = session.kind !== 'live'
        ? 'is an opened file, not a live capture'
        : session.capture === null
          ? 'is fed by the engine’s host, not by a capture of the helper'
          : 'has a capture that has already ended';
      throw new EngineError('ENOTLIVE', `session ${session.id} ${why}`);
    }
    return active;
  }

  /**
   * Runs one change of the running capture's program or watchlist after the one under way (the
   * helper answers in order; the session's settings must follow in the same order).
   */
  private change<T>(session: EngineSession, work: (active: ActiveCapture, capture: SessionCapture, helper: HelperConnection) => Promise<T>): Promise<T> {
    const first = this.running(session);
    const run = first.changing.then(() => {
      const active = this.running(session);
      const helper = this.helper;
      if (active.failed || active.stopping || !helper || !session.capture) throw new EngineError('ENOTLIVE', `the capture of session ${session.id} is stopping`);
      return work(active, session.capture, helper);
    });
    first.changing = run.catch(() => undefined);
    return run;
  }

  /**
   * Replaces the running capture's filter and kernel stages (the helper swaps the program
   * atomically). Checked with libpcap first: a bad filter answers ECAPFILTER and changes nothing.
   */
  setFilter(session: EngineSession, params: EngineParams<'setCaptureFilter'>): Promise<EngineResult<'setCaptureFilter'>> {
    return this.change(session, async (active, capture, helper) => {
      for (const linkType of new Set(active.linkTypes)) checkFilter(params.filter, linkType, active.snapLen);
      if (params.stages?.watchlist) checkWatchlist(params.stages.watchlist.rules);
      const stages = hasKernelStages(params.stages) ? params.stages : undefined;
      await this.swapProgram(active, helper, params.filter, stages);
      capture.filter = params.filter;
      capture.preset = params.preset ?? null;
      if (stages) capture.stages = stages;
      else delete capture.stages;
      return { session: session.id, filter: capture.filter, preset: capture.preset, ...(capture.stages ? { stages: capture.stages } : {}) };
    });
  }

  /**
   * Makes the running capture's watchlist `rules`. With a watchlist in the kernel already: the
   * prefixes that differ are removed, added or moved there (no reload; every rule keeps its
   * counters). Without one, or with no rules left: a program swap with or without the stage.
   */
  watch(session: EngineSession, rules: WatchRules): Promise<EngineResult<'watch'>> {
    return this.change(session, async (active, capture, helper) => {
      const wanted = checkWatchlist(rules);
      const current = capture.stages?.watchlist?.rules;
      if (!current || rules.length === 0) {
        if (current || rules.length > 0) {
          // The preset no longer describes the capture.
          await this.swapProgram(active, helper, capture.filter, withWatchlist(capture.stages, rules));
          capture.preset = null;
        }
      } else {
        const counters = new Set(active.watchCounters);
        for (const r of rules) if (r.prefixes.length > 0) counters.add(r.name);
        if (counters.size > MAX_WATCH_RULES) {
          throw new EngineError(
            'EWATCHLIST',
            `a watchlist has at most ${MAX_WATCH_RULES} rule counters, and this capture would need ${counters.size}: a rule keeps its counter while the program runs, even with its prefixes removed. Apply the filter again (a new program) to start the counters afresh`,
          );
        }
        const before = checkWatchlist(current);
        const remove = [...before].filter(([key]) => !wanted.has(key)).map(([, p]) => p.text);
        const add = [...wanted].filter(([key, p]) => before.get(key)?.rule !== p.rule).map(([, p]) => ({ rule: p.rule, prefix: p.text }));
        // Removals first: a prefix removed from one rule and added to another is only an add (a move).
        const requests: Array<HelperParams<'watch'>> = [];
        for (let k = 0; k < remove.length; k += WATCH_CHANGES_PER_REQUEST) requests.push({ remove: remove.slice(k, k + WATCH_CHANGES_PER_REQUEST) });
        for (let k = 0; k < add.length; k += WATCH_CHANGES_PER_REQUEST) requests.push({ add: add.slice(k, k + WATCH_CHANGES_PER_REQUEST) });
        for (const request of requests) {
          let result: HelperResult<'watch'>;
          try {
            result = await helper.request('watch', request);
          } catch (err) {
            const e = err as Error & { code?: string };
            throw new EngineError(e.code === 'EINVAL' ? 'EWATCHLIST' : engineCode(e.code), e.message);
          }
          for (const r of result.rules) active.watchCounters.add(r.name);
        }
      }
      const stages = withWatchlist(capture.stages, rules);
      if (stages) capture.stages = stages;
      else delete capture.stages;
      return { session: session.id, rules: capture.stages?.watchlist?.rules ?? [] };
    });
  }

  /** The helper's setFilter with the host's exclusion, mapped to the engine's error codes. */
  private async swapProgram(active: ActiveCapture, helper: HelperConnection, filter: string, stages: KernelStagesSpec | undefined): Promise<void> {
    try {
      await helper.request('setFilter', { filter: effectiveFilter(filter, this.options.exclusion()), ...(stages ? { stages } : {}) });
    } catch (err) {
      const e = err as Error & { code?: string };
      throw new EngineError(engineCode(e.code), e.message);
    }
    // A new program has a new watchlist: its rules take the counters afresh.
    active.watchCounters = new Set(stages?.watchlist?.rules.map((r) => r.name) ?? []);
  }

  /** Stops the capture feeding `session`; resolves with the kernel's final counters. */
  async stop(session: EngineSession): Promise<CaptureStatistics[]> {
    const active = this.running(session);
    // A capture ending on a problem is stopping already: this waits for the same answer.
    const statistics = await this.requestStop(active);
    this.finish(active, statistics);
    return session.capture?.statistics ?? [];
  }

  /** The session is being closed: its capture stops, nothing more is appended to it. */
  abandon(session: EngineSession): void {
    const active = this.active;
    if (!active || active.session !== session) return;
    void this.requestStop(active);
    this.finish(active, null, false);
  }

  /** The engine is shutting down: the capture stops and the helper is let go (it exits). */
  close(): void {
    this.closed = true;
    const helper = this.helper;
    this.helper = null;
    if (this.active) this.finish(this.active, null, false);
    helper?.close();
  }

  /** close(), then wait (at most timeoutMs) for the helper process to end. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    const helper = this.helper;
    this.close();
    if (helper) await helper.exited(timeoutMs);
  }

  private ensureHelper(route?: LaunchRoute): Promise<HelperConnection> {
    if (this.helper) return Promise.resolve(this.helper);
    if (this.starting) return this.starting;
    const starting = (async () => {
      let chosen: LaunchRoute;
      try {
        chosen = route ?? this.options.route();
      } catch (err) {
        throw startError(err);
      }
      let connection: HelperConnection | null = null;
      const events: HelperEvents = {
        onBatch: (batch) => this.onBatch(batch),
        onCaptureError: (name, error) => this.onCaptureError(name, error),
        onLost: (reason) => {
          if (connection !== null && this.helper !== connection) return;
          this.helper = null;
          this.onHelperLost(reason);
        },
      };
      try {
        connection = await this.options.startHelper(chosen, events);
      } catch (err) {
        throw startError(err);
      }
      if (this.closed) {
        connection.close();
        throw new EngineError('ENOHELPER', 'the engine is shutting down');
      }
      this.helper = connection;
      return connection;
    })();
    this.starting = starting;
    starting.then(
      () => (this.starting = null),
      () => (this.starting = null),
    );
    return starting;
  }

  /** True when the batch's memory may be reused at once (HelperEvents.onBatch). */
  private onBatch(batch: DecodedBatch): boolean {
    const active = this.active;
    if (!active || active.finished) return true;
    if (active.session === null) {
      active.early.push({ ...batch, records: Uint8Array.prototype.slice.call(batch.records) });
      return true;
    }
    this.append(active, batch);
    // The dissectors may keep views of a frame's bytes: the memory is not reused.
    return false;
  }

  private append(active: ActiveCapture, batch: DecodedBatch): void {
    const session = active.session!;
    if (active.finished || session.closed) return;
    if (batch.format !== 'pcapng') return this.fail(active, null, { code: 'ENOHELPER', message: 'the capture helper sent pcap records; the engine asked for pcapng' });
    try {
      session.store.appendBatch(Buffer.from(batch.records.buffer, batch.records.byteOffset, batch.records.length), batch.interfaceIndex);
    } catch (err) {
      const e = err as Error & { code?: string };
      return this.fail(active, null, { code: e.code && /^E[A-Z0-9_]+$/.test(e.code) ? e.code : 'EENGINE', message: `the capture's spool cannot be written: ${e.message}; the capture stopped, frames captured before stay` });
    }
    session.framesAppended?.poke();
  }

  private onCaptureError(name: string, error: { code: string; message: string }): void {
    const active = this.active;
    if (!active) return;
    const message = `${name}: ${error.message}; the capture stopped, frames captured before stay`;
    this.fail(active, name, { code: engineCode(error.code), message });
  }

  private onHelperLost(reason: string): void {
    const active = this.active;
    if (!active) return;
    this.fail(active, null, { code: 'ENOHELPER', message: `${reason}; the capture ended early, frames captured before stay` });
  }

  /** Ends a capture on a problem: captureError, then the helper's last frames and counters (when it is still there), then captureEnded. */
  private fail(active: ActiveCapture, iface: string | null, error: ErrorData): void {
    if (active.failed || active.finished) return;
    active.failed = true;
    const session = active.session;
    // Not started yet: start() answers with the error.
    if (session === null) return;
    if (session.capture) session.capture.error = error;
    this.host.emit({ type: 'event', event: 'captureError', session: session.id, interface: iface, error });
    if (active.poller) clearInterval(active.poller);
    active.poller = null;
    void this.requestStop(active).then((statistics) => this.finish(active, statistics));
  }

  /** Asks the helper to stop (once); null when it cannot answer (gone, or too slow). */
  private requestStop(active: ActiveCapture): Promise<InterfaceStatistics[] | null> {
    if (!active.stopping) {
      const helper = this.helper;
      active.stopping = helper
        ? withTimeout(helper.request('stop', {}), STOP_TIMEOUT_MS, 'the capture helper did not stop').then(
            (r) => r.statistics,
            () => null,
          )
        : Promise.resolve(null);
      this.lastStop = active.stopping;
    }
    return active.stopping;
  }

  private finish(active: ActiveCapture, statistics: InterfaceStatistics[] | null, tell = true): void {
    if (active.poller) clearInterval(active.poller);
    active.poller = null;
    if (active.finished) return;
    active.finished = true;
    if (this.active === active) this.active = null;
    const session = active.session;
    if (!session) return;
    if (statistics && session.capture) {
      session.capture.statistics = statistics.map(statisticsOf);
      if (tell && !session.closed) this.host.emit({ type: 'event', event: 'captureStatistics', session: session.id, statistics: session.capture.statistics });
    }
    if (!session.closed) this.host.ended(session);
  }

  private poll(active: ActiveCapture): void {
    const helper = this.helper;
    if (active.polling || active.finished || active.failed || !helper || !active.session) return;
    active.polling = true;
    helper
      .request('counters', {})
      .then((r) => {
        const session = active.session!;
        if (active.finished || session.closed || !session.capture) return;
        session.capture.statistics = r.statistics.map(statisticsOf);
        this.host.emit({ type: 'event', event: 'captureStatistics', session: session.id, statistics: session.capture.statistics });
      })
      .catch(() => undefined)
      .finally(() => {
        active.polling = false;
      });
  }
}

/** Compiles a capture filter for a link type with libpcap (no privilege); ECAPFILTER with libpcap's message. */
export function checkFilter(filter: string, linkType: number, snapLen = DEFAULT_SNAPLEN): number {
  try {
    return compileFilter({ filter, linkType: linkTypeToDlt(linkType), snapLen }).length;
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new EngineError('ECAPFILTER', err.message);
    throw err;
  }
}

/** The real helper: HelperClient by the route. */
export const startRealHelper: HelperStarter = (route, events) => HelperClient.start(route, events);
