/**
 * Parsing of tshark's `-z conv,KIND[,FILTER]` and `-z endpoints,KIND[,FILTER]` arguments, shared by
 * the conversation and endpoint tables.
 */
import { compileDisplayFilter, DisplayFilterError, type DisplayFilter } from '../filter';
import { StatisticsSpecError } from './report';
import { CONVERSATION_KINDS, type ConversationKind } from './conv-packet';

/** The table titles tshark prints: its protocols' short names. */
export const KIND_TITLES: Record<ConversationKind, string> = {
  eth: 'Ethernet',
  ip: 'IPv4',
  ipv6: 'IPv6',
  tcp: 'TCP',
  udp: 'UDP',
};

export interface TableSpec {
  kind: ConversationKind;
  /** The filter text as given (tshark prints it in the table's "Filter:" line), or null. */
  filterText: string | null;
  filter: DisplayFilter | null;
}

/** `conv,tcp` / `conv,tcp,ip.addr==10.0.0.1` → kind and compiled filter; anything else throws StatisticsSpecError. */
export function parseTableSpec(spec: string, report: 'conv' | 'endpoints'): TableSpec {
  const prefix = `${report},`;
  if (!spec.startsWith(prefix)) {
    throw new StatisticsSpecError(`'${spec}' is not a -z ${report},… statistic: use -z ${report},eth|ip|ipv6|tcp|udp`);
  }
  const rest = spec.slice(prefix.length);
  const comma = rest.indexOf(',');
  const kindText = comma < 0 ? rest : rest.slice(0, comma);
  if (!(CONVERSATION_KINDS as readonly string[]).includes(kindText)) {
    throw new StatisticsSpecError(
      `-z ${report},${kindText}: unknown table '${kindText}'; choose one of ${CONVERSATION_KINDS.join(', ')} (e.g. -z ${report},tcp)`,
    );
  }
  const kind = kindText as ConversationKind;
  if (comma < 0) return { kind, filterText: null, filter: null };
  const filterText = rest.slice(comma + 1);
  if (filterText.trim() === '') {
    throw new StatisticsSpecError(`-z ${spec}: the filter after '${report},${kind},' is empty; drop the comma or give a display filter`);
  }
  try {
    return { kind, filterText, filter: compileDisplayFilter(filterText) };
  } catch (err) {
    if (err instanceof DisplayFilterError) {
      throw new StatisticsSpecError(`-z ${spec}: the filter is not a valid display filter: ${err.message}`);
    }
    throw err;
  }
}
