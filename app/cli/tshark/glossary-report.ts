/**
 * tshark's -G glossary reports over Sievecap's field table: `-G fields` and `-G protocols` print
 * the entries of the protocols Sievecap dissects, line for line as tshark 4.0 prints them
 * (app/filter/wireshark-field-registry.ts).
 */
import { loadGlossary } from '../../filter/glossary';
import type { CliIo } from '../io';

/** tshark's other reports, which Sievecap does not have. */
const TSHARK_ONLY_REPORTS = [
  'column-formats', 'currentprefs', 'decodes', 'defaultprefs', 'dissector-tables', 'elastic-mapping', 'fieldcount', 'folders',
  'ftypes', 'heuristic-decodes', 'plugins', 'values',
];

export async function printGlossaryReport(report: string, io: CliIo): Promise<number> {
  if (report === 'help') {
    io.out('Usage: sievecap -G [report]\n\nGlossary table reports (the protocols Sievecap dissects):\n  -G fields                dump fields glossary and exit\n  -G protocols             dump protocols in registration database and exit\n');
    return 0;
  }
  if (report === 'fields' || report === 'protocols') {
    const glossary = await loadGlossary();
    const lines = report === 'fields' ? glossary.FIELD_GLOSSARY : glossary.PROTOCOL_GLOSSARY;
    io.out(lines.join('\n') + '\n');
    return 0;
  }
  if (TSHARK_ONLY_REPORTS.includes(report)) {
    io.error(`sievecap: -G ${report}: Sievecap has only the fields and protocols reports (tshark -G ${report} prints tshark's own)`);
    return 1;
  }
  // tshark's words and status for a report it does not know.
  io.error(`sievecap: Invalid "${report}" option for -G flag, enter -G help for more help.`);
  return 1;
}
