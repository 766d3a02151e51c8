/**
 * Live capture from the command line: tcpdump's behaviour, an eBPF filter underneath.
 */
import { LiveCapture } from '../capture/live-capture';
import { batchPrefixLength } from '../capture/batch';
import { linkTypeName } from '../pcap/linktype';
import { outputFormat, type CliOptions } from './args';
import { defaultInterface } from './interfaces';
import { openFileSink, TextSink, type PacketSink } from './sinks';
import { DissectSink, wantsDissection } from './dissect-sink';
import type { CliIo } from './io';
import { DisplayFilterSink, forEachLivePacket, ReportSink } from './display-stage';
import { compileDisplayFilter } from '../filter';
import { createStatisticsReports, printReports } from './report-command';

export async function runLiveCapture(opts: CliOptions, io: CliIo): Promise<number> {
  const ifaceName = opts.interface ?? defaultInterface();
  const toFile = opts.writeFile !== undefined;
  const recordFormat = toFile ? outputFormat(opts) : 'pcapng';
  let sink: PacketSink | undefined;
  let captured = 0;
  let stopRequested: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  let failure: Error | undefined;
  // -Y and -z are checked before the capture starts: a bad one captures nothing.
  const display = opts.displayFilter !== undefined ? compileDisplayFilter(opts.displayFilter) : undefined;
  const reports = createStatisticsReports(opts.statistics);
  let filtered: DisplayFilterSink | undefined;

  const onBatch = (batch: Buffer, packetCount: number): void => {
    if (!sink || failure) return;
    if (filtered) {
      // -Y: -c counts the packets that match, as tshark's does.
      const stage = filtered;
      try {
        forEachLivePacket(batch, recordFormat, capture.linkType, (p) => {
          if (opts.count !== undefined && captured >= opts.count) return;
          if (stage.offer(p)) captured++;
        });
      } catch (err) {
        failure = err as Error;
        stopRequested?.();
        return;
      }
      if (opts.count !== undefined && captured >= opts.count) stopRequested?.();
      return;
    }
    const room = opts.count === undefined ? packetCount : opts.count - captured;
    if (room <= 0) return;
    const take = Math.min(room, packetCount);
    const bytes = take === packetCount ? batch : batch.subarray(0, batchPrefixLength(batch, recordFormat, take));
    try {
      sink.writeBatch(bytes, take, recordFormat);
    } catch (err) {
      failure = err as Error;
      stopRequested?.();
      return;
    }
    captured += take;
    if (opts.count !== undefined && captured >= opts.count) stopRequested?.();
  };

  let capture: LiveCapture;
  try {
    capture = LiveCapture.open(
      {
        interface: ifaceName,
        filter: opts.filter,
        snapLen: opts.snapLen,
        promiscuous: opts.promiscuous,
        bufferBytes: opts.bufferKiB * 1024,
        recordFormat,
      },
      onBatch,
    );
  } catch (err) {
    io.error(`sievecap: ${ifaceName}: ${(err as Error).message}`);
    return 1;
  }

  try {
    sink = reports.length > 0
      ? new ReportSink(reports, capture.linkType)
      : toFile
      ? openFileSink(opts.writeFile!, {
          format: recordFormat,
          linkType: capture.linkType,
          snapLen: opts.snapLen,
          interfaceName: ifaceName,
          filter: opts.filter,
          nanosecond: opts.nanoPrecision,
        })
      : wantsDissection(opts)
        ? new DissectSink(io, opts, capture.linkType)
        : new TextSink(io, opts, (ifindex) => io.interfaceName(ifindex), capture.linkType);
    if (display) sink = filtered = new DisplayFilterSink(display, sink, capture.linkType);
  } catch (err) {
    await capture.close();
    io.error(`sievecap: ${(err as Error).message}`);
    return 1;
  }

  const verbose = opts.verbose > 0 || toFile || reports.length > 0 || wantsDissection(opts) ? 'sievecap: ' : 'sievecap: verbose output suppressed, use -v[v]... for full protocol decode\n';
  io.error(
    `${verbose}listening on ${ifaceName}, link-type ${linkTypeName(capture.linkType)}, snapshot length ${opts.snapLen} bytes`,
  );

  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (): void => stopRequested?.();
  for (const s of signals) process.on(s, onSignal);
  io.onOutputClosed(() => stopRequested?.());

  await stopped;
  for (const s of signals) process.off(s, onSignal);
  // close() delivers what is still in the ring before it resolves, so nothing captured is lost.
  await capture.close();
  let exitCode = 0;
  try {
    sink.close();
  } catch (err) {
    failure ??= err as Error;
  }
  if (failure) {
    io.error(`sievecap: ${failure.message}`);
    exitCode = 1;
  }
  if (reports.length > 0) printReports(reports, opts, io);
  const stats = capture.statistics();
  const plural = (n: number): string => (n === 1 ? 'packet' : 'packets');
  io.error(
    `\n${captured} ${plural(captured)} captured\n` +
      `${stats.packets} ${plural(stats.packets)} received by filter\n` +
      `${stats.drops} ${plural(stats.drops)} dropped by kernel`,
  );
  if (opts.verbose > 0) {
    const c = stats.counters;
    io.error(
      `${c.seenPackets} packets (${c.seenBytes} bytes) seen by the eBPF filter, ` +
        `${c.acceptedPackets} (${c.acceptedBytes} bytes) accepted`,
    );
  }
  return exitCode;
}
