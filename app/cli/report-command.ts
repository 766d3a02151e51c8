/**
 * `-z SPEC` reports (tshark's statistics): made from their specs before any packet is read, fed
 * every packet that passes the filters (display-stage.ts ReportSink), printed at the end as
 * tshark prints them with -q, or as JSON with --json.
 */
import { StatisticsSpecError, type StatisticsReport } from '../stats/report';
import { UsageError, type CliOptions } from './args';
import type { CliIo } from './io';

type ReportFactory = (spec: string) => StatisticsReport;

/** The -z statistics, by the first words of their spec. */
const FACTORIES: { prefix: RegExp; create: ReportFactory; example: string }[] = [];

/** Adds a -z statistic (called once per module below). */
function registerStatistic(prefix: RegExp, example: string, create: ReportFactory): void {
  FACTORIES.push({ prefix, create, example });
}

export function knownStatistics(): string[] {
  return FACTORIES.map((f) => f.example);
}

/** One report per -z spec; an unknown or malformed spec is a usage error naming it. */
export function createStatisticsReports(specs: readonly string[]): StatisticsReport[] {
  return specs.map((spec) => {
    const factory = FACTORIES.find((f) => f.prefix.test(spec));
    if (!factory) {
      throw new UsageError(`-z ${spec}: unknown statistic; sievecap knows ${knownStatistics().join(', ')}`);
    }
    try {
      return factory.create(spec);
    } catch (err) {
      if (err instanceof StatisticsSpecError) throw new UsageError(`-z ${spec}: ${err.message}`);
      throw err;
    }
  });
}

/** tshark -q -z …: each report's text in the order given; --json: the data (one report: as is). */
export function printReports(reports: readonly StatisticsReport[], opts: Pick<CliOptions, 'json'>, io: CliIo): void {
  if (opts.json) {
    const data = reports.length === 1 ? reports[0]!.json() : Object.fromEntries(reports.map((r) => [r.spec, r.json()]));
    io.out(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  for (const report of reports) io.out(report.text());
}

export { registerStatistic };
