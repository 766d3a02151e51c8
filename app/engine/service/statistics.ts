/**
 * The statistics a session can make, by the first words of their spec (tshark's `-z` syntax, as
 * the CLI takes them). The same table as app/cli/report-command.ts, until the CLI asks the
 * engine for its reports.
 */
import { createConversationReport } from '../../stats/conversations';
import { createEndpointReport } from '../../stats/endpoints';
import { createFollowReport } from '../../stats/follow';
import { createHierarchyReport } from '../../stats/hierarchy';
import { createHttpTreeReport } from '../../stats/http-tree';
import { createIoStatReport } from '../../stats/io-graph';
import { StatisticsSpecError, type StatisticsReport } from '../../stats/report';
import { EngineError } from './plain';

export const STATISTICS: readonly { prefix: RegExp; usage: string; create: (spec: string) => StatisticsReport }[] = [
  { prefix: /^conv,/, usage: 'conv,eth|ip|ipv6|tcp|udp[,FILTER]', create: createConversationReport },
  { prefix: /^endpoints,/, usage: 'endpoints,eth|ip|ipv6|tcp|udp[,FILTER]', create: createEndpointReport },
  { prefix: /^io,phs(,|$)/, usage: 'io,phs[,FILTER]', create: createHierarchyReport },
  { prefix: /^io,stat,/, usage: 'io,stat,SECONDS', create: createIoStatReport },
  { prefix: /^follow,/, usage: 'follow,tcp,ascii|hex|raw,N', create: createFollowReport },
  { prefix: /^http,tree(,|$)/, usage: 'http,tree', create: createHttpTreeReport },
];

/** A report for a spec; an unknown or malformed spec is an ESPEC error naming it. */
export function createStatistic(spec: string): StatisticsReport {
  const statistic = STATISTICS.find((s) => s.prefix.test(spec));
  if (!statistic) throw new EngineError('ESPEC', `'${spec}' is not a statistic sievecap knows: use ${STATISTICS.map((s) => s.usage).join(', ')}`);
  try {
    return statistic.create(spec);
  } catch (err) {
    if (err instanceof StatisticsSpecError) throw new EngineError('ESPEC', err.message);
    throw err;
  }
}
