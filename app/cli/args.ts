/**
 * Command-line options: tcpdump's letters where tcpdump has one, tshark's where tcpdump has none.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_SNAPLEN } from '../capture/snaplen';
import type { KernelStagesSpec } from '../rpc/helper-protocol';
import { parseCidr } from '../filter/ip-text';
import { checkTsharkFormats, isTsharkHexDump, takeTsharkFormatOptions, type TsharkFormatOptions, type TsharkOutputType } from './tshark/formats';
import { parseFileSize, type RotationSpec } from './rotation';
import { renderHelp } from './help-table';
import { extractTsharkOptions, summaryByDefault, type TsharkOptions } from './tshark/options';
import { preferenceOptions } from './tshark/preferences';

export { KNOWN_PREFERENCES, desegmentOf } from './tshark/preferences';

export type TimestampFormat = 'default' | 'none' | 'epoch' | 'delta' | 'date' | 'since-first';

export interface CliOptions {
  help: boolean;
  version: boolean;
  listInterfaces: boolean;
  /** The first -i (several -i capture into one file). */
  interface: string | undefined;
  interfaces: string[];
  /** -Z USER: the user a root capture runs as once the helper holds the privileges. */
  relinquishTo: string | undefined;
  /** -U: write each packet to the file as it arrives (tcpdump's packet-buffered output). */
  packetBuffered: boolean;
  /** --immediate-mode: hand packets over as they arrive instead of in ring blocks. */
  immediate: boolean;
  /** -x (1) / -xx (2): tcpdump's hex dump of each packet, from the network header (2: the link header too). */
  hexDump: number;
  /** -X / -XX: the hex and ASCII dump. */
  hexAsciiDump: number;
  /** -A / -AA: the ASCII dump. */
  asciiDump: number;
  /** -#, --number: a packet number at the start of each line. */
  packetNumbers: boolean;
  /** -S, --absolute-tcp-sequence-numbers. */
  absoluteSequence: boolean;
  /** -K, --dont-verify-checksums: no IP, TCP or UDP checksum checks with -v. */
  noChecksums: boolean;
  /** -N: host names without their domain. */
  stripDomains: boolean;
  /** -Q, --direction: in, out or inout (live capture only). */
  direction: 'in' | 'out' | 'inout';
  /** -L, --list-data-link-types: the link-layer header types of the interface. */
  listDataLinkTypes: boolean;
  /** -y, --linktype TYPE: the link-layer header type to capture with (tcpdump's names, e.g. EN10MB). */
  dataLinkType: string | undefined;
  /** --list-time-stamp-types: the time stamp types of the interface. */
  listTimeStampTypes: boolean;
  /** -j, --time-stamp-type TYPE (tcpdump's meaning): host, adapter, ... (only 'host' exists here). */
  timeStampType: string | undefined;
  filter: string;
  count: number | undefined;
  snapLen: number;
  writeFile: string | undefined;
  fileFormat: 'pcap' | 'pcapng' | undefined;
  readFile: string | undefined;
  numeric: boolean;
  quiet: boolean;
  linkHeader: boolean;
  promiscuous: boolean;
  timestamp: TimestampFormat;
  verbose: number;
  bufferKiB: number;
  nanoPrecision: boolean;
  explain: string | undefined;
  /** --preset NAME: a built-in or saved preset (its filter, snap length, interfaces, kernel stages). */
  preset: string | undefined;
  /** --list-presets */
  listPresets: boolean;
  /** Kernel stages after the filter: the preset's (filled in by app/cli/presets.ts). */
  stages: KernelStagesSpec | undefined;
  /** -s was given (a preset's snap length applies only when it was not). */
  snapLenGiven: boolean;
  /** --watch CIDR[=RULE], in order: the CIDR watchlist's prefixes and their rules. */
  watches: Array<{ rule: string; prefix: string }>;
  /** --stats-interval SECONDS: print the kernel's counters this often during a live capture. */
  statsIntervalS: number | undefined;
  /** --payload-snap BYTES: headers whole, then at most BYTES of payload (a kernel stage). */
  payloadSnap: number | undefined;
  /** --filter-file FILE: the filter expression's file (read again on SIGUSR1 during a live capture). */
  filterFile: string | undefined;
  /** The preset's own filter (combined with the user's; kept for a --filter-file reload). */
  presetFilter: string | undefined;
  /** tshark's -o preferences given, by name (see KNOWN_PREFERENCES). */
  preferences: Record<string, string>;
  /** tshark's -t FORMAT, -u, -2, -R, -d, -P, -N LETTERS (app/cli/tshark/options.ts). */
  tshark: TsharkOptions;
  /** tshark's -V: the full tree of every packet. */
  tree: boolean;
  /** tshark's -T: 'text' (tshark's one-line summary), 'fields', 'json', 'ek', 'pdml', 'psml', 'tabs', 'jsonraw'; undefined = tcpdump lines. */
  outputType: TsharkOutputType | undefined;
  /** tshark's -G, -j/-J, -E quote=/bom= and -x (app/cli/tshark/formats.ts). */
  tsharkFormats: TsharkFormatOptions;
  /** tshark's -e FIELD (only with -T fields; without -T, -e is tcpdump's link-header flag). */
  fields: string[];
  /** tshark's -E options. */
  fieldSeparator: string;
  fieldAggregator: string;
  fieldOccurrence: 'a' | 'f' | 'l';
  fieldHeader: boolean;
  // --- HTTP report (app/cli/http-report.ts) ---
  /** --http: list the HTTP transactions of the file read with -r. */
  http: boolean;
  /** --json: reports as JSON for scripts. */
  json: boolean;
  // --- display filter (app/filter) ---
  /** tshark's -Y: a Wireshark display filter applied after dissection. */
  displayFilter: string | undefined;
  // --- statistics (app/stats, app/cli/report-command.ts) ---
  /** tcpdump's -C / -G / -W / -z rotation of the -w file (app/cli/rotation.ts). */
  rotation: RotationSpec | undefined;
  /** tshark's -z SPEC, in the order given (e.g. 'conv,tcp', 'io,phs', 'follow,tcp,ascii,0'). */
  statistics: string[];
  /** tshark's --export-objects KIND,DIR: the directory the objects are written to. */
  exportObjectsDir: string | undefined;
  /** Which objects --export-objects writes: HTTP bodies, IMF messages (SMTP) or TFTP files. */
  exportObjectsKind: ExportObjectKind | undefined;
}

/** The kinds of --export-objects sievecap writes (tshark has more: dicom, smb, …). */
export const EXPORT_OBJECT_KINDS = ['http', 'imf', 'tftp'] as const;
export type ExportObjectKind = (typeof EXPORT_OBJECT_KINDS)[number];

/** -F's file formats (tshark's names); any other -F argument is tcpdump's filter file. */
const FILE_FORMATS = new Set(['pcap', 'pcapng']);

export class UsageError extends Error {
  override name = 'UsageError';
  /** The exit status: 1, as tcpdump's and tshark's for a usage error (tshark's INVALID_OPTION), unless given. */
  constructor(message: string, readonly status = 1) {
    super(message);
  }
}

let helpText: string | undefined;
/** `sievecap --help`: the option table of help-table.ts (also the manual page's), made when asked for. */
export function help(): string {
  return (helpText ??= renderHelp());
}

/** What an option's argument is, for "option -r needs an argument: …". */
const ARGUMENT_WORDS: Readonly<Record<string, string>> = {
  r: 'a capture file to read, or - for standard input',
  w: 'a file to write, or - for standard output',
  i: 'an interface name (sievecap -D lists them)',
  interface: 'an interface name (sievecap -D lists them)',
  c: 'a number of packets',
  count: 'a number of packets',
  s: 'a snapshot length in bytes',
  'snapshot-length': 'a snapshot length in bytes',
  f: 'a capture filter expression, e.g. "tcp port 80"',
  F: 'a file format for -w (pcap or pcapng), or a file holding the capture filter',
  B: 'a buffer size in KiB',
  'buffer-size': 'a buffer size in KiB',
  Z: 'a user name',
  Q: 'in, out or inout',
  y: 'a link-layer header type (sievecap -L lists them)',
  j: 'a time stamp type (sievecap --list-time-stamp-types lists them)',
  Y: 'a display filter, e.g. "tcp.port == 80"',
  T: 'an output format, e.g. text, fields or json',
  field: 'a field name, e.g. ip.src',
  E: 'a key=value setting, e.g. header=y',
  z: 'a statistic, e.g. conv,tcp',
  o: 'a preference, e.g. tcp.desegment_tcp_streams:FALSE',
  'time-stamp-precision': 'micro or nano',
  explain: 'a filter expression',
  preset: 'a preset name (sievecap --list-presets lists them)',
  watch: 'a CIDR, e.g. 10.0.0.0/8',
  'stats-interval': 'a number of seconds',
  'filter-file': 'a file holding the capture filter',
  'payload-snap': 'a number of bytes',
  'export-objects': 'KIND,DIR with KIND http, imf or tftp',
};

/** node:util parseArgs's messages in Sievecap's words: the option once, and what to do. */
function optionParseMessage(message: string): string {
  const missing = /^Option '(?:-(.), )?--([\w-]+) <value>' argument missing/.exec(message);
  if (missing) {
    const [, short, long] = missing as unknown as [string, string | undefined, string];
    const flag = short !== undefined && short === long ? `-${short}` : short !== undefined ? `-${short} (--${long})` : `--${long}`;
    const words = ARGUMENT_WORDS[long] ?? (short !== undefined ? ARGUMENT_WORDS[short] : undefined) ?? 'a value';
    return `option ${flag} needs an argument: ${words} (see sievecap --help)`;
  }
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]} (see sievecap --help)`;
  const noArgument = /^Option '(?:-(.), )?--([\w-]+)' does not take an argument/.exec(message);
  if (noArgument) {
    const [, short, long] = noArgument as unknown as [string, string | undefined, string];
    return `option ${short !== undefined && short !== long ? `-${short} (--${long})` : short !== undefined ? `-${short}` : `--${long}`} takes no argument (see sievecap --help)`;
  }
  return `${message.replace(/\. To specify.*$/s, '')} (see sievecap --help)`;
}

function positiveInt(flag: string, text: string, allowZero = false): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} needs a whole number, got '${text}'`);
  const n = Number(text);
  if (!allowZero && n === 0) throw new UsageError(`${flag} must be greater than 0`);
  return n;
}

/**
 * `-e` is tcpdump's link-header flag, but with `-T` it is tshark's `-e FIELD`: rewrite the latter
 * to --field before parsing so both keep their meaning.
 */
function separateFieldFlags(argv: readonly string[]): string[] {
  const tsharkMode = argv.some((a) => a === '-T' || /^-T\w/.test(a));
  if (!tsharkMode) return [...argv];
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--') {
      out.push(...argv.slice(k));
      break;
    }
    if (a === '-e' && k + 1 < argv.length) out.push(`--field=${argv[++k]}`);
    else if (/^-e[^-]/.test(a)) out.push(`--field=${a.slice(2)}`);
    else out.push(a);
  }
  return out;
}

function fieldOptions(values: readonly string[]): Pick<CliOptions, 'fieldSeparator' | 'fieldAggregator' | 'fieldOccurrence' | 'fieldHeader'> {
  const o: Pick<CliOptions, 'fieldSeparator' | 'fieldAggregator' | 'fieldOccurrence' | 'fieldHeader'> = {
    fieldSeparator: '\t',
    fieldAggregator: ',',
    fieldOccurrence: 'a',
    fieldHeader: false,
  };
  const escape = (v: string): string => (v === '/t' ? '\t' : v === '/s' ? ' ' : v);
  for (const item of values) {
    const m = /^(\w+)=(.*)$/s.exec(item);
    if (!m) throw new UsageError(`-E takes key=value (separator, aggregator, occurrence, header), got '${item}'`);
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'separator') o.fieldSeparator = escape(value);
    else if (key === 'aggregator') o.fieldAggregator = escape(value);
    else if (key === 'occurrence') {
      if (value !== 'a' && value !== 'f' && value !== 'l') throw new UsageError(`-E occurrence takes a, f or l, got '${value}'`);
      o.fieldOccurrence = value;
    } else if (key === 'header') {
      if (value !== 'y' && value !== 'n') throw new UsageError(`-E header takes y or n, got '${value}'`);
      o.fieldHeader = value === 'y';
    } else throw new UsageError(`-E ${key} is not supported (separator, aggregator, occurrence, header)`);
  }
  return o;
}

export function parseCommandLine(argv: readonly string[]): CliOptions {
  const taken = takeTsharkFormatOptions(argv);
  const { rest, tshark } = extractTsharkOptions(taken.argv);
  argv = separateFieldFlags(rest);
  // `--preset http --explain`: the preset's program, with no expression of its own.
  if (argv[argv.length - 1] === '--explain') argv = [...argv, ''];
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        'list-interfaces': { type: 'boolean', short: 'D' },
        interface: { type: 'string', short: 'i', multiple: true },
        'relinquish-privileges': { type: 'string', short: 'Z' },
        'packet-buffered': { type: 'boolean', short: 'U' },
        'immediate-mode': { type: 'boolean' },
        x: { type: 'boolean', short: 'x', multiple: true },
        X: { type: 'boolean', short: 'X', multiple: true },
        A: { type: 'boolean', short: 'A', multiple: true },
        number: { type: 'boolean', short: '#' },
        'absolute-tcp-sequence-numbers': { type: 'boolean', short: 'S' },
        'dont-verify-checksums': { type: 'boolean', short: 'K' },
        N: { type: 'boolean', short: 'N', multiple: true },
        'no-optimize': { type: 'boolean', short: 'O' },
        direction: { type: 'string', short: 'Q' },
        'list-data-link-types': { type: 'boolean', short: 'L' },
        'linktype': { type: 'string', short: 'y' },
        'list-time-stamp-types': { type: 'boolean', short: 'J' },
        'time-stamp-type': { type: 'string', short: 'j' },
        C: { type: 'string', short: 'C' },
        G: { type: 'string', short: 'G' },
        W: { type: 'string', short: 'W' },
        'monitor-mode': { type: 'boolean', short: 'I' },
        f: { type: 'string', short: 'f' },
        count: { type: 'string', short: 'c' },
        'snapshot-length': { type: 'string', short: 's' },
        w: { type: 'string', short: 'w' },
        F: { type: 'string', short: 'F' },
        r: { type: 'string', short: 'r' },
        n: { type: 'boolean', short: 'n', multiple: true },
        q: { type: 'boolean', short: 'q' },
        e: { type: 'boolean', short: 'e' },
        'no-promiscuous-mode': { type: 'boolean', short: 'p' },
        t: { type: 'boolean', short: 't', multiple: true },
        v: { type: 'boolean', short: 'v', multiple: true },
        'buffer-size': { type: 'string', short: 'B' },
        'time-stamp-precision': { type: 'string' },
        explain: { type: 'string' },
        preset: { type: 'string' },
        'list-presets': { type: 'boolean' },
        watch: { type: 'string', multiple: true },
        'stats-interval': { type: 'string' },
        'filter-file': { type: 'string' },
        'payload-snap': { type: 'string' },
        V: { type: 'boolean', short: 'V' },
        T: { type: 'string', short: 'T' },
        field: { type: 'string', multiple: true },
        E: { type: 'string', short: 'E', multiple: true },
        http: { type: 'boolean' },
        json: { type: 'boolean' },
        Y: { type: 'string', short: 'Y' }, // display filter (app/filter)
        z: { type: 'string', short: 'z', multiple: true }, // statistics (app/stats)
        'export-objects': { type: 'string' },
        o: { type: 'string', short: 'o', multiple: true }, // tshark's preferences
      },
    });
  } catch (err) {
    throw new UsageError(optionParseMessage((err as Error).message));
  }
  const v = parsed.values;
  const direction = v.direction === undefined ? 'inout' : v.direction.toLowerCase();
  // tcpdump's words. With -r, tcpdump ignores -Q (read-command says so on stderr).
  if (direction !== 'in' && direction !== 'out' && direction !== 'inout') throw new UsageError(`unknown capture direction \`${v.direction}'`);
  if (v['monitor-mode']) {
    throw new UsageError(
      `${v.interface?.[0] ?? 'this interface'}: monitor mode (-I) is not possible: Sievecap captures on Ethernet, loopback and 'any', none of which has a monitor mode (it is for Wi-Fi interfaces)`,
    );
  }
  const tsharkOutput = v.V === true || v.T !== undefined || (v.z?.length ?? 0) > 0 || v.http === true;
  if (tsharkOutput) {
    const tcpdumpOnly = [
      ['-x', isTsharkHexDump(v) ? undefined : v.x], ['-X', v.X], ['-A', v.A], ['-#', v.number], ['-S', v['absolute-tcp-sequence-numbers']],
      ['-K', v['dont-verify-checksums']], ['-N', v.N],
    ].filter(([, given]) => given !== undefined).map(([flag]) => flag as string);
    if (tcpdumpOnly.length > 0) {
      throw new UsageError(
        `${tcpdumpOnly.join(', ')} ${tcpdumpOnly.length > 1 ? 'change' : 'changes'} tcpdump-style lines; with -V, -T, -z or --http (tshark-style output) ${tcpdumpOnly.length > 1 ? 'they are' : 'it is'} not supported`,
      );
    }
  }
  const trailing = parsed.positionals.join(' ').trim();
  // -F: tshark's output format (pcap, pcapng), else tcpdump's -F FILE: the filter expression's file.
  let format = v.F;
  let filterFile = v['filter-file'];
  if (format !== undefined && !FILE_FORMATS.has(format)) {
    if (!existsSync(format)) {
      throw new UsageError(`-F ${format}: not a file format (pcap or pcapng, for -w) and no such filter file (tcpdump's -F FILE)`);
    }
    if (filterFile !== undefined) throw new UsageError('give one filter file: -F FILE or --filter-file FILE');
    filterFile = format;
    format = undefined;
  }
  let fileFilter: string | undefined;
  if (filterFile !== undefined) {
    if (v.f !== undefined || trailing) throw new UsageError(`give the filter either in the file ${filterFile} or on the command line, not both`);
    fileFilter = readFilterFile(filterFile);
  }
  if (v.f !== undefined && trailing) {
    throw new UsageError(`give the filter either with -f or as trailing arguments, not both`);
  }
  const precision = v['time-stamp-precision'];
  if (precision !== undefined && precision !== 'micro' && precision !== 'nano') {
    throw new UsageError(`--time-stamp-precision takes 'micro' or 'nano', got '${precision}'`);
  }
  const tCount = v.t?.length ?? 0;
  const timestamp: TimestampFormat = (['default', 'none', 'epoch', 'delta', 'date', 'since-first'] as const)[
    Math.min(tCount, 5)
  ]!;
  const snap = v['snapshot-length'] === undefined ? 0 : positiveInt('-s', v['snapshot-length'], true);
  const watches = (v.watch ?? []).map((w) => {
    const eq = w.indexOf('=');
    const prefix = (eq < 0 ? w : w.slice(0, eq)).trim();
    const rule = eq < 0 ? prefix : w.slice(eq + 1).trim();
    try {
      parseCidr(prefix);
    } catch (err) {
      throw new UsageError(`--watch ${w}: ${(err as Error).message}`);
    }
    if (!rule || rule.length > 64) throw new UsageError(`--watch ${w}: a rule name has 1 to 64 characters`);
    return { rule, prefix };
  });
  if (watches.length > 0 && v.r !== undefined) throw new UsageError('--watch runs in the kernel during a live capture; for a file, use a filter such as -Y "ip.addr == 10.0.0.0/8"');
  let statsIntervalS: number | undefined;
  if (v['stats-interval'] !== undefined) {
    statsIntervalS = Number(v['stats-interval']);
    if (!/^\d+(\.\d+)?$/.test(v['stats-interval']) || !(statsIntervalS >= 0.1) || statsIntervalS > 86400) {
      throw new UsageError(`--stats-interval takes seconds from 0.1 to 86400, got '${v['stats-interval']}'`);
    }
    if (v.r !== undefined) throw new UsageError('--stats-interval prints the kernel counters of a live capture: it does not go with -r');
  }
  if (v.preset !== undefined && v.preset.trim() === '') throw new UsageError('--preset needs a name (sievecap --list-presets lists them)');
  if (v.r !== undefined && v.interface !== undefined) {
    throw new UsageError('-r reads a file and -i captures live: give one of them');
  }
  if (new Set(v.interface ?? []).size !== (v.interface ?? []).length) throw new UsageError('an interface is given twice with -i');
  if ((v.interface?.length ?? 0) > 1 && v.w !== undefined && (format === 'pcap' || (format === undefined && /\.pcap(\.gz)?$/i.test(v.w)))) {
    throw new UsageError('a pcap file holds one interface: write several -i to a .pcapng file (or -F pcapng)');
  }
  // A tshark-only option (-Y, -o, -t FORMAT, -2, -R, -d, …) prints tshark's summary, as tshark does.
  const outputType = v.T ?? (!v.V && !v.z && !v.http && summaryByDefault(v, tshark) ? 'text' : undefined);
  const tsharkFormats = checkTsharkFormats(taken.formats, outputType, v.V ?? false, isTsharkHexDump(v));
  const fields = v.field ?? [];
  if (outputType === 'fields' && fields.length === 0) throw new UsageError('-T fields needs at least one -e FIELD');
  if (fields.length > 0 && outputType !== 'fields' && outputType !== 'json' && outputType !== 'ek' && outputType !== 'pdml') throw new UsageError('-e FIELD goes with -T fields, json, ek or pdml');
  // Display filter (-Y): applied after dissection, to files and live captures.
  if (v.Y !== undefined && v.Y.trim() === '') throw new UsageError('-Y needs a display filter, e.g. -Y "tcp.port == 80"');
  // --- reports ---
  if (v.http && v.r === undefined) throw new UsageError('--http lists the transactions of a file: give it with -r FILE');
  const rotation = rotationOptions(v);
  // -z with -C or -G (and -w) is tcpdump's post-rotate command; otherwise tshark's statistics.
  const statistics = rotation?.postRotate !== undefined ? [] : (v.z ?? []).map((z) => z.trim());
  if (statistics.some((z) => z === '')) throw new UsageError('-z needs a statistic, e.g. -z conv,tcp (see sievecap --help)');
  let exportObjectsDir: string | undefined;
  let exportObjectsKind: ExportObjectKind | undefined;
  if (v['export-objects'] !== undefined) {
    const m = /^([^,]*),(.+)$/s.exec(v['export-objects']);
    const kind = EXPORT_OBJECT_KINDS.find((k) => k === m?.[1]);
    if (!m || kind === undefined) {
      throw new UsageError(`--export-objects takes KIND,DIR with KIND one of ${EXPORT_OBJECT_KINDS.join(', ')} (e.g. http,objects/), got '${v['export-objects']}'`);
    }
    if (v.r === undefined) throw new UsageError('--export-objects writes the objects of a file: give it with -r FILE');
    exportObjectsDir = m[2];
    exportObjectsKind = kind;
  }
  const reports = (v.http ? 1 : 0) + (statistics.length > 0 ? 1 : 0);
  if (reports > 1) throw new UsageError('give either --http or -z statistics, not both');
  if (v.json && reports === 0) throw new UsageError('--json goes with a report such as --http or -z conv,tcp');
  if (reports > 0 && (outputType !== undefined || v.V)) throw new UsageError('reports (--http, -z) replace the packet list: drop -V/-T');
  if (statistics.length > 0 && v.Y !== undefined) {
    throw new UsageError("-Y selects the packets listed, and -z reports count every packet (as tshark's do): give the report its own filter instead, e.g. -z 'conv,tcp,ip.addr == 10.0.0.1'");
  }
  if (statistics.length > 0 && v.w !== undefined) throw new UsageError('-z prints a report: it does not go with -w');
  return {
    statistics,
    tsharkFormats,
    rotation,
    exportObjectsDir,
    exportObjectsKind,
    http: v.http ?? false,
    json: v.json ?? false,
    ...fieldOptions(v.E ?? []),
    tree: v.V ?? false,
    outputType: outputType as CliOptions['outputType'],
    fields,
    help: v.help ?? false,
    version: v.version ?? false,
    listInterfaces: v['list-interfaces'] ?? false,
    interface: v.interface?.[0],
    interfaces: v.interface ?? [],
    relinquishTo: v['relinquish-privileges'],
    packetBuffered: v['packet-buffered'] ?? false,
    immediate: v['immediate-mode'] ?? false,
    hexDump: v.x?.length ?? 0,
    hexAsciiDump: v.X?.length ?? 0,
    asciiDump: v.A?.length ?? 0,
    packetNumbers: v.number ?? false,
    absoluteSequence: v['absolute-tcp-sequence-numbers'] ?? false,
    noChecksums: v['dont-verify-checksums'] ?? false,
    stripDomains: (v.N?.length ?? 0) > 0,
    direction,
    listDataLinkTypes: v['list-data-link-types'] ?? false,
    dataLinkType: v.linktype,
    listTimeStampTypes: v['list-time-stamp-types'] ?? false,
    timeStampType: timeStampTypeOption(v['time-stamp-type']),
    filter: (fileFilter ?? v.f ?? trailing).trim(),
    filterFile,
    payloadSnap: v['payload-snap'] === undefined ? undefined : payloadBytes(v['payload-snap'], v.r !== undefined),
    presetFilter: undefined,
    count: v.count === undefined ? undefined : positiveInt('-c', v.count),
    snapLen: snap === 0 || snap > DEFAULT_SNAPLEN ? DEFAULT_SNAPLEN : snap,
    writeFile: v.w,
    fileFormat: format as CliOptions['fileFormat'],
    readFile: v.r,
    numeric: (v.n?.length ?? 0) > 0,
    quiet: v.q ?? false,
    linkHeader: v.e ?? false,
    promiscuous: !(v['no-promiscuous-mode'] ?? false),
    timestamp,
    verbose: v.v?.length ?? 0,
    bufferKiB: v['buffer-size'] === undefined ? 8192 : positiveInt('-B', v['buffer-size']),
    nanoPrecision: precision === 'nano',
    explain: v.explain,
    preset: v.preset,
    listPresets: v['list-presets'] ?? false,
    stages: undefined,
    snapLenGiven: v['snapshot-length'] !== undefined,
    watches,
    statsIntervalS,
    displayFilter: v.Y,
    preferences: preferenceOptions(v.o ?? []),
    tshark,
  };
}

/** -V or -T: packets go through the dissectors (app/cli/dissect-sink.ts). */
export function wantsDissection(opts: Pick<CliOptions, 'tree' | 'outputType'>): boolean {
  return opts.tree || opts.outputType !== undefined;
}

/** pcapng unless the name ends in .pcap or -F pcap was given. */
export function outputFormat(opts: Pick<CliOptions, 'writeFile' | 'fileFormat'>): 'pcap' | 'pcapng' {
  if (opts.fileFormat) return opts.fileFormat;
  return opts.writeFile && /\.pcap(\.gz)?$/i.test(opts.writeFile) ? 'pcap' : 'pcapng';
}

// ---- sievecap serve ------------------------------------------------------------------------------

/** The port `sievecap serve` listens on unless --port says otherwise (stable, so an ssh -L or LocalForward line can stay). */
export const DEFAULT_SERVE_PORT = 8087;

export interface ServeOptions {
  help: boolean;
  /** 0: any free port. */
  port: number;
  /** A capture file opened at start. */
  file: string | undefined;
  /** -Z USER: the user a root serve runs as once the capture helper is started. */
  relinquishTo: string | undefined;
  /** --renderer-dir DIR (else $SIEVECAP_RENDERER_DIR, else the build's dist/renderer). */
  rendererDir: string | undefined;
}

export const SERVE_HELP = `Usage: sievecap serve [--port N] [-Z USER] [FILE]

Serve Sievecap's desktop UI to a web browser: the same engine and screens as the desktop app,
on http://127.0.0.1:PORT/ only (never another address). It prints the URL to open, with a
token made for this run; without the token every request is refused. FILE, if given, is
opened at once.

  --port N                  listen on port N (default ${DEFAULT_SERVE_PORT}; 0 picks any free port)
  -Z, --relinquish-privileges USER
                            as root: run as USER once the capture helper is started
                            (default: the user who ran sudo, else root)
  --renderer-dir DIR        serve the UI build in DIR instead of the installed one (also
                            $SIEVECAP_RENDERER_DIR); it is built by npm run build:renderer
  -h, --help                show this help

From another machine, forward the port through SSH and open the printed URL there:
  ssh -L PORT:127.0.0.1:PORT HOST          (the same PORT on both sides)

Every tab and reload shares the same open files and captures. Open and Save in the browser
upload and download the files (uploads up to 4 GiB; files on this machine open without an
upload: sievecap serve FILE). Live capture goes through the capture helper as in the command
line: as root (sudo) it is started at once, before sievecap becomes the user who ran sudo;
as a user, pkexec starts it on the first capture. Captures leave out serve's own connections
(tcp port PORT on 127.0.0.1 and ::1), so the page's updates do not capture themselves.
Ctrl-C (or SIGTERM) stops the captures,
closes the connections, removes the uploaded and temporary files, and exits.
`;

/** Parses what follows `sievecap serve`. */
export function parseServeCommandLine(argv: readonly string[]): ServeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        port: { type: 'string' },
        'relinquish-privileges': { type: 'string', short: 'Z' },
        'renderer-dir': { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError(`serve: ${(err as Error).message.replace(/\. To specify.*$/s, '')} (see sievecap serve --help)`);
  }
  const v = parsed.values;
  if (parsed.positionals.length > 1) throw new UsageError(`serve opens one file at start, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`);
  let port = DEFAULT_SERVE_PORT;
  if (v.port !== undefined) {
    if (!/^\d{1,5}$/.test(v.port) || Number(v.port) > 65535) throw new UsageError(`--port takes a port number from 0 to 65535 (0: any free port), got '${v.port}'`);
    port = Number(v.port);
  }
  return {
    help: v.help ?? false,
    port,
    file: parsed.positionals[0],
    relinquishTo: v['relinquish-privileges'],
    rendererDir: v['renderer-dir'],
  };
}

/** A filter file's expression: its lines, less `#` comments, joined (tcpdump -F's file, with comments). */
export function readFilterFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new UsageError(`cannot read the filter file ${file}: ${why}`);
  }
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .join(' ');
}

/** -C SIZE, -G SECONDS, -W COUNT and (with -C or -G) -z COMMAND: tcpdump's rotation of the -w file. */
function rotationOptions(v: { C?: string; G?: string; W?: string; z?: string[]; w?: string }): RotationSpec | undefined {
  if (v.G !== undefined && !/^\d+$/.test(v.G)) throw new UsageError(`-G ${v.G}: tshark's -G reports are not supported yet; tcpdump's -G takes SECONDS`);
  if (v.C === undefined && v.G === undefined) {
    if (v.W !== undefined) throw new UsageError('-W limits the files of a rotation: give it with -C SIZE or -G SECONDS');
    return undefined;
  }
  if (v.w === undefined) throw new UsageError('-C and -G rotate the file written with -w: give -w FILE');
  if (v.w === '-') throw new UsageError('-C and -G rotate files: they do not go with -w - (standard output)');
  const spec: RotationSpec = {};
  if (v.C !== undefined) {
    try {
      spec.sizeBytes = parseFileSize(v.C);
    } catch (err) {
      throw new UsageError(`${(err as Error).message} (-C takes millions of bytes, or a number with k, m or g: -C 100, -C 512k)`);
    }
  }
  if (v.G !== undefined) {
    spec.seconds = Number(v.G);
    if (!(spec.seconds > 0)) throw new UsageError(`invalid rotation seconds ${v.G}`);
  }
  if (v.W !== undefined) spec.count = positiveInt('-W', v.W);
  if (v.z !== undefined) {
    if (v.z.length > 1) throw new UsageError('with -C or -G, -z is the post-rotate command (tcpdump\'s -z): give one');
    spec.postRotate = v.z[0];
  }
  return spec;
}

/** tcpdump's time stamp type names (pcap_tstamp_type_name_to_val). */
export const TIME_STAMP_TYPES: Readonly<Record<string, string>> = {
  host: 'Host',
  host_lowprec: 'Host, low precision',
  host_hiprec: 'Host, high precision',
  adapter: 'Adapter',
  adapter_unsynced: 'Adapter, not synced with system time',
  host_hiprec_unsynced: 'Host, high precision, not synced with system time',
};

function timeStampTypeOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const name = value.toLowerCase();
  if (!(name in TIME_STAMP_TYPES)) throw new UsageError(`invalid time stamp type ${value} (tcpdump's names: ${Object.keys(TIME_STAMP_TYPES).join(', ')})`);
  return name;
}

function payloadBytes(text: string, readingFile: boolean): number {
  if (readingFile) throw new UsageError('--payload-snap cuts packets in the kernel during a live capture: it does not go with -r');
  const n = positiveInt('--payload-snap', text, true);
  if (n > 262144) throw new UsageError(`--payload-snap takes 0 to 262144 bytes, got ${n}`);
  return n;
}
