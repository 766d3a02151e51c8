/**
 * `-z SPEC` reports (tshark's statistics): made from their specs before any packet is read, fed
 * every packet that passes the capture filter (display-stage.ts ReportSink), printed at the end as
 * tshark prints them with -q, or as JSON with --json. Also `--export-objects http,DIR`.
 */
import { StatisticsSpecError, type StatisticsReport } from '../stats/report';
import { createConversationReport } from '../stats/conversations';
import { createEndpointReport } from '../stats/endpoints';
import { createHierarchyReport } from '../stats/hierarchy';
import { createIoStatReport } from '../stats/io-graph';
import { createFollowReport } from '../stats/follow';
import { createHttpTreeReport } from '../stats/http-tree';
import { exportHttpObjects } from '../reassembly/export-objects';
import { UsageError, type CliOptions } from './args';
import type { CliIo } from './io';

/** The -z statistics, by the first words of their spec; `usage` is what --help and errors show. */
const STATISTICS: { prefix: RegExp; usage: string; create: (spec: string) => StatisticsReport }[] = [
  { prefix: /^conv,/, usage: 'conv,eth|ip|ipv6|tcp|udp[,FILTER]', create: createConversationReport },
  { prefix: /^endpoints,/, usage: 'endpoints,eth|ip|ipv6|tcp|udp[,FILTER]', create: createEndpointReport },
  { prefix: /^io,phs(,|$)/, usage: 'io,phs[,FILTER]', create: createHierarchyReport },
  { prefix: /^io,stat,/, usage: 'io,stat,SECONDS', create: createIoStatReport },
  { prefix: /^follow,/, usage: 'follow,tcp,ascii|hex|raw,N', create: createFollowReport },
  { prefix: /^http,tree(,|$)/, usage: 'http,tree', create: createHttpTreeReport },
];

/** One report per -z spec; an unknown or malformed spec is a usage error naming it. */
export function createStatisticsReports(specs: readonly string[]): StatisticsReport[] {
  return specs.map((spec) => {
    const statistic = STATISTICS.find((s) => s.prefix.test(spec));
    if (!statistic) {
      throw new UsageError(`-z ${spec}: unknown statistic; sievecap knows ${STATISTICS.map((s) => s.usage).join(', ')}`);
    }
    try {
      return statistic.create(spec);
    } catch (err) {
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

/** --export-objects http,DIR: the HTTP bodies of the file, named as tshark names them. */
export function runExportObjects(opts: CliOptions, io: CliIo): number {
  const result = exportHttpObjects(opts.readFile!, opts.exportObjectsDir!);
  io.error(`sievecap: ${result.files.length} HTTP objects written to ${opts.exportObjectsDir}`);
  if (result.cutBodies > 0) {
    io.error(`sievecap: ${result.cutBodies} bodies were larger than the per-body bound and were cut; their files hold the first part`);
  }
  if (result.readError) {
    io.error(`sievecap: ${result.readError}`);
    return 1;
  }
  return 0;
}
