/**
 * `-z SPEC` reports (tshark's statistics): made from their specs before any packet is read, fed
 * every packet that passes the capture filter (display-stage.ts ReportSink), printed at the end as
 * tshark prints them with -q, or as JSON with --json. Also `--export-objects http|imf|tftp,DIR`.
 */
import { StatisticsSpecError, type StatisticsReport } from '../stats/report';
import { createReportForSpec, STATISTIC_USAGES, UnknownStatisticError } from '../stats/specs';
import { exportHttpObjects } from '../reassembly/export-objects';
import { exportDissectedObjects } from '../reassembly/dissected-objects';
import { UsageError, type CliOptions } from './args';
import type { CliIo } from './io';

/** One report per -z spec (the table of app/stats/specs.ts); an unknown or malformed spec is a usage error naming it. */
export function createStatisticsReports(specs: readonly string[]): StatisticsReport[] {
  return specs.map((spec) => {
    try {
      return createReportForSpec(spec);
    } catch (err) {
      if (err instanceof UnknownStatisticError) throw new UsageError(`-z ${spec}: unknown statistic; sievecap knows ${STATISTIC_USAGES}`);
      if (err instanceof StatisticsSpecError) throw new UsageError(`-z ${spec}: ${err.message}`);
      throw err;
    }
  });
}

/**
 * tshark -q -z …: each report's text — tshark prints several in the reverse order they were given,
 * and so does sievecap; --json: the data (a single report as it is, several keyed by spec).
 */
export function printReports(reports: readonly StatisticsReport[], opts: Pick<CliOptions, 'json'>, io: CliIo): void {
  for (const report of reports) report.finish?.();
  if (opts.json) {
    const data = reports.length === 1 ? reports[0]!.json() : Object.fromEntries(reports.map((r) => [r.spec, r.json()]));
    io.out(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  for (const report of [...reports].reverse()) io.out(report.text());
}

/** What each kind's objects are called in the message saying how many were written. */
const OBJECT_WORDS = { http: 'HTTP objects', imf: 'IMF messages', tftp: 'TFTP files' } as const;

/** --export-objects KIND,DIR: the file's HTTP bodies, IMF messages or TFTP files, named as tshark names them. */
export function runExportObjects(opts: CliOptions, io: CliIo): number {
  const kind = opts.exportObjectsKind ?? 'http';
  let written: number;
  let readError: string | null;
  let cutBodies = 0;
  if (kind === 'http') {
    const result = exportHttpObjects(opts.readFile!, opts.exportObjectsDir!);
    written = result.files.length;
    readError = result.readError;
    cutBodies = result.cutBodies;
  } else {
    const result = exportDissectedObjects(kind, opts.readFile!, opts.exportObjectsDir!);
    written = result.files.length;
    readError = result.readError;
  }
  io.error(`sievecap: ${written} ${OBJECT_WORDS[kind]} written to ${opts.exportObjectsDir}`);
  if (cutBodies > 0) {
    io.error(`sievecap: ${cutBodies} bodies were larger than the per-body bound and were cut; their files hold the first part`);
  }
  if (readError) {
    io.error(`sievecap: ${readError}`);
    return 1;
  }
  return 0;
}
