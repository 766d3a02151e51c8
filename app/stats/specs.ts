/**
 * The `-z` statistics sievecap knows, by the first words of their spec (tshark's syntax): the one
 * table that the CLI (app/cli/report-command.ts) and the engine service
 * (app/engine/service/statistics.ts) make their reports from. Each caller words its own errors
 * (a usage error for the CLI, an ESPEC error for the service) from the two errors thrown here.
 *
 *   const report = createReportForSpec('conv,tcp');
 */
import { createConversationReport } from './conversations';
import { createDnsTreeReport } from './dns-tree';
import { createEndpointReport } from './endpoints';
import { createExpertReport } from './expert';
import { createFollowReport } from './follow';
import { createHierarchyReport } from './hierarchy';
import { createHttpRequestsTreeReport, createHttpTreeReport } from './http-tree';
import { createIoStatReport } from './io-graph';
import type { StatisticsReport } from './report';

export interface StatisticDefinition {
  /** Matches the specs this statistic takes (its parameters are checked by create). */
  readonly prefix: RegExp;
  /** The spec's syntax, as --help and errors show it. */
  readonly usage: string;
  /** Makes the report; throws StatisticsSpecError for a bad parameter. */
  readonly create: (spec: string) => StatisticsReport;
}

export const STATISTICS: readonly StatisticDefinition[] = [
  { prefix: /^conv,/, usage: 'conv,eth|ip|ipv6|tcp|udp[,FILTER]', create: createConversationReport },
  { prefix: /^endpoints,/, usage: 'endpoints,eth|ip|ipv6|tcp|udp[,FILTER]', create: createEndpointReport },
  { prefix: /^io,phs(,|$)/, usage: 'io,phs[,FILTER]', create: createHierarchyReport },
  { prefix: /^io,stat,/, usage: 'io,stat,SECONDS[,FILTER…]', create: createIoStatReport },
  { prefix: /^follow,/, usage: 'follow,tcp|udp|tls,ascii|hex|raw,N', create: createFollowReport },
  { prefix: /^http,tree(,|$)/, usage: 'http,tree', create: createHttpTreeReport },
  { prefix: /^http_req,tree(,|$)/, usage: 'http_req,tree', create: createHttpRequestsTreeReport },
  { prefix: /^dns,tree(,|$)/, usage: 'dns,tree', create: createDnsTreeReport },
  { prefix: /^expert(,|$)/, usage: 'expert[,error|warn|note|chat|comment][,FILTER]', create: createExpertReport },
];

/** Every statistic's syntax, comma-separated, for error messages and help. */
export const STATISTIC_USAGES: string = STATISTICS.map((s) => s.usage).join(', ');

/** A spec that names no statistic in STATISTICS (a bad parameter is a StatisticsSpecError instead). */
export class UnknownStatisticError extends Error {
  constructor(readonly spec: string) {
    super(`'${spec}' is not a statistic sievecap knows: use ${STATISTIC_USAGES}`);
  }
}

/**
 * The report for a `-z` spec. Throws UnknownStatisticError when no statistic takes the spec, and
 * the statistic's StatisticsSpecError when one does but a parameter is bad.
 */
export function createReportForSpec(spec: string): StatisticsReport {
  const statistic = STATISTICS.find((s) => s.prefix.test(spec));
  if (!statistic) throw new UnknownStatisticError(spec);
  return statistic.create(spec);
}
