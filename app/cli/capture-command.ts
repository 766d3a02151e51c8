/**
 * Live capture from the command line: tcpdump's behaviour, through Sievecap's capture helper.
 *
 * The helper (app/helper) is the only privileged part: this process starts it (as a child when it
 * holds the privileges, else through pkexec), gives up its own privileges, and only then opens the
 * output file. Batches of packets arrive over the helper's socket and go to the sink as they come;
 * a file is written at least every 250 ms, so a crash or a SIGKILL loses no more than that.
 * Whatever ends the capture (Ctrl-C, once or twice, -c, the helper dying, the interface
 * vanishing, a full disk), every packet that reached this process is in a valid file.
 */
import { batchPrefixLength, type RecordFormat } from '../capture/batch';
import { native } from '../capture/native';
import type { InterfaceMerger } from '../capture/interface-merge';
import { linkTypeName } from '../pcap/linktype';
import { desegmentOf, outputFormat, UsageError, wantsDissection, type CliOptions } from './args';
import { dissectorOptions } from './tshark/preferences';
import { INVALID_OPTION } from './tshark/options';
import { checkDataLinkType, defaultInterface } from './interfaces';
import { openFileSink, type FileSink } from './file-sink';
import { RotatingSink } from './rotation';
import type { PacketSink } from './sinks';
import type { CliIo } from './io';
import type { DisplayFilterSink } from './display-stage';
import type { StatisticsReport } from '../stats/report';
import { chooseCliRoute, HelperClient, type LaunchRoute } from '../helper/client';
import type { DecodedBatch, InterfaceStatistics } from '../rpc/helper-protocol';

/** A live file is written at least this often: what a crash of this process can lose. */
const FILE_MAX_DELAY_MS = 250;
/** Several interfaces: how long packets wait for an older packet of another interface. */
const MERGE_HORIZON_MS = 400;
/** How long the helper may take to drain its rings and answer `stop`. */
const STOP_TIMEOUT_MS = 10_000;

export interface ServedUser {
  uid: number;
  gid: number;
}

/**
 * The user this capture runs as once the helper holds the privileges: -Z USER, else the user who
 * ran sudo, else ourselves (root stays root, as tcpdump -Z root).
 */
export function userToServe(opts: Pick<CliOptions, 'relinquishTo'>): ServedUser {
  const myUid = process.getuid!();
  if (opts.relinquishTo !== undefined) {
    const user = native().lookupUser(/^\d+$/.test(opts.relinquishTo) ? Number(opts.relinquishTo) : opts.relinquishTo);
    if (!user) throw new UsageError(`-Z: there is no user '${opts.relinquishTo}'`);
    if (myUid !== 0 && user.uid !== myUid) throw new UsageError(`-Z ${opts.relinquishTo}: only root can switch to another user`);
    return { uid: user.uid, gid: user.gid };
  }
  const sudoUid = process.env.SUDO_UID;
  if (myUid === 0 && sudoUid && /^\d+$/.test(sudoUid) && Number(sudoUid) !== 0) {
    const user = native().lookupUser(Number(sudoUid));
    const sudoGid = process.env.SUDO_GID;
    return { uid: Number(sudoUid), gid: sudoGid && /^\d+$/.test(sudoGid) ? Number(sudoGid) : (user?.gid ?? Number(sudoUid)) };
  }
  return { uid: myUid, gid: process.getgid!() };
}

/**
 * What only some captures need: printing, dissecting, display filters, reports, merging several
 * interfaces. A capture to a file loads none of it (tens of milliseconds of start-up).
 */
interface Stages {
  display?: typeof import('./display-stage');
  text?: typeof import('./sinks');
  dissect?: typeof import('./dissect-sink');
  merge?: typeof import('../capture/interface-merge');
}

/**
 * Loads the stages this capture needs. Called before relinquish(): once this process has become
 * the served user, the files may not be readable (a checkout under /root, an AppImage mount).
 */
async function loadStages(opts: CliOptions, several: boolean, reporting: boolean): Promise<Stages> {
  const toFile = opts.writeFile !== undefined;
  const dissect = (!toFile || opts.tshark.printWhileWriting) && !reporting && wantsDissection(opts);
  return {
    display: opts.displayFilter !== undefined || reporting || (several && !toFile) ? await import('./display-stage') : undefined,
    text: !toFile && !reporting && !dissect ? await import('./sinks') : undefined,
    dissect: dissect ? await import('./dissect-sink').then(async (m) => (await m.prepareDissectOutput(opts), m)) : undefined,
    merge: several ? await import('../capture/interface-merge') : undefined,
  };
}

/** After starting the helper as a child: become the served user, with no capabilities at all. */
export function relinquish(route: LaunchRoute): void {
  if (route.kind !== 'child' || process.getuid!() !== 0 || route.uid === 0) return;
  native().dropPrivileges({ uid: route.uid, gid: route.gid, keepCapabilities: [] });
}

export async function runLiveCapture(opts: CliOptions, io: CliIo): Promise<number> {
  // tshark's words and status.
  if (opts.tshark.twoPass) throw new UsageError('Live captures do not support two-pass analysis (-2, -R): capture to a file with -w, then read it with -r', INVALID_OPTION);
  const interfaces = opts.interfaces.length > 0 ? opts.interfaces : [defaultInterface()];
  const several = interfaces.length > 1;
  const toFile = opts.writeFile !== undefined;
  // A microsecond pcap file (tcpdump's, the default for .pcap) takes microsecond records as they come.
  const fileFormat = toFile ? outputFormat(opts) : 'pcapng';
  const recordFormat: RecordFormat = fileFormat === 'pcap' && !opts.nanoPrecision ? 'pcap-us' : fileFormat;
  // -Y and -z are checked before the capture starts: a bad one captures nothing.
  const display = opts.displayFilter !== undefined ? (await import('../filter')).compileDisplayFilter(opts.displayFilter) : undefined;
  const reporting = opts.statistics.length > 0 ? await import('./report-command') : undefined;
  const reports: StatisticsReport[] = reporting?.createStatisticsReports(opts.statistics) ?? [];
  // An interface that does not exist is named before the helper is asked for (its error is a system call's).
  const known = new Set(native().listInterfaces().map((i) => i.name));
  for (const name of interfaces) {
    if (name !== 'any' && !known.has(name)) {
      io.error(`sievecap: ${name}: no such interface (sievecap -D lists the interfaces you can capture on)`);
      return 1;
    }
  }
  // tcpdump's -y and -j, checked before the capture starts.
  if (opts.dataLinkType !== undefined) {
    for (const name of interfaces) {
      const problem = checkDataLinkType(name, opts.dataLinkType);
      if (problem !== null) {
        io.error(`sievecap: ${problem}`);
        return 1;
      }
    }
  }
  if (opts.timeStampType !== undefined && opts.timeStampType !== 'host') {
    for (const name of interfaces) {
      io.error(`sievecap: WARNING: When trying to set timestamp type '${opts.timeStampType}' on ${name}: That type of time stamp is not supported by that device (Sievecap time-stamps packets in the kernel on arrival: 'host')`);
    }
  }

  let route: LaunchRoute;
  try {
    route = chooseCliRoute(userToServe(opts));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    io.error(`sievecap: ${(err as Error).message}`);
    return 1;
  }

  // ---- the state of one capture ----
  let sink: PacketSink | undefined;
  let fileSink: FileSink | undefined;
  let filtered: DisplayFilterSink | undefined;
  let linkTypes: number[] = [];
  let captured = 0;
  let failure: string | undefined;
  let helperLost = false;
  const early: DecodedBatch[] = [];
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const fail = (message: string): void => {
    failure ??= message;
    stopRequested();
  };
  const countReached = (): boolean => opts.count !== undefined && captured >= opts.count;
  let stages: Stages = {};

  /** Hands `count` records of interface `iface` on to the sink, honouring -c. */
  const consume = (iface: number, batch: Buffer, count: number): void => {
    if (!sink || failure !== undefined || countReached()) return;
    const linkType = linkTypes[iface] ?? 1;
    try {
      if (filtered) {
        // -Y: -c counts the packets that match, as tshark's does.
        const stage = filtered;
        stages.display!.forEachLivePacket(batch, recordFormat, linkType, (p) => {
          if (countReached()) return;
          p.interfaceId = iface;
          if (stage.offer(p)) captured++;
        });
      } else {
        const room = opts.count === undefined ? count : opts.count - captured;
        const take = Math.min(room, count);
        const bytes = take === count ? batch : batch.subarray(0, batchPrefixLength(batch, recordFormat, take));
        if (fileSink) fileSink.writeInterfaceBatch(iface, bytes, take);
        else if (!several) sink.writeBatch(bytes, take, recordFormat);
        else {
          const target = sink;
          stages.display!.forEachLivePacket(bytes, recordFormat, linkType, (p) => {
            p.interfaceId = iface;
            target.writePacket(p);
          });
        }
        captured += take;
      }
    } catch (err) {
      fail((err as Error).message);
      return;
    }
    if (countReached()) stopRequested();
  };
  let merger: InterfaceMerger | undefined;
  /** True when the batch's memory may be used again at once (HelperEvents.onBatch). */
  const deliver = (b: DecodedBatch): boolean => {
    if (!sink) {
      early.push(b);
      return false;
    }
    const batch = Buffer.from(b.records.buffer, b.records.byteOffset, b.records.length);
    if (merger) {
      merger.add(b.interfaceIndex, batch);
      return false;
    }
    consume(b.interfaceIndex, batch, b.packetCount);
    // A file sink has written or copied the bytes before it returns; other sinks may keep views.
    return fileSink !== undefined && filtered === undefined;
  };

  // Signals are ours from now to the end: a second Ctrl-C while stopping changes nothing.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    stopRequested();
  };
  for (const s of signals) process.on(s, onSignal);
  io.onOutputClosed(() => stopRequested());

  const startingHelper = HelperClient.start(route, {
    onBatch: deliver,
    onCaptureError: (name, error) => fail(`${name}: ${error.message}`),
    onLost: (reason) => {
      helperLost = true;
      fail(`${reason}; the capture ended early`);
    },
  });
  // The helper is a Node process of its own: while it starts, load what this capture needs.
  // (setImmediate: start() has launched the helper by then; it now waits for it to connect.)
  const loadingStages = new Promise((resolve) => setImmediate(resolve)).then(() => loadStages(opts, several, reports.length > 0));
  loadingStages.catch(() => undefined);
  let client: HelperClient;
  try {
    client = await startingHelper;
  } catch (err) {
    io.error(`sievecap: ${(err as Error).message}`);
    return 1;
  }
  try {
    stages = await loadingStages;
  } catch (err) {
    client.close();
    io.error(`sievecap: ${(err as Error).message}`);
    return 1;
  }
  if (stages.merge) merger = new stages.merge.InterfaceMerger(interfaces.length, consume);

  const spec = {
    interfaces,
    filter: withDirection(opts.direction, opts.filter),
    snapLen: opts.snapLen,
    promiscuous: opts.promiscuous,
    bufferBytes: opts.bufferKiB * 1024,
    recordFormat,
    immediate: opts.immediate,
    ...(opts.stages || opts.statsIntervalS ? { stages: { ...opts.stages, ...(opts.statsIntervalS ? { trafficMix: true } : {}) } } : {}),
  };
  let exitCode = 0;
  try {
    relinquish(route);
    const started = await client.request('start', { spec });
    linkTypes = started.interfaces.map((i) => i.linkType);
    sink = makeSink(opts, io, stages, {
      recordFormat,
      interfaces: started.interfaces.map((i) => ({ name: i.name, linkType: i.linkType })),
      reports,
      onBackgroundError: (err) => fail(err.message),
      onRotationLimit: () => stopRequested(),
    });
    fileSink = 'writeInterfaceBatch' in sink ? (sink as FileSink) : undefined;
    if (display) sink = filtered = new stages.display!.DisplayFilterSink(display, sink, linkTypes[0], dissectorOptions(opts));
  } catch (err) {
    client.close();
    io.error(`sievecap: ${(err as Error).message}`);
    return 1;
  }

  const quiet = opts.verbose > 0 || toFile || reports.length > 0 || wantsDissection(opts);
  for (const [k, name] of interfaces.entries()) {
    const prefix = k === 0 && !quiet ? 'sievecap: verbose output suppressed, use -v[v]... for full protocol decode\n' : 'sievecap: ';
    io.error(`${prefix}listening on ${name}, link-type ${linkTypeName(linkTypes[k]!)}, snapshot length ${opts.snapLen} bytes`);
  }
  for (const b of early.splice(0)) deliver(b);

  const tick = merger
    ? setInterval(() => merger.release(BigInt(Date.now() - MERGE_HORIZON_MS) * 1_000_000n), 100)
    : undefined;

  const startedAt = Date.now();
  let asking = false;
  const statsTimer = opts.statsIntervalS
    ? setInterval(() => {
        if (asking || helperLost) return;
        asking = true;
        client
          .request('counters', {})
          .then((r) => {
            for (const line of statisticsLines(r.statistics, (Date.now() - startedAt) / 1000)) io.error(line);
          })
          .catch(() => undefined) // the helper going away is reported by the capture itself
          .finally(() => (asking = false));
      }, opts.statsIntervalS * 1000)
    : undefined;

  // --filter-file: SIGUSR1 reads it again and the helper swaps the program.
  const reload = (): void => {
    void (async () => {
      let filter: string;
      try {
        const { readFilterFile } = await import('./args');
        const { combineFilters } = await import('./presets');
        filter = combineFilters(opts.presetFilter ?? '', readFilterFile(opts.filterFile!));
        await client.request('setFilter', { filter: withDirection(opts.direction, filter), ...(spec.stages ? { stages: spec.stages } : {}) });
        io.error(`sievecap: filter replaced (SIGUSR1): ${filter || '(none: every packet)'}`);
      } catch (err) {
        io.error(`sievecap: the filter in ${opts.filterFile} was not applied: ${(err as Error).message}; the capture goes on with the previous one`);
      }
    })();
  };
  if (opts.filterFile) process.on('SIGUSR1', reload);

  await stopped;
  if (statsTimer) clearInterval(statsTimer);
  if (opts.filterFile) process.off('SIGUSR1', reload);

  // Stop the helper: it drains its rings, sends what they held, then answers with the figures.
  let statistics: InterfaceStatistics[] | undefined;
  if (!helperLost) {
    try {
      statistics = (await withTimeout(client.request('stop', {}), STOP_TIMEOUT_MS, 'the capture helper did not stop')).statistics;
    } catch (err) {
      if (!helperLost) failure ??= (err as Error).message;
    }
  }
  client.close();
  if (tick) clearInterval(tick);
  await client.exited();
  merger?.releaseAll();
  try {
    sink.close();
  } catch (err) {
    failure ??= (err as Error).message;
  }
  if (failure !== undefined) {
    io.error(`sievecap: ${failure}`);
    exitCode = 1;
  }
  // tcpdump printing lines ends an interrupted capture with a newline on stdout (a line may have
  // been cut short); its counts then start on stderr without a blank line.
  const endLine = interrupted && !countReached() && opts.writeFile === undefined && !wantsDissection(opts) && reports.length === 0;
  if (endLine) io.out('\n');
  if (reporting && reports.length > 0) reporting.printReports(reports, opts, io);
  const sum = (f: (s: InterfaceStatistics) => number): number => (statistics ?? []).reduce((t, s) => t + f(s), 0);
  const plural = (n: number): string => (n === 1 ? 'packet' : 'packets');
  const received = sum((s) => s.received);
  const dropped = sum((s) => s.dropped);
  io.error(
    `${endLine ? '' : '\n'}${captured} ${plural(captured)} captured\n` +
      (statistics
        ? `${received} ${plural(received)} received by filter\n${dropped} ${plural(dropped)} dropped by kernel`
        : 'the kernel counters are unknown: the capture helper is gone'),
  );
  if (opts.verbose > 0 && statistics) {
    for (const s of statistics) {
      io.error(`${s.name}: ${s.seenPackets} packets (${s.seenBytes} bytes) seen by the eBPF filter, ${s.acceptedPackets} (${s.acceptedBytes} bytes) accepted`);
    }
  }
  if (statistics && opts.stages?.watchlist) for (const line of ruleLines(statistics)) io.error(line);
  if (statistics && opts.statsIntervalS) for (const line of mixLines(statistics)) io.error(line);
  // A late second signal must not kill a capture that is closing, nor one that has just closed
  // and is about to exit (a capture stops in a few tens of milliseconds, `timeout` and a double
  // Ctrl-C signal twice): signals are ignored a moment longer, by a timer that keeps no process
  // alive, so that a caller in the same process gets its signals back.
  const ignore = (): void => undefined;
  for (const s of signals) {
    process.off(s, onSignal);
    process.on(s, ignore);
  }
  setTimeout(() => signals.forEach((s) => process.off(s, ignore)), 1000).unref();
  return exitCode;
}

function makeSink(
  opts: CliOptions,
  io: CliIo,
  stages: Stages,
  o: {
    recordFormat: RecordFormat;
    interfaces: Array<{ name: string; linkType: number }>;
    reports: StatisticsReport[];
    onBackgroundError: (err: Error) => void;
    /** -G with -W: the last file is full. */
    onRotationLimit: () => void;
  },
): PacketSink {
  const linkType = o.interfaces[0]!.linkType;
  if (o.reports.length > 0) return new stages.display!.ReportSink(o.reports, linkType, desegmentOf(opts));
  if (opts.writeFile !== undefined) {
    const open = (name: string): FileSink =>
      openFileSink(name, {
        format: o.recordFormat,
        interfaces: o.interfaces,
        snapLen: opts.snapLen,
        filter: opts.filter,
        nanosecond: opts.nanoPrecision,
        maxDelayMs: FILE_MAX_DELAY_MS,
        packetBuffered: opts.packetBuffered,
        onBackgroundError: o.onBackgroundError,
      });
    const file: FileSink =
      opts.rotation === undefined
        ? open(opts.writeFile)
        : new RotatingSink(opts.writeFile, opts.rotation, o.recordFormat, {
            open,
            onLimit: (message) => {
              io.error(message);
              o.onRotationLimit();
            },
            warn: (message) => io.error(`sievecap: ${message}`),
          });
    // -P: the summaries too, as the packets are written.
    if (opts.tshark.printWhileWriting && stages.dissect) return new stages.dissect.TeeSink(file, new stages.dissect.DissectSink(io, opts, linkType));
    return file;
  }
  if (wantsDissection(opts)) return new stages.dissect!.DissectSink(io, opts, linkType);
  return new stages.text!.TextSink(io, opts, (ifindex) => io.interfaceName(ifindex), linkType);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
    }),
  ]);
}

/** One line per watchlist rule, summed over the interfaces: `watch RULE: P packets, B bytes`. */
export function ruleLines(statistics: readonly InterfaceStatistics[]): string[] {
  const totals = new Map<string, { packets: number; bytes: number }>();
  for (const s of statistics) {
    for (const r of s.rules ?? []) {
      const t = totals.get(r.name) ?? { packets: 0, bytes: 0 };
      t.packets += r.packets;
      t.bytes += r.bytes;
      totals.set(r.name, t);
    }
  }
  return [...totals].map(([name, t]) => `watch ${name}: ${t.packets} ${t.packets === 1 ? 'packet' : 'packets'}, ${t.bytes} bytes`);
}

/** --stats-interval: the kernel's counters, one line per interface and one per watchlist rule. */
export function statisticsLines(statistics: readonly InterfaceStatistics[], elapsedS: number): string[] {
  const lines = statistics.map(
    (s) => `[${elapsedS.toFixed(1)} s] ${s.name}: ${s.seenPackets} seen (${s.seenBytes} bytes), ${s.acceptedPackets} accepted (${s.acceptedBytes} bytes), ${s.dropped} dropped by kernel`,
  );
  const mix = mixSummary(statistics);
  return [...lines, ...ruleLines(statistics).map((l) => `[${elapsedS.toFixed(1)} s] ${l}`), ...(mix ? [`[${elapsedS.toFixed(1)} s] mix: ${mix}`] : [])];
}

const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x8100: '802.1Q', 0x88a8: '802.1ad', 0x8847: 'MPLS', 0x8848: 'MPLS multicast',
  0x88cc: 'LLDP', 0x8863: 'PPPoE discovery', 0x8864: 'PPPoE session', 0x888e: 'EAPOL', 0x8035: 'RARP', 0x88f7: 'PTP', 0x0004: '802.2 LLC',
};
const IP_PROTOCOL_NAMES: Record<number, string> = {
  0: 'IPv6 hop-by-hop', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 43: 'IPv6 routing', 44: 'IPv6 fragment', 47: 'GRE',
  50: 'ESP', 51: 'AH', 58: 'ICMPv6', 59: 'IPv6 no next header', 60: 'IPv6 destination options', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP', 136: 'UDP-Lite',
};
const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** The traffic mix summed over the interfaces. */
function totalMix(statistics: readonly InterfaceStatistics[]): { ethertypes: Map<number, { packets: number; bytes: number }>; protocols: Map<number, { packets: number; bytes: number }> } | undefined {
  if (!statistics.some((s) => s.mix)) return undefined;
  const ethertypes = new Map<number, { packets: number; bytes: number }>();
  const protocols = new Map<number, { packets: number; bytes: number }>();
  const into = (m: Map<number, { packets: number; bytes: number }>, k: number, p: number, b: number): void => {
    const t = m.get(k) ?? { packets: 0, bytes: 0 };
    t.packets += p;
    t.bytes += b;
    m.set(k, t);
  };
  for (const s of statistics) {
    for (const e of s.mix?.ethertypes ?? []) into(ethertypes, e.ethertype, e.packets, e.bytes);
    for (const p of s.mix?.ipProtocols ?? []) into(protocols, p.protocol, p.packets, p.bytes);
  }
  return { ethertypes, protocols };
}

/** One line: every packet seen so far, by ethertype then IP protocol, most packets first. */
function mixSummary(statistics: readonly InterfaceStatistics[]): string | undefined {
  const mix = totalMix(statistics);
  if (!mix) return undefined;
  const part = (m: Map<number, { packets: number }>, name: (k: number) => string): string =>
    [...m].sort((a, b) => b[1].packets - a[1].packets).map(([k, t]) => `${name(k)} ${t.packets}`).join(', ') || 'none';
  return `${part(mix.ethertypes, (k) => ETHERTYPE_NAMES[k] ?? hex4(k))}; ${part(mix.protocols, (k) => IP_PROTOCOL_NAMES[k] ?? `protocol ${k}`)}`;
}

/** At the end: a line per ethertype and per IP protocol seen. */
export function mixLines(statistics: readonly InterfaceStatistics[]): string[] {
  const mix = totalMix(statistics);
  if (!mix) return [];
  const plural = (n: number): string => (n === 1 ? 'packet' : 'packets');
  return [
    ...[...mix.ethertypes].sort((a, b) => a[0] - b[0]).map(([k, t]) => `mix ethertype ${hex4(k)} (${ETHERTYPE_NAMES[k] ?? 'unknown'}): ${t.packets} ${plural(t.packets)}, ${t.bytes} bytes`),
    ...[...mix.protocols].sort((a, b) => a[0] - b[0]).map(([k, t]) => `mix ip protocol ${k} (${IP_PROTOCOL_NAMES[k] ?? 'unknown'}): ${t.packets} ${plural(t.packets)}, ${t.bytes} bytes`),
  ];
}

/**
 * -Q in|out: the capture filter's own `inbound` / `outbound` (libpcap's, run on the packet socket's
 * packet type: PACKET_OUTGOING or not), so the helper needs nothing new. On `lo` the outgoing copy
 * of every packet is dropped anyway, as libpcap drops it: -Q out there keeps nothing, as with tcpdump.
 */
export function withDirection(direction: CliOptions['direction'], filter: string): string {
  if (direction === 'inout') return filter;
  const primitive = direction === 'in' ? 'inbound' : 'outbound';
  return filter.trim() ? `${primitive} and (${filter})` : primitive;
}
