/**
 * `-z dns,tree`: tshark 4.0's DNS statistics tree (packet-dns.c's stats tree), counted from the
 * DNS, mDNS and LLMNR layers of each packet: reply codes, opcodes, query/response, the first
 * question's type and class, payload size; for queries the name's length and labels; for
 * responses the section counts and, from the dissector's request/response matching
 * (dns-transactions.ts), unsolicited responses, retransmissions and the request-response time.
 *
 * Like Wireshark's, a solicited response adds its section counts twice (the tap adds them for
 * every response, then again for one that answers a request), an unsolicited one once.
 */
import type { Field, Layer } from '../dissect/model';
import { dnsOpcodeName, dnsRcodeName, dnsTypeDescription } from '../dissect/dns-names';
import { relativeNs } from './io-graph';
import { StatisticsSpecError, type ReportFrame, type StatisticsReport } from './report';
import { renderStatsTree, StatNode } from './stats-tree';

const DNS_LAYERS = new Set(['dns', 'mdns', 'llmnr']);
const CLASS_NAMES: Record<number, string> = { 1: 'IN', 2: 'CS', 3: 'CH', 4: 'HS', 0xfe: 'NONE', 0xff: 'ANY' };

/** What Wireshark's DNS tap reports of one message (struct DnsTap). */
interface DnsTap {
  response: boolean;
  opcode: number;
  rcode: number;
  qtype: number;
  qclass: number;
  payloadSize: number;
  nameLength: number;
  labels: number;
  counts: [number, number, number, number];
  unsolicited: boolean;
  retransmission: boolean;
  /** Request-response time in ms, null when the response answers nothing or repeats. */
  rttMs: number | null;
}

/** The first field named `abbrev` in the tree, depth first. */
function find(fields: readonly Field[], abbrev: string): Field | undefined {
  for (const f of fields) {
    if (f.abbrev === abbrev) return f;
    if (f.children) {
      const inner = find(f.children, abbrev);
      if (inner) return inner;
    }
  }
  return undefined;
}

function numberOf(fields: readonly Field[], abbrev: string, otherwise = 0): number {
  const v = find(fields, abbrev)?.value;
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : otherwise;
}

function tapOf(layer: Layer): DnsTap | null {
  const f = layer.fields;
  const flagsField = find(f, 'dns.flags');
  if (flagsField === undefined || typeof flagsField.value !== 'number') return null;
  const flags = flagsField.value;
  const response = (flags & 0x8000) !== 0;
  const time = find(f, 'dns.time')?.value;
  const retransmission = find(f, 'dns.retransmission') !== undefined;
  return {
    response,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    qtype: numberOf(f, 'dns.qry.type'),
    qclass: numberOf(f, 'dns.qry.class'),
    // Over TCP the message's length prefix counts too (Wireshark's DNS tvb starts at it).
    payloadSize: layer.length,
    nameLength: numberOf(f, 'dns.qry.name.len'),
    labels: numberOf(f, 'dns.count.labels'),
    counts: [numberOf(f, 'dns.count.queries'), numberOf(f, 'dns.count.answers'), numberOf(f, 'dns.count.auth_rr'), numberOf(f, 'dns.count.add_rr')],
    unsolicited: response && find(f, 'dns.response_to') === undefined && !retransmission,
    retransmission,
    rttMs: typeof time === 'bigint' ? Number(time) / 1e6 : null,
  };
}

class DnsTreeReport implements StatisticsReport {
  private readonly packets = new StatNode('Total Packets');
  private readonly rcodes = this.packets.child('rcode');
  private readonly opcodes = this.packets.child('opcodes');
  private readonly qr = this.packets.child('Query/Response');
  private readonly qtypes = this.packets.child('Query Type');
  private readonly qclasses = this.packets.child('Class');
  private readonly payload = new StatNode('Payload size', 'int');
  private readonly queryStats = new StatNode('Query Stats');
  private readonly nameLength = this.queryStats.child('Qname Len', 'int');
  private readonly labels = this.queryStats.child('Label Stats');
  private readonly labelLevels = ['1st Level', '2nd Level', '3rd Level', '4th Level or more'].map((n) => this.labels.child(n));
  private readonly responseStats = new StatNode('Response Stats');
  private readonly sections = ['no. of questions', 'no. of answers', 'no. of authorities', 'no. of additionals'].map((n) => this.responseStats.child(n, 'int'));
  private readonly serviceStats = new StatNode('Service Stats');
  private readonly unsolicited = this.serviceStats.child('no. of unsolicited responses');
  private readonly retransmissions = this.serviceStats.child('no. of retransmissions');
  private readonly rtt = this.serviceStats.child('request-response time (msec)', 'float');
  private firstMs: number | null = null;
  private lastMs = 0;
  /** Counted from the tree that tshark's dissection makes (TCP desegmentation on, DNS over TCP whole). */
  readonly desegmented = true;

  constructor(readonly spec: string) {}

  add(frame: ReportFrame): void {
    const nowMs = Number(relativeNs(frame)) / 1e6;
    for (const layer of frame.packet.layers) {
      // Wireshark taps a message once dissected whole: an exception (cut or malformed) skips it.
      if (!DNS_LAYERS.has(layer.protocol) || layer.status !== 'ok') continue;
      const tap = tapOf(layer);
      if (tap === null) continue;
      this.firstMs ??= nowMs;
      this.lastMs = nowMs;
      this.count(tap, nowMs);
    }
  }

  private count(t: DnsTap, nowMs: number): void {
    this.packets.tick(nowMs);
    const pivot = (node: StatNode, value: string) => {
      node.tick(nowMs);
      node.child(value).tick(nowMs);
    };
    pivot(this.qr, t.response ? 'Response' : 'Query');
    pivot(this.qtypes, dnsTypeDescription(t.qtype) ?? `Unknown packet type (${t.qtype})`);
    pivot(this.qclasses, CLASS_NAMES[t.qclass] ?? `Unknown class (${t.qclass})`);
    pivot(this.rcodes, rcodeText(t.rcode));
    pivot(this.opcodes, opcodeText(t.opcode));
    this.payload.add(nowMs, t.payloadSize);
    if (!t.response) {
      this.nameLength.add(nowMs, t.nameLength);
      this.labelLevels[Math.min(Math.max(t.labels, 1), 4) - 1]!.tick(nowMs);
      return;
    }
    const addSections = () => t.counts.forEach((c, i) => this.sections[i]!.add(nowMs, c));
    addSections();
    if (t.unsolicited) {
      this.unsolicited.tick(nowMs);
      return;
    }
    addSections();
    if (t.retransmission) this.retransmissions.tick(nowMs);
    else if (t.rttMs !== null) this.rtt.add(nowMs, t.rttMs);
  }

  private tops(): StatNode[] {
    return [this.packets, this.payload, this.queryStats, this.responseStats, this.serviceStats];
  }

  text(): string {
    return renderStatsTree('DNS:', this.tops(), this.firstMs === null ? 0 : this.lastMs - this.firstMs);
  }

  json(): unknown {
    const convert = (n: StatNode): unknown => ({
      name: n.name,
      count: n.count,
      ...(n.average !== null && n.count > 0 ? { average: n.total / n.count, min: n.min, max: n.max } : {}),
      children: n.children.map(convert),
    });
    return this.tops().map(convert);
  }
}

/** Wireshark's rcode_vals and opcode_vals, with the stats tree's words for others. */
function rcodeText(rcode: number): string {
  const name = dnsRcodeName(rcode);
  return name.startsWith('Unknown') ? `Unknown rcode (${rcode})` : name;
}
function opcodeText(opcode: number): string {
  const name = dnsOpcodeName(opcode);
  return name.startsWith('Unknown') ? `Unknown opcode (${opcode})` : name;
}

/** `dns,tree` (tshark's optional ,FILTER is not supported: use -Y). */
export function createDnsTreeReport(spec: string): StatisticsReport {
  if (spec !== 'dns,tree') {
    if (spec.startsWith('dns,tree,')) throw new StatisticsSpecError(`"-z ${spec}": a filter inside dns,tree is not supported; use -z dns,tree with -Y FILTER`);
    throw new StatisticsSpecError(`invalid "-z ${spec}": the DNS statistics tree is -z dns,tree`);
  }
  return new DnsTreeReport(spec);
}
