/**
 * tshark's options whose letters tcpdump uses differently or not at all, taken out of the command
 * line before args.ts parses the rest:
 *
 * - `-t ad|a|adoy|r|d|dd|e|u|ud|udoy`: tshark's time column. tcpdump's `-t` takes no argument, so
 *   `-t` followed by exactly one of those words is tshark's (attached, `-tad`, only the words of
 *   several letters: `-te` and `-tr FILE` are tcpdump's); a bare `-t`, `-tt`, … stays tcpdump's.
 * - `-u s|hms`: seconds, or hours, minutes and seconds, in the time column.
 * - `-N LETTERS` (m, n, N, t, d, v; a separate argument): tshark's name resolution flags; a bare
 *   `-N` stays tcpdump's (host names without their domain), and so does `-Nn` (-N -n).
 * - `-2`, `-R FILTER`: two-pass read filter; `-d LAYER==SELECTOR,PROTOCOL`: decode-as; `-P`: print
 *   the summary while writing with -w.
 * - `-S SEPARATOR` with -V or -T: the line printed after each packet's tree or bytes; otherwise
 *   `-S` is tcpdump's (absolute TCP sequence numbers).
 *
 * Any of these, like -Y, -T, -V, -z and -o, asks for tshark-style output (tsharkOutputAsked).
 */
import { TIME_DISPLAY_FORMATS, type TimeDisplayFormat } from '../../rpc/time-formats';
import { UsageError } from '../args';

/** tshark's -t words: the window's View › Time Display Format offers the same. */
export const TIME_FORMATS = TIME_DISPLAY_FORMATS;
export type TsharkTimeFormat = TimeDisplayFormat;

/** One -d: payloads on these ports of TCP or UDP go to `protocol`'s dissector. */
export interface DecodeAs {
  /** The option as given, for messages. */
  text: string;
  transport: 'tcp' | 'udp';
  ports: number[];
  protocol: string;
}

export interface TsharkOptions {
  /** -t FORMAT; undefined: tshark's default, r (seconds since the first frame). */
  timeFormat: TsharkTimeFormat | undefined;
  /** -u: 's' (the default) or 'hms'. */
  secondsFormat: 's' | 'hms';
  /** -2 */
  twoPass: boolean;
  /** -R FILTER (with -2). */
  readFilter: string | undefined;
  decodeAs: DecodeAs[];
  /** -P: print packet summaries while writing with -w. */
  printWhileWriting: boolean;
  /** -N LETTERS, as given (undefined: not given). */
  nameResolution: string | undefined;
  /** -S SEPARATOR: the line after each packet's tree or bytes (tshark's; default a blank line). */
  separator: string | undefined;
  /** The tshark options given, as typed (e.g. ['-t ad', '-2']), for messages. */
  given: string[];
}

/** tshark's exit status for a bad option or option argument (INVALID_OPTION). */
export const INVALID_OPTION = 1;

/** tshark's -N letters (4.0). */
const RESOLUTION_LETTERS = /^[mnNtdv]+$/;

/**
 * Short options of args.ts that take a value, and long ones: their values are skipped, so that a
 * filter such as `-Y '-t'` is never read as an option here.
 */
const SHORT_WITH_VALUE = new Set('iZQfcswFrBTEYzoe'.split(''));
const LONG_WITH_VALUE = new Set([
  'interface', 'relinquish-privileges', 'direction', 'count', 'snapshot-length', 'buffer-size', 'time-stamp-precision', 'explain',
  'preset', 'watch', 'stats-interval', 'filter-file', 'payload-snap', 'field', 'export-objects', 'port',
]);

/** Takes tshark's options (see the file comment) out of argv; the rest is args.ts's. */
export function extractTsharkOptions(argv: readonly string[]): { rest: string[]; tshark: TsharkOptions } {
  const o: TsharkOptions = { timeFormat: undefined, secondsFormat: 's', twoPass: false, readFilter: undefined, decodeAs: [], printWhileWriting: false, nameResolution: undefined, separator: undefined, given: [] };
  const rest: string[] = [];
  // -e is tcpdump's flag unless -T makes it tshark's -e FIELD.
  const fieldFlag = argv.some((a) => a === '-T' || /^-T\w/.test(a));
  // -S is tcpdump's flag (absolute sequence numbers) unless -V or -T make the run tshark's, whose
  // -S SEPARATOR takes a value.
  const separatorFlag = fieldFlag || argv.includes('-V');
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--') {
      rest.push(...argv.slice(k));
      break;
    }
    const next = argv[k + 1];
    /** The value of a tshark option: attached (`-Rtcp`) or the next argument. */
    const valueOf = (letter: string): string => {
      if (a.length > 2) return a.slice(2);
      if (next === undefined) throw new UsageError(`-${letter} needs a value (see sievecap --help)`, INVALID_OPTION);
      k++;
      return next;
    };
    // Attached, only the words of more than one letter: `-te` is tcpdump's -t -e, `-tr F` its -t -r F.
    if (a === '-t' || /^-t(ad|adoy|dd|ud|udoy)$/.test(a)) {
      const word = a === '-t' ? next : a.slice(2);
      if (word !== undefined && (TIME_FORMATS as readonly string[]).includes(word)) {
        if (a === '-t') k++;
        o.timeFormat = word as TsharkTimeFormat;
        o.given.push(`-t ${word}`);
        continue;
      }
    } else if (a === '-u' || a === '-us' || a === '-uhms') {
      const value = valueOf('u');
      if (value !== 's' && value !== 'hms') {
        throw new UsageError(`-u ${value}: the seconds format is s (seconds) or hms (hours, minutes and seconds)`, INVALID_OPTION);
      }
      o.secondsFormat = value;
      o.given.push(`-u ${value}`);
      continue;
    } else if (a === '-2') {
      o.twoPass = true;
      o.given.push('-2');
      continue;
    } else if (separatorFlag && (a === '-S' || /^-S./.test(a))) {
      o.separator = valueOf('S');
      o.given.push('-S');
      continue;
    } else if (a === '-P') {
      o.printWhileWriting = true;
      o.given.push('-P');
      continue;
    } else if (a === '-R' || a.startsWith('-R')) {
      o.readFilter = valueOf('R');
      o.given.push('-R');
      continue;
    } else if (a === '-d' || a.startsWith('-d')) {
      o.decodeAs.push(parseDecodeAs(valueOf('d')));
      o.given.push('-d');
      continue;
    } else if (a === '-N') {
      // Only as a separate argument: `-Nn` is tcpdump's -N -n.
      const letters = next;
      if (letters !== undefined && RESOLUTION_LETTERS.test(letters)) {
        k++;
        o.nameResolution = (o.nameResolution ?? '') + letters;
        o.given.push(`-N ${letters}`);
        continue;
      }
    }
    rest.push(a);
    // Skip the value of an option args.ts parses, so it is not taken for one of ours.
    const takesValue = a.startsWith('--') ? !a.includes('=') && LONG_WITH_VALUE.has(a.slice(2)) : /^-[^-]$/.test(a) && SHORT_WITH_VALUE.has(a[1]!) && (a[1] !== 'e' || fieldFlag);
    if (takesValue && next !== undefined) {
      rest.push(next);
      k++;
    }
  }
  if (o.readFilter !== undefined && !o.twoPass) {
    // tshark's own words and status.
    throw new UsageError('-R without -2 is deprecated. For single-pass filtering use -Y (or give -2 for a two-pass read filter)', INVALID_OPTION);
  }
  if (o.readFilter !== undefined && o.readFilter.trim() === '') throw new UsageError('-R needs a display filter, e.g. -2 -R http', INVALID_OPTION);
  return { rest, tshark: o };
}

/**
 * `-d tcp.port==8888,http`, tshark's syntax: LAYER==SELECTOR,PROTOCOL, the selector one port or
 * one range (8000-8010; give -d again for more). `=` for `==` is accepted, as tshark accepts it.
 */
export function parseDecodeAs(text: string): DecodeAs {
  const m = /^([a-z0-9_.]+)==?([^,]+),([A-Za-z0-9_.-]+)$/.exec(text.trim());
  if (!m) {
    throw new UsageError(
      `-d ${text}: decode-as takes LAYER==SELECTOR,PROTOCOL as tshark's does, e.g. -d tcp.port==8888,http (tcpdump's -d, the compiled filter, is --explain EXPR here)`,
      INVALID_OPTION,
    );
  }
  const [, layer, selector, protocol] = m as unknown as [string, string, string, string];
  if (layer !== 'tcp.port' && layer !== 'udp.port') {
    throw new UsageError(`-d ${text}: Sievecap decodes as another protocol by tcp.port or udp.port, not by ${layer}`, INVALID_OPTION);
  }
  const range = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(selector.trim());
  const low = range ? Number(range[1]) : NaN;
  const high = range?.[2] !== undefined ? Number(range[2]) : low;
  if (!range || low > 65535 || high > 65535 || high < low) {
    throw new UsageError(`-d ${text}: ${layer} takes a port (0-65535) or a range of ports such as 8000-8010, got '${selector}'`, INVALID_OPTION);
  }
  const ports: number[] = [];
  for (let port = low; port <= high; port++) ports.push(port);
  const name = protocol.toLowerCase();
  return { text, transport: layer === 'tcp.port' ? 'tcp' : 'udp', ports, protocol: PROTOCOL_ALIASES[name] ?? name };
}

/** Older names tshark still takes after -d (Wireshark's protocol aliases). */
const PROTOCOL_ALIASES: Readonly<Record<string, string>> = { ssl: 'tls', bootp: 'dhcp' };

/** Flags that shape tcpdump's lines (args.ts's names); with them, -Y and -o keep tcpdump's lines. */
const TCPDUMP_LINE_FLAGS: ReadonlyArray<readonly [string, string]> = [
  ['x', '-x'], ['X', '-X'], ['A', '-A'], ['number', '-#'], ['absolute-tcp-sequence-numbers', '-S'], ['dont-verify-checksums', '-K'],
  ['N', '-N'], ['e', '-e'], ['v', '-v'], ['t', '-t'], ['q', '-q'],
];

/**
 * Whether the default output is tshark's summary: a tshark-only option was given (-Y, -o, -2, -R,
 * -d, -t FORMAT, -u, -N LETTERS, -P; -V, -T and -z choose their own output) and no flag that
 * shapes tcpdump's lines (with those, -Y and -o keep filtering tcpdump's lines, as before). The
 * options of this module refuse tcpdump's line flags outright: none of them means anything there.
 */
export function summaryByDefault(values: Record<string, unknown>, tshark: TsharkOptions): boolean {
  const tcpdumpFlags = TCPDUMP_LINE_FLAGS.filter(([name]) => values[name] !== undefined).map(([, flag]) => flag);
  const shaping = tshark.given;
  if (shaping.length > 0 && tcpdumpFlags.length > 0) {
    throw new UsageError(
      `${shaping.join(', ')} ${shaping.length > 1 ? 'shape' : 'shapes'} tshark-style output and ${tcpdumpFlags.join(', ')} tcpdump's lines: give one kind (see sievecap --help)`,
      INVALID_OPTION,
    );
  }
  if (tcpdumpFlags.length > 0) return false;
  return values.Y !== undefined || (values.o as unknown[] | undefined)?.length !== undefined || tshark.given.length > 0;
}
