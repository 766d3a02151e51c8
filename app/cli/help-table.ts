/**
 * The command line's options, grouped as tcpdump's and tshark's manuals group them: one table that
 * `sievecap --help` (renderHelp) and the manual page sievecap(1) (renderMan, written to
 * dist/man/sievecap.1 by scripts/bundle.mjs) are both made from. Each option's text is kept as
 * lines; a line that starts with two spaces continues a list inside the text.
 */
import { DEFAULT_SNAPLEN } from '../capture/snaplen';

export interface HelpEntry {
  /** The option as typed, with its argument: '-r FILE', '-c, --count N'. */
  flags: string;
  text: readonly string[];
}

export interface HelpGroup {
  title: string;
  /** Paragraphs before the options. */
  intro?: readonly string[];
  entries: readonly HelpEntry[];
}

export const HELP_USAGE = 'sievecap [options] [filter expression]';
export const HELP_DESCRIPTION: readonly string[] = ["Capture packets with an eBPF socket filter built from a tcpdump filter expression, or read a capture file. Options follow tcpdump."];

export const HELP_GROUPS: readonly HelpGroup[] = [
  {
    title: "Capture interface",
    entries: [
      { flags: "-i, --interface IFACE", text: ["capture on IFACE ('any' for all); default: the first", "interface that is up and not loopback. Repeat -i to capture", "several interfaces into one pcapng file (one interface", "block each, packets in time order)"] },
      { flags: "-D, --list-interfaces", text: ["list the interfaces that can be captured on"] },
      { flags: "-L, --list-data-link-types", text: ["list the link-layer header types of the -i interface (on", "stderr, as tcpdump does)"] },
      { flags: "-y, --linktype TYPE", text: ["the link-layer header type to capture with: EN10MB on", "Ethernet and loopback, LINUX_SLL2 on 'any' (the ones Sievecap", "captures; another is refused with the reason)"] },
      { flags: "--list-time-stamp-types", text: ["list the time stamp types of the -i interface (on stderr)"] },
      { flags: "-j, --time-stamp-type TYPE", text: ["tcpdump's time stamp type: 'host' (the kernel's, on arrival)", "is the one Sievecap has; another gets tcpdump's warning"] },
      { flags: "-s, --snapshot-length N", text: [`bytes kept per packet (default ${DEFAULT_SNAPLEN}; 0 means the default)`] },
      { flags: "-p, --no-promiscuous-mode", text: ["don't put the interface into promiscuous mode"] },
      { flags: "-I, --monitor-mode", text: ["refused: Sievecap captures on Ethernet, loopback and 'any',", "which have no monitor mode"] },
      { flags: "-B, --buffer-size KIB", text: ["kernel ring size in KiB (default 8192)"] },
      { flags: "--immediate-mode", text: ["deliver packets as they arrive, not in 100 ms ring blocks"] },
      { flags: "-Q, --direction in|out|inout", text: ["live capture: only packets received (in), sent (out), or", "both (inout, the default); runs in the kernel filter as", "'inbound' / 'outbound'. On lo every packet counts as received", "(as with tcpdump). With -r it is ignored, as tcpdump ignores it"] },
      { flags: "--time-stamp-precision micro|nano", text: ["precision of timestamps in pcap files written (default micro)", "and in the lines printed (nano: 9 digits, with -r too)"] },
    ],
  },
  {
    title: "Capture filter and kernel stages",
    entries: [
      { flags: "-f EXPR", text: ["capture filter (or give it as the trailing arguments)"] },
      { flags: "-F FILE", text: ["read the capture filter from FILE, as tcpdump's -F does (# starts", "a comment); -F pcap or pcapng is the -w file's format instead"] },
      { flags: "--filter-file FILE", text: ["read the filter expression from FILE (# starts a comment);", "during a live capture, SIGUSR1 reads it again and swaps the", "kernel program atomically: no packet is lost or seen twice"] },
      { flags: "--explain EXPR", text: ["print the eBPF program that would be loaded for EXPR, its", "instruction count and the kernel verifier's verdict (with", "--preset, EXPR may be left out: the preset's program)"] },
      { flags: "-O, --no-optimize", text: ["accepted for tcpdump's sake: the filter is the same either way"] },
      { flags: "--preset NAME", text: ["capture with a preset: its filter (combined with the filter", "expression, if any, by 'and'), its kernel stages, and its snap", "length and interfaces unless -s / -i are given. 'http' tracks", "HTTP/1.x connections on any port in the kernel"] },
      { flags: "--list-presets", text: ["list the built-in presets and your saved ones (the app's", "presets file), with what each runs in the kernel"] },
      { flags: "--watch CIDR[=RULE]", text: ["capture only packets from or to CIDR (an address or prefix,", "IPv4 or IPv6), counted per RULE (default: the CIDR itself);", "repeat for more. Runs in the kernel (longest-prefix-match", "tries); the counts are printed at the end"] },
      { flags: "--payload-snap BYTES", text: ["keep every header whole (link, IP, TCP/UDP, and an HTTP/1.x", "request's or response's header block) and at most BYTES of", "what follows, per packet, in the kernel"] },
      { flags: "--stats-interval SECONDS", text: ["every SECONDS, print the kernel's counters to stderr: packets", "seen and accepted, per watchlist rule, and the traffic mix", "(every packet seen, per ethertype and IP protocol, counted in", "the kernel before the filter); the mix again at the end"] },
    ],
  },
  {
    title: "Capture stop conditions",
    entries: [
      { flags: "-c, --count N", text: ["stop after N packets"] },
    ],
  },
  {
    title: "Capture output",
    entries: [
      { flags: "-w FILE", text: ["write packets to FILE instead of printing them: pcapng, or", "pcap when FILE ends in .pcap or with -F pcap; '-' is stdout;", "a name ending in .gz (x.pcap.gz, x.pcapng.gz) is written", "gzip-compressed, readable up to the last write after a crash"] },
      { flags: "-F pcap|pcapng", text: ["format of the file written with -w"] },
      { flags: "-C SIZE", text: ["with -w: a new file once the current one is larger than SIZE", "millions of bytes (or SIZE with k, m, g: KiB, MiB, GiB); the", "next files are FILE1, FILE2, ... (tcpdump's names)"] },
      { flags: "-G SECONDS", text: ["with -w: a new file on the first packet after SECONDS; FILE is", "a strftime pattern, e.g. -w 'cap-%Y%m%d-%H%M%S.pcap'"] },
      { flags: "-W COUNT", text: ["with -C: a ring of COUNT files (FILE0, FILE1, ...); with -G", "alone: stop after COUNT files"] },
      { flags: "-z COMMAND", text: ["with -C or -G: run COMMAND FILE on each file closed by a", "rotation, e.g. -z gzip (tcpdump's -z). Without -C or -G, -z", "is tshark's statistics (see Reports below)"] },
      { flags: "-U, --packet-buffered", text: ["write each packet to the -w file as soon as it arrives", "(otherwise the file is written at least every 250 ms)"] },
      { flags: "-Z, --relinquish-privileges USER", text: ["as root: run as USER once the capture helper holds the", "privileges (default: the user who ran sudo, else root)"] },
    ],
  },
  {
    title: "Input file",
    entries: [
      { flags: "-r FILE", text: ["read packets from a pcap or pcapng file (the filter is", "applied with libpcap's semantics); '-' reads standard input", "(pcap or pcapng, plain or gzip-compressed)"] },
    ],
  },
  {
    title: "Printing as tcpdump does (the default)",
    entries: [
      { flags: "-n", text: ["don't convert addresses and ports to names (names come only", "from /etc/hosts and /etc/services; DNS is never queried)"] },
      { flags: "-q", text: ["quick output: less protocol information"] },
      { flags: "-e", text: ["print the link-level header on each line"] },
      { flags: "-t / -tt / -ttt / -tttt / -ttttt", text: ["no timestamp / seconds since the epoch / delta since the", "previous packet / date and time / delta since the first"] },
      { flags: "-v", text: ["more detail (may be repeated)"] },
      { flags: "-x / -xx", text: ["after each packet, its bytes in hex: from the network header", "(-xx: from the link header); at most what was captured"] },
      { flags: "-X / -XX", text: ["the same in hex and ASCII"] },
      { flags: "-A / -AA", text: ["the same as text: printable ASCII, tabs and line ends as they", "are, anything else as '.' (CR before LF left out)"] },
      { flags: "-#, --number", text: ["print each packet's number at the start of its line"] },
      { flags: "-S, --absolute-tcp-sequence-numbers", text: ["TCP sequence numbers as sent, not relative to the first"] },
      { flags: "-K, --dont-verify-checksums", text: ["with -v: don't check IP, TCP and UDP checksums"] },
      { flags: "-N", text: ["print host names without their domain (names come from", "/etc/hosts; with -n there are none)"] },
    ],
  },
  {
    title: "Decoding as tshark does",
    intro: ["Wireshark's field names. A tshark-only option (-Y, -o, -d, -2, -R, -t FORMAT, -u, -N LETTERS, -P) prints tshark's summary lines, as tshark does; -V, -T and -z choose their own output. Letters tcpdump and tshark both use keep tcpdump's meaning: -x (but for tshark's -x below), -X, -A, -#, -S, -K, -e, -v, -q, a bare -N and a bare -t shape tcpdump-style lines (with them, -Y and -o filter tcpdump's lines; the other tshark options are refused), and are refused with -V, -T, -z or --http. -n turns every name off in both styles."],
    entries: [
      { flags: "-V", text: ["print the full tree of every packet"] },
      { flags: "-x", text: ["with -V: each packet's bytes in hex and ASCII after its tree", "(with -T text: the bytes alone; with -T ek|json: NAME_raw members)"] },
      { flags: "-S SEPARATOR", text: ["with -V or -T: the line printed after each packet's tree or", "bytes (default a blank line); without them -S is tcpdump's"] },
      { flags: "-T text|fields|json|jsonraw|ek|pdml|psml|tabs", text: ["tshark's one-line summary, selected fields, JSON trees (jsonraw:", "each field's bytes), Elasticsearch bulk lines, PDML or PSML XML,", "or the summary's columns between tabs"] },
      { flags: "-e FIELD", text: ["with -T fields, json, ek or pdml: a field to print (repeat", "for more), e.g. -T fields -e ip.src -e http.request.uri; a", "name not in Sievecap's field table (-G fields) fails, as", "with tshark"] },
      { flags: "-E separator=C|aggregator=C|occurrence=a|f|l|header=y|n|quote=d|s|n|bom=y|n", text: ["-T fields layout, as tshark's -E"] },
      { flags: "-j PROTOCOLS / -J PROTOCOLS", text: ["with -T json, jsonraw, ek or pdml: only the subtrees of the", "protocols and fields listed (space-separated); -J keeps all", "of a listed one. -j with a time-stamp type (host, adapter, ...)", "is tcpdump's"] },
      { flags: "-G fields|protocols", text: ["print Wireshark's glossary of the fields or protocols Sievecap", "dissects, in tshark's layout, and exit (-G with a number is", "tcpdump's -G SECONDS)"] },
      { flags: "-Y FILTER", text: ["keep only packets that match a Wireshark display filter,", "e.g. -Y 'ip.addr == 10.0.0.0/8 && http' (files and live);", "one that does not compile exits with status 2, as tshark's.", "With -r, -c counts the packets read, shown or not (tshark's -c)"] },
      { flags: "-2", text: ["two passes, as tshark's -2 (files only): the first reads the", "whole file, the second prints knowing what came later (a", "request's response frame, the frame a TCP PDU or IP datagram", "is reassembled in, \"No response seen\", the final TCP", "conversation completeness)"] },
      { flags: "-2 -R FILTER", text: ["two-pass read filter: packets that do not match it are left", "out before they are numbered (frames 1, 2, … of what is kept);", "-R needs -2, as with tshark (files only)"] },
      { flags: "-d tcp.port==PORT,PROTOCOL / udp.port==PORT,PROTOCOL", text: ["decode as: payloads on PORT (or a range, 8000-8010) go to", "PROTOCOL's dissector, e.g. -d tcp.port==8888,http"] },
      { flags: "-t ad|a|adoy|d|dd|e|r|u|ud|udoy", text: ["the summary's time: absolute with date, absolute, absolute with", "day of year, delta from the previous packet, from the previous", "displayed one, epoch, relative to the first (the default), UTC", "(u, ud, udoy). Only -t followed by one of these words is tshark's", "(attached only ad, adoy, dd, ud, udoy: -te is tcpdump's -t -e);", "a bare -t, -tt, … is tcpdump's. Times have the precision of the", "file (9 digits for nanosecond pcapng and live captures, else 6)"] },
      { flags: "-u s|hms", text: ["the summary's relative and delta times in seconds, or in hours,", "minutes and seconds"] },
      { flags: "-N mnNtdv", text: ["names in summary lines and -V trees (Ethernet, ARP, IP, TCP,", "UDP), as tshark's -N: m MAC vendors and well-known addresses", "(Wireshark's manuf and wka files, and /etc/ethers, when", "installed), n host names (Wireshark's hosts files; with N also", "/etc/hosts, where tshark's system resolver looks first: DNS is", "never queried), t port names (Wireshark's services file, else", "/etc/services); d and v change nothing. Default as tshark's: m", "(and N for -o nameres.network_name). Only -N followed by these", "letters is tshark's: a bare -N (or -Nn) is tcpdump's"] },
      { flags: "-P", text: ["with -w: print the summary lines (or -V trees) as well"] },
      { flags: "-o PREFERENCE:VALUE", text: ["tshark's preferences:", "tcp.desegment_tcp_streams:TRUE|FALSE  TRUE (the default, as", "  tshark's): HTTP, TLS, DNS and SSH messages spread over TCP", "  segments are dissected whole on the frame that completes them;", "  FALSE: each TCP segment on its own", "tcp.relative_sequence_numbers:TRUE|FALSE  FALSE: TCP sequence", "  and acknowledgment numbers as sent", "http.tcp.port:RANGE  the TCP ports HTTP is on, e.g. 80,8000-8080", "nameres.mac_name, nameres.network_name,", "nameres.transport_name:TRUE|FALSE  as -N m, n, t, one at a time", "Other preferences are refused"] },
    ],
  },
  {
    title: "Reports",
    intro: ["tshark's -z, for files and live captures: packets are not listed (as with tshark -q), and several -z are printed in reverse order, as tshark does."],
    entries: [
      { flags: "-z conv,eth|ip|ipv6|tcp|udp[,FILTER]", text: ["conversations: both ends, packets and bytes each way,", "relative start, duration (FILTER: a display filter)"] },
      { flags: "-z endpoints,eth|ip|ipv6|tcp|udp[,FILTER]", text: ["endpoints: packets and bytes sent and received"] },
      { flags: "-z io,phs[,FILTER]", text: ["protocol hierarchy"] },
      { flags: "-z io,stat,SECONDS[,FILTER,...]", text: ["frames and bytes per interval, a column per display", "filter (empty: every frame)"] },
      { flags: "-z follow,tcp|udp|tls|http,ascii|hex|raw,N", text: ["the reassembled TCP stream N (tcp.stream, or", "ADDR:PORT,ADDR:PORT), both directions; udp: the", "datagrams of udp.stream N; http: each message's", "headers, then its body decoded; tls: nothing without", "keys, as tshark shows it"] },
      { flags: "-z http,tree", text: ["HTTP requests by method and responses by status code"] },
      { flags: "-z http_req,tree", text: ["HTTP requests by Host and URI"] },
      { flags: "-z dns,tree", text: ["DNS messages by rcode, opcode, type, class; sizes,", "section counts, response times, retransmissions"] },
      { flags: "-z expert[,error|warn|note|chat|comment][,FILTER]", text: ["expert info (retransmissions, duplicate ACKs, zero", "windows, connection chats, HTTP lines, malformed", "packets) counted by severity, protocol and summary"] },
      { flags: "--export-objects http|imf|tftp,DIR", text: ["with -r: write the file's objects into DIR as tshark", "names them: HTTP bodies, mail messages SMTP carried", "(<Subject>.eml), or files TFTP transferred"] },
      { flags: "--http", text: ["with -r: list HTTP/1.x transactions over reassembled TCP", "streams: method, host, URI, status, content type, body", "sizes, timing"] },
      { flags: "--json", text: ["print the report as JSON: --http gives one object per", "transaction (method, host, uri, status, contentType,", "requestBodyBytes, responseBodyBytes, timeToFirstByteMs,", "stream); -z conv,KIND one per conversation (addressA, portA,", "addressB, portB, packetsAtoB, bytesAtoB, packetsBtoA,", "bytesBtoA, relStart, duration)"] },
    ],
  },
  {
    title: "Miscellaneous",
    entries: [
      { flags: "-h, --help", text: ["show this help"] },
      { flags: "--version", text: ["show versions"] },
      { flags: "sievecap serve [--port N] [FILE]", text: ["serve the desktop UI to a browser on 127.0.0.1 (for SSH", "tunnels; see sievecap serve --help)"] },
    ],
  },
];

export const HELP_EPILOGUE: readonly string[] = ["Live capture goes through Sievecap's capture helper, the only privileged part: as root (or with CAP_NET_RAW and CAP_BPF) sievecap starts it itself and then drops to the user who ran sudo (or -Z USER) before opening any file; otherwise it asks pkexec to start the installed helper (members of the 'sievecap' group need no password). Ctrl-C (twice too) stops a capture, writes every packet still in the kernel ring, closes the file and prints the packet counts."];

const WIDTH = 92;
const FLAGS_WIDTH = 26;

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `sievecap --help`. */
export function renderHelp(): string {
  const out: string[] = [`Usage: ${HELP_USAGE}`, ''];
  for (const p of HELP_DESCRIPTION) out.push(...wrap(p, WIDTH), '');
  for (const group of HELP_GROUPS) {
    out.push(`${group.title}:`);
    for (const p of group.intro ?? []) out.push(...wrap(p, WIDTH));
    for (const e of group.entries) {
      const pad = ' '.repeat(FLAGS_WIDTH + 4);
      const [first, ...rest] = e.text;
      if (e.flags.length <= FLAGS_WIDTH && first !== undefined) out.push(`  ${e.flags.padEnd(FLAGS_WIDTH)}  ${first}`);
      else out.push(`  ${e.flags}`, ...(first === undefined ? [] : [pad + first]));
      for (const line of rest) out.push(pad + line);
    }
    out.push('');
  }
  for (const p of HELP_EPILOGUE) out.push(...wrap(p, WIDTH));
  return out.join('\n') + '\n';
}

/** Text for roff: backslashes doubled, hyphens as \- (so they stay minus signs), a leading dot or quote guarded. */
function roff(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    // Anything beyond ASCII as a groff Unicode escape: the page reads the same without preconv.
    .replace(/[^\x00-\x7f]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

/** An option's flags in the man page's style: the options bold, their arguments italic. */
function roffFlags(flags: string): string {
  return flags
    .split(/(\s+|,\s*|\s\/\s)/)
    .map((part) => (/^-/.test(part) || part === 'sievecap' || part === 'serve' ? `\\fB${roff(part)}\\fR` : /^\s|^,|^\//.test(part) || part === '' ? roff(part) : `\\fI${roff(part)}\\fR`))
    .join('');
}

/** The manual page sievecap(1), in man(7) macros. */
export function renderMan(version: string, date: string): string {
  const out: string[] = [
    `.TH SIEVECAP 1 "${date}" "sievecap ${version}" "User Commands"`,
    '.SH NAME',
    'sievecap \\- capture and decode packets with eBPF socket filters, as tcpdump and tshark do',
    '.SH SYNOPSIS',
    `.B sievecap\n${roff('[options] [filter expression]')}`,
    '.br',
    `.B sievecap serve\n${roff('[--port N] [-Z USER] [FILE]')}`,
    '.SH DESCRIPTION',
  ];
  for (const p of HELP_DESCRIPTION) out.push(roff(p), '.PP');
  out.push(roff(HELP_EPILOGUE.join(' ')), '.SH OPTIONS');
  for (const group of HELP_GROUPS) {
    out.push(`.SS ${roff(group.title)}`);
    for (const p of group.intro ?? []) out.push(roff(p), '.PP');
    for (const e of group.entries) {
      out.push('.TP', roffFlags(e.flags));
      for (const line of e.text) {
        // A line that starts with spaces continues a list: its own line in the page.
        if (/^\s/.test(line)) out.push('.br', roff(line.trim()));
        else out.push(roff(line));
      }
    }
  }
  out.push(
    '.SH EXIT STATUS',
    roff("0 when all went well; 1 on a usage error, a file that cannot be read or written, or a capture that fails (as tcpdump's and tshark's); 2 when a display filter (-Y, -R) does not compile, as tshark's."),
    '.SH SEE ALSO',
    '.BR tcpdump (8),',
    '.BR tshark (1),',
    '.BR pcap-filter (7),',
    '.BR wireshark-filter (4)',
  );
  return out.join('\n') + '\n';
}
