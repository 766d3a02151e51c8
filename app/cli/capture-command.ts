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
import { InterfaceMerger } from '../capture/interface-merge';
import { linkTypeName } from '../pcap/linktype';
import { outputFormat, UsageError, type CliOptions } from './args';
import { defaultInterface } from './interfaces';
import { openFileSink, TextSink, type FileSink, type PacketSink } from './sinks';
import { DissectSink, wantsDissection } from './dissect-sink';
import type { CliIo } from './io';
import { DisplayFilterSink, forEachLivePacket, ReportSink } from './display-stage';
import { compileDisplayFilter } from '../filter';
import { createStatisticsReports, printReports } from './report-command';
import { chooseCliRoute, HelperClient, type LaunchRoute } from '../helper/client';
import type { DecodedBatch, InterfaceStatistics } from '../rpc/helper-protocol';

/** A live file is written at least this often: what a crash of this process can lose. */
const FILE_MAX_DELAY_MS = 250;
/** Several interfaces: how long packets wait for an older packet of another interface. */
const MERGE_HORIZON_MS = 400;
/** How long the helper may take to drain its rings and answer `stop`. */
const STOP_TIMEOUT_MS = 10_000;

interface ServedUser {
  uid: number;
  gid: number;
}

/**
 * The user this capture runs as once the helper holds the privileges: -Z USER, else the user who
 * ran sudo, else ourselves (root stays root, as tcpdump -Z root).
 */
function userToServe(opts: CliOptions): ServedUser {
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

/** After starting the helper as a child: become the served user, with no capabilities at all. */
function relinquish(route: LaunchRoute): void {
  if (route.kind !== 'child' || process.getuid!() !== 0 || route.uid === 0) return;
  native().dropPrivileges({ uid: route.uid, gid: route.gid, keepCapabilities: [] });
}

export async function runLiveCapture(opts: CliOptions, io: CliIo): Promise<number> {
  const interfaces = opts.interfaces.length > 0 ? opts.interfaces : [defaultInterface()];
  const several = interfaces.length > 1;
  const toFile = opts.writeFile !== undefined;
  const recordFormat: RecordFormat = toFile ? outputFormat(opts) : 'pcapng';
  // -Y and -z are checked before the capture starts: a bad one captures nothing.
  const display = opts.displayFilter !== undefined ? compileDisplayFilter(opts.displayFilter) : undefined;
  const reports = createStatisticsReports(opts.statistics);

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

  /** Hands `count` records of interface `iface` on to the sink, honouring -c. */
  const consume = (iface: number, batch: Buffer, count: number): void => {
    if (!sink || failure !== undefined || countReached()) return;
    const linkType = linkTypes[iface] ?? 1;
    try {
      if (filtered) {
        // -Y: -c counts the packets that match, as tshark's does.
        const stage = filtered;
        forEachLivePacket(batch, recordFormat, linkType, (p) => {
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
          forEachLivePacket(bytes, recordFormat, linkType, (p) => {
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
  const merger = several ? new InterfaceMerger(interfaces.length, consume) : undefined;
  const deliver = (b: DecodedBatch): void => {
    if (!sink) {
      early.push(b);
      return;
    }
    const batch = Buffer.from(b.records.buffer, b.records.byteOffset, b.records.length);
    if (merger) merger.add(b.interfaceIndex, batch);
    else consume(b.interfaceIndex, batch, b.packetCount);
  };

  // Signals are ours from now to the end: a second Ctrl-C while stopping changes nothing.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (): void => stopRequested();
  for (const s of signals) process.on(s, onSignal);
  io.onOutputClosed(() => stopRequested());

  let client: HelperClient;
  try {
    client = await HelperClient.start(route, {
      onBatch: deliver,
      onCaptureError: (name, error) => fail(`${name}: ${error.message}`),
      onLost: (reason) => {
        helperLost = true;
        fail(`${reason}; the capture ended early`);
      },
    });
  } catch (err) {
    io.error(`sievecap: ${(err as Error).message}`);
    return 1;
  }

  const spec = {
    interfaces,
    filter: opts.filter,
    snapLen: opts.snapLen,
    promiscuous: opts.promiscuous,
    bufferBytes: opts.bufferKiB * 1024,
    recordFormat,
    immediate: opts.immediate,
  };
  let exitCode = 0;
  try {
    relinquish(route);
    const started = await client.request('start', { spec });
    linkTypes = started.interfaces.map((i) => i.linkType);
    sink = makeSink(opts, io, {
      recordFormat,
      interfaces: started.interfaces.map((i) => ({ name: i.name, linkType: i.linkType })),
      reports,
      onBackgroundError: (err) => fail(err.message),
    });
    fileSink = 'writeInterfaceBatch' in sink ? (sink as FileSink) : undefined;
    if (display) sink = filtered = new DisplayFilterSink(display, sink, linkTypes[0]);
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

  await stopped;

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
  if (reports.length > 0) printReports(reports, opts, io);
  const sum = (f: (s: InterfaceStatistics) => number): number => (statistics ?? []).reduce((t, s) => t + f(s), 0);
  const plural = (n: number): string => (n === 1 ? 'packet' : 'packets');
  const received = sum((s) => s.received);
  const dropped = sum((s) => s.dropped);
  io.error(
    `\n${captured} ${plural(captured)} captured\n` +
      (statistics
        ? `${received} ${plural(received)} received by filter\n${dropped} ${plural(dropped)} dropped by kernel`
        : 'the kernel counters are unknown: the capture helper is gone'),
  );
  if (opts.verbose > 0 && statistics) {
    for (const s of statistics) {
      io.error(`${s.name}: ${s.seenPackets} packets (${s.seenBytes} bytes) seen by the eBPF filter, ${s.acceptedPackets} (${s.acceptedBytes} bytes) accepted`);
    }
  }
  // Handlers stay until here: a late second signal must not kill a capture that is closing.
  for (const s of signals) process.off(s, onSignal);
  return exitCode;
}

function makeSink(
  opts: CliOptions,
  io: CliIo,
  o: {
    recordFormat: RecordFormat;
    interfaces: Array<{ name: string; linkType: number }>;
    reports: ReturnType<typeof createStatisticsReports>;
    onBackgroundError: (err: Error) => void;
  },
): PacketSink {
  const linkType = o.interfaces[0]!.linkType;
  if (o.reports.length > 0) return new ReportSink(o.reports, linkType);
  if (opts.writeFile !== undefined) {
    return openFileSink(opts.writeFile, {
      format: o.recordFormat,
      interfaces: o.interfaces,
      snapLen: opts.snapLen,
      filter: opts.filter,
      nanosecond: opts.nanoPrecision,
      maxDelayMs: FILE_MAX_DELAY_MS,
      packetBuffered: opts.packetBuffered,
      onBackgroundError: o.onBackgroundError,
    });
  }
  if (wantsDissection(opts)) return new DissectSink(io, opts, linkType);
  return new TextSink(io, opts, (ifindex) => io.interfaceName(ifindex), linkType);
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
