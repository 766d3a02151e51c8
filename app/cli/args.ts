/**
 * Command-line options: tcpdump's letters where tcpdump has one, tshark's where tcpdump has none.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_SNAPLEN } from '../capture/snaplen';
import type { KernelStagesSpec } from '../rpc/helper-protocol';
import { parseCidr } from '../filter/ip-text';

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
  /** tshark's -V: the full tree of every packet. */
  tree: boolean;
  /** tshark's -T: 'text' (tshark's one-line summary), 'fields', 'json'; undefined = tcpdump lines. */
  outputType: 'text' | 'fields' | 'json' | undefined;
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
  /** tshark's -z SPEC, in the order given (e.g. 'conv,tcp', 'io,phs', 'follow,tcp,ascii,0'). */
  statistics: string[];
  /** tshark's --export-objects http,DIR: the directory HTTP bodies are written to. */
  exportObjectsDir: string | undefined;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `Usage: sievecap [options] [filter expression]

Capture packets with an eBPF socket filter built from a tcpdump filter expression,
or read a capture file. Options follow tcpdump.

  -D, --list-interfaces     list the interfaces that can be captured on
  -i, --interface IFACE     capture on IFACE ('any' for all); default: the first
                            interface that is up and not loopback. Repeat -i to capture
                            several interfaces into one pcapng file (one interface
                            block each, packets in time order)
  -f EXPR                   capture filter (or give it as the trailing arguments)
  -c, --count N             stop after N packets
  -s, --snapshot-length N   bytes kept per packet (default ${DEFAULT_SNAPLEN}; 0 means the default)
  -w FILE                   write packets to FILE instead of printing them: pcapng, or
                            pcap when FILE ends in .pcap or with -F pcap; '-' is stdout
  -F pcap|pcapng            format of the file written with -w
  -r FILE                   read packets from a pcap or pcapng file (the filter is
                            applied with libpcap's semantics); '-' reads standard input
                            (pcap or pcapng, plain or gzip-compressed)
  -n                        don't convert addresses and ports to names (names come only
                            from /etc/hosts and /etc/services; DNS is never queried)
  -q                        quick output: less protocol information
  -e                        print the link-level header on each line
  -p, --no-promiscuous-mode don't put the interface into promiscuous mode
  -t / -tt / -ttt / -tttt / -ttttt
                            no timestamp / seconds since the epoch / delta since the
                            previous packet / date and time / delta since the first
  -v                        more detail (may be repeated)
  -x / -xx                  after each packet, its bytes in hex: from the network header
                            (-xx: from the link header); at most what was captured
  -X / -XX                  the same in hex and ASCII
  -A / -AA                  the same as text: printable ASCII, tabs and line ends as they
                            are, anything else as '.' (CR before LF left out)
  -#, --number              print each packet's number at the start of its line
  -S, --absolute-tcp-sequence-numbers
                            TCP sequence numbers as sent, not relative to the first
  -K, --dont-verify-checksums
                            with -v: don't check IP, TCP and UDP checksums
  -N                        print host names without their domain (names come from
                            /etc/hosts; with -n there are none)
  -Q, --direction in|out|inout
                            live capture: only packets received (in), sent (out), or
                            both (inout, the default); runs in the kernel filter as
                            'inbound' / 'outbound'. On lo every packet counts as received
                            (as with tcpdump). With -r it is ignored, as tcpdump ignores it
  -L, --list-data-link-types
                            list the link-layer header types of the -i interface (on
                            stderr, as tcpdump does)
  -I, --monitor-mode        refused: Sievecap captures on Ethernet, loopback and 'any',
                            which have no monitor mode
  -O, --no-optimize         accepted for tcpdump's sake: the filter is the same either way
  -B, --buffer-size KIB     kernel ring size in KiB (default 8192)
  -U, --packet-buffered     write each packet to the -w file as soon as it arrives
                            (otherwise the file is written at least every 250 ms)
  --immediate-mode          deliver packets as they arrive, not in 100 ms ring blocks
  -Z, --relinquish-privileges USER
                            as root: run as USER once the capture helper holds the
                            privileges (default: the user who ran sudo, else root)
  --time-stamp-precision micro|nano
                            precision of timestamps in pcap files (default micro)
  --explain EXPR            print the eBPF program that would be loaded for EXPR, its
                            instruction count and the kernel verifier's verdict (with
                            --preset, EXPR may be left out: the preset's program)
  --preset NAME             capture with a preset: its filter (combined with the filter
                            expression, if any, by 'and'), its kernel stages, and its snap
                            length and interfaces unless -s / -i are given. 'http' tracks
                            HTTP/1.x connections on any port in the kernel
  --list-presets            list the built-in presets and your saved ones (the app's
                            presets file), with what each runs in the kernel
  --watch CIDR[=RULE]       capture only packets from or to CIDR (an address or prefix,
                            IPv4 or IPv6), counted per RULE (default: the CIDR itself);
                            repeat for more. Runs in the kernel (longest-prefix-match
                            tries); the counts are printed at the end
  --payload-snap BYTES      keep every header whole (link, IP, TCP/UDP, and an HTTP/1.x
                            request's or response's header block) and at most BYTES of
                            what follows, per packet, in the kernel
  --filter-file FILE        read the filter expression from FILE (# starts a comment);
                            during a live capture, SIGUSR1 reads it again and swaps the
                            kernel program atomically: no packet is lost or seen twice
  --stats-interval SECONDS  every SECONDS, print the kernel's counters to stderr: packets
                            seen and accepted, per watchlist rule, and the traffic mix
                            (every packet seen, per ethertype and IP protocol, counted in
                            the kernel before the filter); the mix again at the end

Decoding as tshark does (Wireshark's field names). Letters tcpdump and tshark both use keep
tcpdump's meaning; -x, -X, -A, -#, -S, -K and -N shape tcpdump-style lines and are refused
with -V, -T, -z or --http:
  -V                        print the full tree of every packet
  -T text|fields|json       tshark's one-line summary, selected fields, or JSON trees
  -e FIELD                  with -T fields: a field to print (repeat for more), e.g.
                            -T fields -e ip.src -e tcp.dstport -e http.request.uri
  -E separator=C|aggregator=C|occurrence=a|f|l|header=y|n
                            -T fields layout, as tshark's -E
  -Y FILTER                 keep only packets that match a Wireshark display filter,
                            e.g. -Y 'ip.addr == 10.0.0.0/8 && http' (files and live)
  -o tcp.desegment_tcp_streams:TRUE|FALSE
                            tshark's preference syntax; TRUE (the default, as tshark's):
                            HTTP, TLS, DNS and SSH messages spread over TCP segments are
                            dissected whole on the frame that completes them; FALSE:
                            each TCP segment on its own

Reports (tshark's -z; packets are not listed, as with tshark -q; files and live;
several -z are printed in reverse order, as tshark does):
  -z conv,eth|ip|ipv6|tcp|udp[,FILTER]
                            conversations: both ends, packets and bytes each way,
                            relative start, duration (FILTER: a display filter)
  -z endpoints,eth|ip|ipv6|tcp|udp[,FILTER]
                            endpoints: packets and bytes sent and received
  -z io,phs[,FILTER]        protocol hierarchy
  -z io,stat,SECONDS        frames and bytes per interval
  -z follow,tcp|udp|tls,ascii|hex|raw,N
                            the reassembled TCP stream N (tcp.stream, or
                            ADDR:PORT,ADDR:PORT), both directions; udp: the
                            datagrams of udp.stream N; tls: nothing without keys,
                            as tshark shows it
  -z http,tree              HTTP requests by method and responses by status code
  -z dns,tree               DNS messages by rcode, opcode, type, class; sizes,
                            section counts, response times, retransmissions
  -z expert[,error|warn|note|chat|comment][,FILTER]
                            expert info (retransmissions, duplicate ACKs, zero
                            windows, connection chats, HTTP lines, malformed
                            packets) counted by severity, protocol and summary
  --export-objects http,DIR with -r: write the HTTP bodies of the file into DIR
  --http                    with -r: list HTTP/1.x transactions over reassembled TCP
                            streams: method, host, URI, status, content type, body
                            sizes, timing
  --json                    print the report as JSON: --http gives one object per
                            transaction (method, host, uri, status, contentType,
                            requestBodyBytes, responseBodyBytes, timeToFirstByteMs,
                            stream); -z conv,KIND one per conversation (addressA, portA,
                            addressB, portB, packetsAtoB, bytesAtoB, packetsBtoA,
                            bytesBtoA, relStart, duration)

  -h, --help                show this help
  --version                 show versions

  sievecap serve [--port N] [FILE]
                            serve the desktop UI to a browser on 127.0.0.1 (for SSH
                            tunnels; see sievecap serve --help)

Live capture goes through Sievecap's capture helper, the only privileged part: as root
(or with CAP_NET_RAW and CAP_BPF) sievecap starts it itself and then drops to the user
who ran sudo (or -Z USER) before opening any file; otherwise it asks pkexec to start the
installed helper (members of the 'sievecap' group need no password). Ctrl-C (twice
too) stops a capture, writes every packet still in the kernel ring, closes the file
and prints the packet counts.
`;

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
  argv = separateFieldFlags(argv);
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
    throw new UsageError(`${(err as Error).message.replace(/\. To specify.*$/s, '')} (see sievecap --help)`);
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
      ['-x', v.x], ['-X', v.X], ['-A', v.A], ['-#', v.number], ['-S', v['absolute-tcp-sequence-numbers']],
      ['-K', v['dont-verify-checksums']], ['-N', v.N],
    ].filter(([, given]) => given !== undefined).map(([flag]) => flag as string);
    if (tcpdumpOnly.length > 0) {
      throw new UsageError(
        `${tcpdumpOnly.join(', ')} ${tcpdumpOnly.length > 1 ? 'change' : 'changes'} tcpdump-style lines; with -V, -T, -z or --http (tshark-style output) ${tcpdumpOnly.length > 1 ? 'they are' : 'it is'} not supported`,
      );
    }
  }
  const trailing = parsed.positionals.join(' ').trim();
  let fileFilter: string | undefined;
  if (v['filter-file'] !== undefined) {
    if (v.f !== undefined || trailing) throw new UsageError('give the filter either in --filter-file or on the command line, not both');
    fileFilter = readFilterFile(v['filter-file']);
  }
  if (v.f !== undefined && trailing) {
    throw new UsageError(`give the filter either with -f or as trailing arguments, not both`);
  }
  const format = v.F;
  if (format !== undefined && format !== 'pcap' && format !== 'pcapng') {
    throw new UsageError(`-F takes 'pcap' or 'pcapng', got '${format}'`);
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
  if ((v.interface?.length ?? 0) > 1 && v.w !== undefined && (format === 'pcap' || (format === undefined && /\.pcap$/i.test(v.w)))) {
    throw new UsageError('a pcap file holds one interface: write several -i to a .pcapng file (or -F pcapng)');
  }
  const outputType = v.T;
  if (outputType !== undefined && outputType !== 'text' && outputType !== 'fields' && outputType !== 'json') {
    throw new UsageError(`-T takes text, fields or json, got '${outputType}'`);
  }
  const fields = v.field ?? [];
  if (outputType === 'fields' && fields.length === 0) throw new UsageError('-T fields needs at least one -e FIELD');
  if (fields.length > 0 && outputType !== 'fields') throw new UsageError('-e FIELD goes with -T fields');
  // Display filter (-Y): applied after dissection, to files and live captures.
  if (v.Y !== undefined && v.Y.trim() === '') throw new UsageError('-Y needs a display filter, e.g. -Y "tcp.port == 80"');
  // --- reports ---
  if (v.http && v.r === undefined) throw new UsageError('--http lists the transactions of a file: give it with -r FILE');
  const statistics = (v.z ?? []).map((z) => z.trim());
  if (statistics.some((z) => z === '')) throw new UsageError('-z needs a statistic, e.g. -z conv,tcp (see sievecap --help)');
  let exportObjectsDir: string | undefined;
  if (v['export-objects'] !== undefined) {
    const m = /^http,(.+)$/s.exec(v['export-objects']);
    if (!m) throw new UsageError(`--export-objects takes http,DIR (only HTTP objects are exported), got '${v['export-objects']}'`);
    if (v.r === undefined) throw new UsageError('--export-objects writes the HTTP bodies of a file: give it with -r FILE');
    exportObjectsDir = m[1];
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
    exportObjectsDir,
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
    filter: (fileFilter ?? v.f ?? trailing).trim(),
    filterFile: v['filter-file'],
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
  };
}

/**
 * tshark's `-o NAME:VALUE`, for the preferences Sievecap has: `tcp.desegment_tcp_streams` (TRUE,
 * tshark's default: PDUs spread over TCP segments are dissected on the frame that completes them;
 * FALSE: every segment on its own). Any other name is refused rather than ignored.
 */
export const KNOWN_PREFERENCES: Readonly<Record<string, readonly string[]>> = {
  'tcp.desegment_tcp_streams': ['TRUE', 'FALSE'],
};

/** Whether the dissection reassembles TCP PDUs (`-o tcp.desegment_tcp_streams`, default TRUE). */
export function desegmentOf(opts: Pick<CliOptions, 'preferences'>): boolean {
  return opts.preferences['tcp.desegment_tcp_streams'] !== 'FALSE';
}

function preferenceOptions(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const colon = raw.indexOf(':');
    if (colon <= 0) throw new UsageError(`-o takes PREFERENCE:VALUE as tshark's does, e.g. -o tcp.desegment_tcp_streams:FALSE (got '${raw}')`);
    const name = raw.slice(0, colon).trim();
    const value = raw.slice(colon + 1).trim();
    const allowed = KNOWN_PREFERENCES[name];
    if (allowed === undefined) {
      throw new UsageError(`-o ${name}: not a preference Sievecap has; it knows ${Object.keys(KNOWN_PREFERENCES).join(', ')}`);
    }
    if (!allowed.includes(value.toUpperCase())) {
      throw new UsageError(`-o ${name} takes ${allowed.join(' or ')}, got '${value}'`);
    }
    out[name] = value.toUpperCase();
  }
  return out;
}

/** -V or -T: packets go through the dissectors (app/cli/dissect-sink.ts). */
export function wantsDissection(opts: Pick<CliOptions, 'tree' | 'outputType'>): boolean {
  return opts.tree || opts.outputType !== undefined;
}

/** pcapng unless the name ends in .pcap or -F pcap was given. */
export function outputFormat(opts: Pick<CliOptions, 'writeFile' | 'fileFormat'>): 'pcap' | 'pcapng' {
  if (opts.fileFormat) return opts.fileFormat;
  return opts.writeFile && /\.pcap$/i.test(opts.writeFile) ? 'pcap' : 'pcapng';
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
    throw new UsageError(`--filter-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .join(' ');
}

function payloadBytes(text: string, readingFile: boolean): number {
  if (readingFile) throw new UsageError('--payload-snap cuts packets in the kernel during a live capture: it does not go with -r');
  const n = positiveInt('--payload-snap', text, true);
  if (n > 262144) throw new UsageError(`--payload-snap takes 0 to 262144 bytes, got ${n}`);
  return n;
}
