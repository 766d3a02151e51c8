/**
 * The statistics a session can make, by the first words of their spec (tshark's `-z` syntax, as
 * the CLI takes them): the table of app/stats/specs.ts, which the CLI uses too, with the
 * service's errors.
 */
import { StatisticsSpecError, type StatisticsReport } from '../../stats/report';
import { createReportForSpec, UnknownStatisticError } from '../../stats/specs';
import { EngineError } from './plain';

export { STATISTICS } from '../../stats/specs';

/** A report for a spec; an unknown or malformed spec is an ESPEC error naming it. */
export function createStatistic(spec: string): StatisticsReport {
  try {
    return createReportForSpec(spec);
  } catch (err) {
    if (err instanceof UnknownStatisticError || err instanceof StatisticsSpecError) throw new EngineError('ESPEC', err.message);
    throw err;
  }
}
