/**
 * tshark's output-format options that tcpdump lacks or spells differently, taken off the command
 * line before the rest is parsed (app/cli/args.ts):
 *   -T ek|pdml|psml|tabs|jsonraw (besides text, fields and json), -G fields|protocols,
 *   -E quote=d|s|n and bom=y|n, -j / -J PROTOCOLS, -x with -V or -T text|json|ek.
 * Letters both tools use: tcpdump's -G SECONDS (file rotation) is a number, tshark's -G a report
 * name; tcpdump's -j TYPE is a time-stamp type name, tshark's -j a list of protocols.
 */
import { UsageError } from '../args';

export const TSHARK_OUTPUT_TYPES = ['text', 'fields', 'json', 'ek', 'pdml', 'psml', 'tabs', 'jsonraw'] as const;
export type TsharkOutputType = (typeof TSHARK_OUTPUT_TYPES)[number];

/** tcpdump's -j time-stamp types (pcap-tstamp(7)): with one of these, -j is tcpdump's. */
export const TCPDUMP_TSTAMP_TYPES: readonly string[] = ['host', 'host_lowprec', 'host_hiprec', 'host_hiprec_unsynced', 'adapter', 'adapter_unsynced'];

/** -j / -J: the protocols (and fields) whose subtrees -T json, jsonraw, ek and pdml print. */
export interface ProtocolFilter {
  names: readonly string[];
  /** -J: everything under a named protocol, not only what is named. */
  includeChildren: boolean;
}

export interface TsharkFormatOptions {
  /** -G REPORT: print tshark's glossary report ('fields', 'protocols'; another word is refused as tshark refuses it) and exit. */
  glossary: string | undefined;
  protocolFilter: ProtocolFilter | undefined;
  /** -E quote=d|s|n: the quote around each -T fields value ('' none). */
  fieldQuote: string;
  /** -E bom=y: a UTF-8 byte order mark before -T fields output. */
  fieldBom: boolean;
  /** tshark's -x: each packet's bytes in hex and ASCII after its tree (-V) or alone (-T text). */
  hexDump: boolean;
}

export const NO_TSHARK_FORMATS: TsharkFormatOptions = { glossary: undefined, protocolFilter: undefined, fieldQuote: '', fieldBom: false, hexDump: false };

/**
 * Takes tshark's -G, -j, -J and -E quote=/bom= off the command line; what remains goes to the
 * option parser. A -j with a tcpdump time-stamp type stays for tcpdump's meaning.
 */
export function takeTsharkFormatOptions(argv: readonly string[]): { argv: string[]; formats: TsharkFormatOptions } {
  const formats: TsharkFormatOptions = { ...NO_TSHARK_FORMATS };
  const rest: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--') {
      rest.push(...argv.slice(k));
      break;
    }
    const flag = /^-([GjJE])(.*)$/s.exec(a);
    if (!flag) {
      rest.push(a);
      continue;
    }
    const letter = flag[1]!;
    const attached = flag[2]!;
    const value = attached !== '' ? attached : argv[k + 1];
    const consumed = attached !== '' ? 0 : 1;
    if (letter === 'G') {
      // tshark -G with no report prints the fields glossary.
      const report = value === undefined || value.startsWith('-') ? 'fields' : value;
      if (/^\d+$/.test(report)) {
        // tcpdump's -G SECONDS: file rotation (app/cli/args.ts and rotation.ts).
        rest.push(a);
        continue;
      }
      formats.glossary = report;
      k += value === report ? consumed : 0;
    } else if (letter === 'j' || letter === 'J') {
      // tcpdump's -j TYPE and -J (list the time-stamp types, no argument) stay for tcpdump's meaning.
      if (value === undefined || (letter === 'J' && consumed === 1 && value.startsWith('-')) || (letter === 'j' && TCPDUMP_TSTAMP_TYPES.includes(value))) {
        rest.push(a);
        continue;
      }
      formats.protocolFilter = { names: value.split(' ').filter(Boolean), includeChildren: letter === 'J' };
      k += consumed;
    } else {
      // -E: quote= and bom= here; separator, aggregator, occurrence and header in args.ts.
      const m = value === undefined ? null : /^(quote|bom)=(.*)$/s.exec(value);
      if (!m) {
        rest.push(a);
        continue;
      }
      if (m[1] === 'quote') {
        const quote = ({ d: '"', s: "'", n: '' } as Record<string, string>)[m[2]!.charAt(0)];
        if (quote === undefined || m[2] === '') throw new UsageError(`-E quote takes d (double quotes), s (single quotes) or n (none), got '${m[2]}'`);
        formats.fieldQuote = quote;
      } else {
        if (m[2] !== 'y' && m[2] !== 'n') throw new UsageError(`-E bom takes y or n, got '${m[2]}'`);
        formats.fieldBom = m[2] === 'y';
      }
      k += consumed;
    }
  }
  return { argv: rest, formats };
}

/** Whether -x is tshark's (a hex dump after the tree, alone with -T text, _raw members with -T ek|json) rather than tcpdump's: given once, with -V or -T text|ek|json. */
export function isTsharkHexDump(v: { V?: boolean; T?: string; x?: boolean[] }): boolean {
  return v.x?.length === 1 && (v.V === true || v.T === 'text' || v.T === 'ek' || v.T === 'json');
}

/** Checks what depends on the output type; returns the options with -x settled. */
export function checkTsharkFormats(formats: TsharkFormatOptions, outputType: string | undefined, tree: boolean, tsharkHex: boolean): TsharkFormatOptions {
  if (outputType !== undefined && !(TSHARK_OUTPUT_TYPES as readonly string[]).includes(outputType)) {
    throw new UsageError(`-T takes ${TSHARK_OUTPUT_TYPES.join(', ')}, got '${outputType}'`);
  }
  if (formats.protocolFilter && outputType !== 'json' && outputType !== 'jsonraw' && outputType !== 'ek' && outputType !== 'pdml') {
    // Without a JSON-like output it was meant as tcpdump's -j TYPE: tcpdump's words first.
    throw new UsageError(
      `invalid time stamp type ${formats.protocolFilter.names.join(' ')} (tcpdump's -j takes ${TCPDUMP_TSTAMP_TYPES.join(', ')}; tshark's -j/-J PROTOCOLS go with -T json, jsonraw, ek or pdml)`,
    );
  }
  if ((formats.fieldQuote !== '' || formats.fieldBom) && outputType !== 'fields') throw new UsageError('-E quote= and bom= go with -T fields');
  return { ...formats, hexDump: tsharkHex && (tree || outputType === 'text' || outputType === 'ek' || outputType === 'json') };
}

// ---- -T tabs --------------------------------------------------------------------------------------

/** tshark -T tabs: the summary line's columns, padded as -T text pads them, between tabs. */
export function tabsLine(columns: readonly string[]): string {
  const [number, time, source, destination, protocol, length, info] = columns as [string, string, string, string, string, string, string];
  const addresses = `${source.padStart(12)}\t→\t${destination.padEnd(12)}\t`;
  return `${number.padStart(5)}\t${time.padStart(10)}\t${addresses}${protocol}\t${length}\t${info}`;
}

// ---- -T fields -e NAME: unknown names ---------------------------------------------------------------

/** tshark's refusal of -e names it does not know ("Some fields aren't valid:", exit 1), names in reverse order as tshark lists them. */
export function invalidFieldsMessage(fields: readonly string[], known: (name: string) => boolean): string | undefined {
  const invalid = fields.filter((f) => !f.startsWith('_ws.col.') && !known(f));
  if (invalid.length === 0) return undefined;
  return `Some fields aren't valid:\n${invalid.reverse().map((f) => `\t${f}`).join('\n')}`;
}
