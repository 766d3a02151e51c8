/**
 * Endpoints (tshark's `-z endpoints,eth|ip|ipv6|tcp|udp`): per address (and port for TCP/UDP),
 * frames and bytes sent and received.
 *
 * As tshark 4.0 counts them: each tap event adds the source as sender and then the destination as
 * receiver (so an endpoint talking to itself counts the frame twice), rows are ordered by total
 * frames, largest first, ties in order of first appearance, bytes are frame lengths on the wire.
 */
import type { PairTap, ReportFrame, ReportReads, StatisticsReport } from './report';
import { addressPairFields, addressPairs, tapAddressText, tapEndpointKey, tapHas, type ConversationKind } from './conv-packet';
import { KIND_TITLES, parseTableSpec, type TableSpec } from './conv-spec';
import { padLeft, padRight, RULE } from './conv-format';

/** One row of `--json` output. */
export interface EndpointJson {
  address: string;
  /** The TCP/UDP port, null for eth/ip/ipv6. */
  port: number | null;
  packets: number;
  bytes: number;
  txPackets: number;
  txBytes: number;
  rxPackets: number;
  rxBytes: number;
}

interface Endpoint {
  address: string;
  port: number | null;
  txPackets: number;
  txBytes: number;
  rxPackets: number;
  rxBytes: number;
}

export class EndpointTable implements StatisticsReport {
  readonly spec: string;
  readonly kind: ConversationKind;
  /** Without a filter, PairTaps say all a frame's dissection would (see PairTap). */
  readonly takesPairTaps: boolean;
  /** Its address fields and its filter's (never an application: no payload layers). */
  readonly reads: ReportReads;
  private readonly options: TableSpec;
  private readonly withPorts: boolean;
  private readonly rows: Endpoint[] = [];
  private readonly byKey = new Map<string, number>();
  /** From PairTaps: by the raw address (and port) words. */
  private readonly byRaw = new Map<string, Endpoint>();

  constructor(spec: string) {
    this.options = parseTableSpec(spec, 'endpoints');
    this.kind = this.options.kind;
    this.spec = spec;
    this.withPorts = this.kind === 'tcp' || this.kind === 'udp';
    this.takesPairTaps = this.options.filter === null;
    this.reads = { fields: [...addressPairFields(this.kind), ...(this.options.filter?.fieldNames ?? [])], columns: false, taps: true };
  }

  addTap(tap: PairTap): void {
    if (!tapHas(tap, this.kind)) return;
    // Sender first, then receiver: an endpoint talking to itself counts the frame twice, as in add().
    const sender = this.tapEndpoint(tap, 'src');
    sender.txPackets++;
    sender.txBytes += tap.origLen;
    const receiver = this.tapEndpoint(tap, 'dst');
    receiver.rxPackets++;
    receiver.rxBytes += tap.origLen;
  }

  private tapEndpoint(tap: PairTap, side: 'src' | 'dst'): Endpoint {
    const raw = tapEndpointKey(tap, this.kind, side);
    let e = this.byRaw.get(raw);
    if (e === undefined) {
      const port = this.withPorts ? (side === 'src' ? tap.srcPort : tap.dstPort) : null;
      e = this.endpoint(tapAddressText(tap, this.kind, side), port);
      this.byRaw.set(raw, e);
    }
    return e;
  }

  add(frame: ReportFrame): void {
    if (this.options.filter && !this.options.filter.matches(frame.packet, frame.data)) return;
    for (const pair of addressPairs(frame.packet, this.kind)) {
      const sender = this.endpoint(pair.src, pair.srcPort);
      sender.txPackets++;
      sender.txBytes += frame.origLen;
      const receiver = this.endpoint(pair.dst, pair.dstPort);
      receiver.rxPackets++;
      receiver.rxBytes += frame.origLen;
    }
  }

  private endpoint(address: string, port: number | null): Endpoint {
    const key = port === null ? address : `${address}\u0000${port}`;
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.rows.length;
      this.byKey.set(key, index);
      this.rows.push({ address, port, txPackets: 0, txBytes: 0, rxPackets: 0, rxBytes: 0 });
    }
    return this.rows[index]!;
  }

  private ordered(): Endpoint[] {
    const total = (e: Endpoint): number => e.txPackets + e.rxPackets;
    return [...this.rows].sort((x, y) => total(y) - total(x));
  }

  json(): EndpointJson[] {
    return this.ordered().map((e) => ({
      address: e.address,
      port: e.port,
      packets: e.txPackets + e.rxPackets,
      bytes: e.txBytes + e.rxBytes,
      txPackets: e.txPackets,
      txBytes: e.txBytes,
      rxPackets: e.rxPackets,
      rxBytes: e.rxBytes,
    }));
  }

  /** `tshark -n -q -z endpoints,KIND` byte for byte. */
  text(): string {
    const withPorts = this.kind === 'tcp' || this.kind === 'udp';
    const lines = [
      RULE,
      `${KIND_TITLES[this.kind]} Endpoints`,
      `Filter:${this.options.filterText ?? '<No Filter>'}`,
      `                       |  ${withPorts ? 'Port  ||  ' : ''}Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |`,
    ];
    for (const e of this.ordered()) {
      lines.push(
        padRight(e.address, 20) +
          (withPorts ? `      ${padLeft(String(e.port), 5)}     ` : '      ') +
          `${padLeft(e.txPackets + e.rxPackets, 6)}     ${padLeft(e.txBytes + e.rxBytes, 9)}` +
          `     ${padLeft(e.txPackets, 6)}       ${padLeft(e.txBytes, 9)}` +
          `      ${padLeft(e.rxPackets, 6)}       ${padLeft(e.rxBytes, 9)}   `,
      );
    }
    lines.push(RULE);
    return lines.join('\n') + '\n';
  }
}

/**
 * The report for `-z endpoints,eth|ip|ipv6|tcp|udp[,FILTER]`. Throws StatisticsSpecError for another
 * table or a filter that does not compile.
 */
export function createEndpointReport(spec: string): EndpointTable {
  return new EndpointTable(spec);
}
