/**
 * Real packet loss and reordering on a veth, made by the kernel's own queueing, for tests of TCP
 * reassembly. This kernel has no sch_netem (CONFIG_NET_SCH_NETEM is not set), so netem's job is
 * done with what it has: an HTB root qdisc with three lanes, chosen for IPv4 TCP data segments
 * after the handshake by a hash of sequence number + TSval (classic BPF classifiers that libpcap
 * compiles). A lane with a zero-length queue drops one segment in sixteen, and the sender's TCP
 * retransmits it (later, so with another TSval: it gets through unless it lands in that lane
 * again); a 256 kbit/s lane holds four in sixteen back (past its first), so they arrive after
 * segments sent later (reordering); the rest take the fast lane. Neither the TCP checksum nor
 * the IP ID would do as the hash: veth offloads the checksum, so at the qdisc it depends only on
 * addresses, ports and length, and Linux sends DF segments with IP ID 0.
 */
import { execFileSync } from 'node:child_process';

/** IPv4 TCP segments with data whose options start NOP, NOP, timestamps (after the handshake). */
const TIMESTAMPED = 'ip and tcp and tcp[20:4] = 0x0101080a and ip[2:2] > 60';
/**
 * Sequence number plus TSval, hashed (Knuth's multiplicative hash, top four bits: 0 to 15): differs
 * from segment to segment, and for a segment sent again later. Unhashed low bits would not do:
 * retransmission timeouts double from 200 ms, so TSvals of later tries differ by multiples of 16
 * and a segment would land in the dropping lane every time.
 */
const MIX = '(((tcp[4:4] + tcp[24:4]) * 2654435761) >> 28)';

/** Classic BPF (tcpdump -ddd) for a libpcap filter, with "accept" turned into cls_bpf's "use the classid given". */
function classifier(filter: string): string {
  const lines = execFileSync('tcpdump', ['-ddd', filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
  return lines.map((l) => l.replace(/^6 0 0 [1-9]\d*$/, '6 0 0 4294967295')).join(',');
}

/**
 * Impairs what `dev` (in namespace `ns`) sends; the qdisc goes with the namespace. Use it on a
 * hop in the middle (a bridge port): a drop in the sender's own qdisc is not loss to its TCP,
 * which keeps the segment unsent and may stall on it.
 */
export function impairEgress(ns: string, dev: string): void {
  const tc = (...args: string[]): void => {
    execFileSync('ip', ['netns', 'exec', ns, 'tc', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  tc('qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '10');
  tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit', 'quantum', '60000');
  tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '256kbit', 'ceil', '256kbit');
  tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:30', 'htb', 'rate', '10gbit', 'quantum', '60000');
  tc('qdisc', 'add', 'dev', dev, 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '100');
  tc('qdisc', 'add', 'dev', dev, 'parent', '1:30', 'handle', '30:', 'pfifo', 'limit', '0');
  tc('filter', 'add', 'dev', dev, 'parent', '1:', 'prio', '1', 'bpf', 'bytecode', classifier(`${TIMESTAMPED} and ${MIX} == 0`), 'classid', '1:30');
  tc('filter', 'add', 'dev', dev, 'parent', '1:', 'prio', '2', 'bpf', 'bytecode', classifier(`${TIMESTAMPED} and (${MIX} == 3 or ${MIX} == 7 or ${MIX} == 11 or ${MIX} == 13)`), 'classid', '1:20');
}

/** Segments the dropping lane dropped on `dev` (from tc -s), to show that loss really happened. */
export function droppedByImpairment(ns: string, dev: string): number {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'tc', '-s', 'qdisc', 'show', 'dev', dev], { encoding: 'utf8' });
  const m = /qdisc pfifo 30:[\s\S]*?dropped (\d+)/.exec(out);
  return m ? Number(m[1]) : 0;
}
