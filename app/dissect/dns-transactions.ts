/**
 * DNS request/response matching as Wireshark's DNS dissector does it in one pass: per
 * conversation and transaction ID the latest transaction; a request with the ID of one still
 * unanswered and under 5 s old (dns.retransmission_timer) is a retransmission, a response to one
 * already answered too; a response to no request seen is unsolicited. Its results are the
 * dns.response_to / dns.time / dns.retransmit_* fields and what `-z dns,tree` counts.
 */
import type { AppContext } from './model';

/** Wireshark's dns.retransmission_timer preference (seconds), as nanoseconds. */
const RETRANSMISSION_NS = 5_000_000_000n;

interface Transaction {
  requestFrame: number;
  responseFrame: number;
  requestNs: bigint;
}

export type DnsMatch =
  /** responseFrame: tshark's -2 only, the frame of its response (0 none known). */
  | { kind: 'request'; responseFrame: number }
  | { kind: 'retransmitted-request'; requestFrame: number }
  | { kind: 'response'; requestFrame: number; timeNs: bigint }
  | { kind: 'retransmitted-response'; responseFrame: number }
  | { kind: 'unsolicited' };

export class DnsTransactionTable {
  private readonly transactions = new Map<string, Transaction>();
  /** UDP's, by udp.stream and transaction ID (stream × 65,536 + ID): no key text per message. */
  private readonly udpTransactions = new Map<number, Transaction>();

  /** Matches one message (called once per message, in capture order). */
  match(ctx: AppContext, id: number, response: boolean): DnsMatch {
    // Wireshark keys a transaction by its conversation: over UDP the one udp.stream numbers.
    let known: Transaction | undefined;
    let numeric = -1;
    let key = '';
    if (ctx.transport === 'udp' && ctx.stream !== undefined) {
      numeric = ctx.stream * 65536 + id;
      known = this.udpTransactions.get(numeric);
    } else {
      const a = `${ctx.src}|${ctx.srcPort}`;
      const b = `${ctx.dst}|${ctx.dstPort}`;
      key = `${ctx.transport}|${a < b ? `${a}|${b}` : `${b}|${a}`}|${id}`;
      known = this.transactions.get(key);
    }
    const now = ctx.tsNs ?? 0n;
    const hindsightKey = (): string => (numeric >= 0 ? `u${numeric}` : key);
    if (!response) {
      if (known !== undefined && known.responseFrame === 0 && now - known.requestNs < RETRANSMISSION_NS) {
        return { kind: 'retransmitted-request', requestFrame: known.requestFrame };
      }
      const transaction: Transaction = { requestFrame: ctx.frameNumber, responseFrame: 0, requestNs: now };
      if (numeric >= 0) this.udpTransactions.set(numeric, transaction);
      else this.transactions.set(key, transaction);
      return { kind: 'request', responseFrame: ctx.hindsight?.later('dns.response_in', `${ctx.frameNumber}|${hindsightKey()}`) ?? 0 };
    }
    if (known === undefined) return { kind: 'unsolicited' };
    if (known.responseFrame === 0 || known.responseFrame === ctx.frameNumber) {
      known.responseFrame = ctx.frameNumber;
      ctx.hindsight?.link('dns.response_in', `${known.requestFrame}|${hindsightKey()}`, ctx.frameNumber);
      return { kind: 'response', requestFrame: known.requestFrame, timeNs: now - known.requestNs };
    }
    return { kind: 'retransmitted-response', responseFrame: known.responseFrame };
  }
}
