/**
 * `sievecap`: tcpdump's command line over Sievecap's capture core.
 */
import { help, parseCommandLine, parseServeCommandLine, SERVE_HELP, UsageError, type CliOptions, type ServeOptions } from './args';
import { tuneJit } from '../engine/jit';
import { processIo, type CliIo } from './io';

const VERSION = '0.1.0';

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  tuneJit();
  if (argv[0] === 'serve') return serve(argv.slice(1), io);
  let opts: CliOptions;
  try {
    opts = parseCommandLine(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.error(`sievecap: ${err.message}`);
      return err.status;
    }
    throw err;
  }
  if (opts.help) {
    io.out(help());
    return 0;
  }
  try {
    if (opts.version) {
      const { native } = await import('../capture/native');
      io.out(`sievecap version ${VERSION}\n${native().pcapLibVersion()}\nNode.js ${process.version}\n`);
      return 0;
    }
    if (opts.tsharkFormats.glossary !== undefined) {
      // tshark's -G REPORT (a number is tcpdump's -G SECONDS, parsed elsewhere).
      const { printGlossaryReport } = await import('./tshark/glossary-report');
      return await printGlossaryReport(opts.tsharkFormats.glossary, io);
    }
    if (opts.listPresets) {
      const { listPresets } = await import('./presets');
      return listPresets(io);
    }
    if (opts.preset !== undefined || opts.watches.length > 0 || opts.payloadSnap !== undefined) {
      const { applyPreset } = await import('./presets');
      opts = applyPreset(opts);
    }
    if (opts.listInterfaces) {
      const { listCaptureInterfaces, formatInterfaceList } = await import('./interfaces');
      io.out(formatInterfaceList(listCaptureInterfaces()) + '\n');
      return 0;
    }
    if (opts.listTimeStampTypes && opts.readFile === undefined) {
      const { listTimeStampTypes } = await import('./interfaces');
      return listTimeStampTypes(opts.interface, io);
    }
    if (opts.listDataLinkTypes) {
      const { listDataLinkTypes } = await import('./interfaces');
      return listDataLinkTypes(opts.interface, io);
    }
    if (opts.readFile === '-' && (opts.http || opts.exportObjectsDir !== undefined)) {
      throw new UsageError('--http and --export-objects read a capture file by name: save standard input to a file first (-r - is for listing packets)');
    }
    if (opts.explain !== undefined) {
      const { runExplain } = await import('./explain');
      return runExplain(opts, io);
    }
    if (opts.http && opts.readFile !== undefined) {
      // --- HTTP report ---
      const { runHttpReport } = await import('./http-report');
      return runHttpReport(opts, io);
    }
    if (opts.exportObjectsDir !== undefined) {
      const { runExportObjects } = await import('./report-command');
      return runExportObjects(opts, io);
    }
    if (opts.readFile !== undefined) {
      const { runReadFile } = await import('./read-command');
      return await runReadFile(opts, io);
    }
    const { runLiveCapture } = await import('./capture-command');
    return await runLiveCapture(opts, io);
  } catch (err) {
    const e = err as Error;
    io.error(`sievecap: ${e.message}`);
    if (err instanceof UsageError) return err.status;
    // A display filter that does not compile: tshark's INVALID_FILTER.
    if (e.name === 'DisplayFilterError') return 2;
    if (process.env.SIEVECAP_DEBUG) io.error(e.stack ?? '');
    return 1;
  }
}

/** `sievecap serve`: the UI to a browser, over HTTP and a WebSocket on 127.0.0.1 (app/server). */
async function serve(argv: readonly string[], io: CliIo): Promise<number> {
  let opts: ServeOptions;
  try {
    opts = parseServeCommandLine(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.error(`sievecap: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (opts.help) {
    io.out(SERVE_HELP);
    return 0;
  }
  try {
    const { runServe } = await import('../server/serve-command');
    return await runServe(opts, io);
  } catch (err) {
    const e = err as Error;
    io.error(`sievecap: ${e.message}`);
    if (err instanceof UsageError) return 1;
    if (process.env.SIEVECAP_DEBUG) io.error(e.stack ?? '');
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`sievecap: internal error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
