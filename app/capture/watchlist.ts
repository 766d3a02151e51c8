/**
 * A running capture's CIDR watchlist (bpf/programs/watchlist.ts): its rules' prefixes in the
 * program's tries, and their counters. Prefixes are added and removed while the capture runs; a
 * rule keeps its counter index for the capture's life.
 */
import { native } from './native';
import { MAX_WATCH_RULES, WATCH_COUNTS_MAP, WATCH_V4_MAP, WATCH_V6_MAP, watchKey } from '../../bpf/programs/watchlist';

export interface WatchRuleCount {
  name: string;
  packets: number;
  bytes: number;
}

export class Watchlist {
  /** Rule names by counter index. */
  private readonly names: string[] = [];
  /** Each prefix (normalised key, hex) and the rule it belongs to. */
  private readonly prefixes = new Map<string, { version: 4 | 6; key: Buffer; rule: number; text: string }>();

  constructor(
    private readonly mapFds: Record<string, number>,
    rules: ReadonlyArray<{ name: string; prefixes: readonly string[] }>,
  ) {
    for (const rule of rules) for (const prefix of rule.prefixes) this.add(rule.name, prefix);
    // A rule listed with no prefix yet still gets its counter.
    for (const rule of rules) this.ruleIndex(rule.name);
  }

  /** Adds `cidr` to `rule` (a new rule takes the next counter, up to MAX_WATCH_RULES). A prefix in another rule moves. */
  add(rule: string, cidr: string): void {
    const { version, key } = parsed(cidr);
    const index = this.ruleIndex(rule);
    const value = Buffer.alloc(4);
    value.writeUInt32LE(index, 0);
    native().bpfMapUpdate(this.fd(version), key, value);
    this.prefixes.set(`${version}:${key.toString('hex')}`, { version, key, rule: index, text: cidr });
  }

  /** Removes `cidr` from the watchlist; false when it was not there. */
  remove(cidr: string): boolean {
    const { version, key } = parsed(cidr);
    const id = `${version}:${key.toString('hex')}`;
    if (!this.prefixes.has(id)) return false;
    native().bpfMapDelete(this.fd(version), key);
    this.prefixes.delete(id);
    return true;
  }

  /** The rules and their prefixes now. */
  rules(): Array<{ name: string; prefixes: string[] }> {
    return this.names.map((name, index) => ({ name, prefixes: [...this.prefixes.values()].filter((p) => p.rule === index).map((p) => p.text) }));
  }

  /** Packets and bytes per rule so far (summed over CPUs). */
  counts(): WatchRuleCount[] {
    const n = native();
    const cpus = n.possibleCpus();
    const slot = 16;
    return this.names.map((name, index) => {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(index, 0);
      const value = n.bpfMapLookup(this.mapFds[WATCH_COUNTS_MAP.name]!, key, slot * cpus);
      let packets = 0n;
      let bytes = 0n;
      for (let cpu = 0; value && cpu < cpus; cpu++) {
        packets += value.readBigUInt64LE(cpu * slot);
        bytes += value.readBigUInt64LE(cpu * slot + 8);
      }
      return { name, packets: Number(packets), bytes: Number(bytes) };
    });
  }

  private ruleIndex(name: string): number {
    const known = this.names.indexOf(name);
    if (known >= 0) return known;
    if (this.names.length >= MAX_WATCH_RULES) throw Object.assign(new Error(`a watchlist has at most ${MAX_WATCH_RULES} rules`), { code: 'EINVAL' });
    this.names.push(name);
    return this.names.length - 1;
  }

  private fd(version: 4 | 6): number {
    return this.mapFds[version === 4 ? WATCH_V4_MAP.name : WATCH_V6_MAP.name]!;
  }
}

/** watchKey, with a bad prefix as an EINVAL error (the helper answers it as data). */
function parsed(cidr: string): ReturnType<typeof watchKey> {
  try {
    return watchKey(cidr);
  } catch (err) {
    throw Object.assign(new Error((err as Error).message), { code: 'EINVAL' });
  }
}
