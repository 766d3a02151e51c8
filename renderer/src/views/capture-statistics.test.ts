import { describe, expect, it } from 'vitest';
import type { CaptureStatistics } from '../../../app/rpc/engine-protocol';
import {
  addPrefix,
  addRule,
  counterLines,
  countText,
  ethertypeName,
  ethertypeNumber,
  ethertypeRows,
  formatShare,
  ipProtocolName,
  ipProtocolRows,
  removePrefix,
  removeRule,
  ruleNameProblem,
  ruleRows,
  totalStatistics,
} from './capture-statistics';

const veth: CaptureStatistics = {
  interface: 'veth0',
  received: 900,
  dropped: 3,
  seenPackets: 1200,
  acceptedPackets: 900,
  rules: [{ name: 'lab', packets: 40, bytes: 4200 }, { name: 'gone', packets: 2, bytes: 120 }, { name: 'idle', packets: 0, bytes: 0 }],
  mix: {
    ethertypes: [{ ethertype: 0x0806, packets: 4, bytes: 240 }, { ethertype: 0x0800, packets: 1000, bytes: 150_000 }, { ethertype: 0x86dd, packets: 196, bytes: 20_000 }],
    ipProtocols: [{ protocol: 17, packets: 300, bytes: 30_000 }, { protocol: 6, packets: 895, bytes: 139_000 }, { protocol: 58, packets: 1, bytes: 90 }],
  },
};

describe('names and numbers', () => {
  it('names ethertypes as Wireshark does, with the number in hex', () => {
    expect([ethertypeName(0x0800), ethertypeNumber(0x0800)]).toEqual(['IPv4', '0x0800']);
    expect([ethertypeName(0x86dd), ethertypeNumber(0x86dd)]).toEqual(['IPv6', '0x86dd']);
    expect(ethertypeName(0x0806)).toBe('ARP');
    expect(ethertypeName(0x88cc)).toBe('LLDP');
    expect(ethertypeName(0x0004)).toBe('802.2 LLC');
    expect(ethertypeName(0x05dc)).toBe('802.3 length');
    expect([ethertypeName(0x1234), ethertypeNumber(0x12)]).toEqual(['Unknown', '0x0012']);
  });
  it('names IP protocols by IANA keyword', () => {
    expect([6, 17, 1, 58, 47, 132, 0, 200, 253].map(ipProtocolName)).toEqual(['TCP', 'UDP', 'ICMP', 'ICMPv6', 'GRE', 'SCTP', 'IPv6 hop-by-hop', 'Unknown', 'Experimental']);
  });
});

describe('formatShare', () => {
  it('gives one decimal, a sliver as <0.1%, none as 0%, nothing without a total', () => {
    expect(formatShare(1, 3)).toBe('33.3%');
    expect(formatShare(5, 5)).toBe('100.0%');
    expect(formatShare(1, 5000)).toBe('<0.1%');
    expect(formatShare(0, 10)).toBe('0%');
    expect(formatShare(0, 0)).toBe('');
  });
});

describe('traffic mix rows', () => {
  it('lists ethertypes most packets first, with name, number, bytes and share of packets', () => {
    expect(ethertypeRows(veth.mix)).toEqual([
      { key: 0x0800, name: 'IPv4', number: '0x0800', packets: 1000, bytes: 150_000, share: '83.3%' },
      { key: 0x86dd, name: 'IPv6', number: '0x86dd', packets: 196, bytes: 20_000, share: '16.3%' },
      { key: 0x0806, name: 'ARP', number: '0x0806', packets: 4, bytes: 240, share: '0.3%' },
    ]);
  });
  it('lists IP protocols the same way; ties by number; none without a mix', () => {
    expect(ipProtocolRows(veth.mix).map((r) => [r.name, r.number, r.share])).toEqual([['TCP', '6', '74.8%'], ['UDP', '17', '25.1%'], ['ICMPv6', '58', '<0.1%']]);
    expect(ipProtocolRows({ ethertypes: [], ipProtocols: [{ protocol: 17, packets: 1, bytes: 1 }, { protocol: 6, packets: 1, bytes: 1 }] }).map((r) => r.number)).toEqual(['6', '17']);
    expect(ethertypeRows(undefined)).toEqual([]);
  });
});

describe('ruleRows', () => {
  it('lists the watchlist’s rules with their counters, then removed rules that counted something', () => {
    expect(ruleRows([{ name: 'lab', prefixes: ['10.0.0.0/8'] }, { name: 'new', prefixes: [] }, { name: 'idle', prefixes: ['fd00::/8'] }], veth.rules)).toEqual([
      { name: 'lab', prefixes: ['10.0.0.0/8'], packets: 40, bytes: 4200, removed: false },
      { name: 'new', prefixes: [], packets: null, bytes: null, removed: false },
      { name: 'idle', prefixes: ['fd00::/8'], packets: 0, bytes: 0, removed: false },
      { name: 'gone', prefixes: [], packets: 2, bytes: 120, removed: true },
    ]);
    expect(ruleRows([], undefined)).toEqual([]);
  });
  it('shows a rule without a counter yet as a dash', () => {
    expect(countText(null, null)).toEqual({ packets: '—', bytes: '—' });
    expect(countText(1234, 1500)).toEqual({ packets: '1,234', bytes: '1.5 kB' });
  });
});

describe('counters', () => {
  it('says seen, accepted (share of seen), received and dropped (share of received)', () => {
    expect(counterLines(veth).map((l) => `${l.label}: ${l.value}`)).toEqual(['Seen: 1,200', 'Accepted: 900 (75.0%)', 'Received: 900', 'Dropped: 3 (0.3%)']);
    expect(counterLines({ interface: 'lo', received: 0, dropped: 0, seenPackets: 0, acceptedPackets: 0 }).map((l) => l.value)).toEqual(['0', '0', '0', '0']);
  });
  it('sums interfaces: counters, the mix per number, the rules per name', () => {
    const lo: CaptureStatistics = {
      interface: 'lo', received: 100, dropped: 0, seenPackets: 100, acceptedPackets: 100,
      rules: [{ name: 'lab', packets: 10, bytes: 1000 }],
      mix: { ethertypes: [{ ethertype: 0x0800, packets: 100, bytes: 9000 }], ipProtocols: [{ protocol: 6, packets: 100, bytes: 9000 }] },
    };
    const total = totalStatistics([veth, lo]);
    expect([total.interface, total.received, total.dropped, total.seenPackets, total.acceptedPackets]).toEqual(['All interfaces', 1000, 3, 1300, 1000]);
    expect(total.rules?.find((r) => r.name === 'lab')).toEqual({ name: 'lab', packets: 50, bytes: 5200 });
    expect(total.mix?.ethertypes.find((e) => e.ethertype === 0x0800)).toEqual({ ethertype: 0x0800, packets: 1100, bytes: 159_000 });
    expect(total.mix?.ipProtocols.find((p) => p.protocol === 6)?.packets).toBe(995);
    const plain = totalStatistics([{ interface: 'a', received: 1, dropped: 0, seenPackets: 1, acceptedPackets: 1 }]);
    expect('rules' in plain || 'mix' in plain).toBe(false);
  });
});

describe('watchlist edits', () => {
  const rules = [{ name: 'lab', prefixes: ['10.0.0.0/8'] }, { name: 'dns', prefixes: ['10.0.0.53'] }];
  it('add and remove prefixes and rules, leaving the input as it was', () => {
    expect(addPrefix(rules, 'lab', ' 192.168.0.0/16 ')).toEqual([{ name: 'lab', prefixes: ['10.0.0.0/8', '192.168.0.0/16'] }, rules[1]]);
    expect(addPrefix(rules, 'lab', '10.0.0.0/8')).toEqual(rules);
    expect(removePrefix(rules, 'lab', '10.0.0.0/8')).toEqual([{ name: 'lab', prefixes: [] }, rules[1]]);
    expect(addRule(rules, ' web ', '10.1.0.80')).toEqual([...rules, { name: 'web', prefixes: ['10.1.0.80'] }]);
    expect(removeRule(rules, 'lab')).toEqual([rules[1]]);
    expect(rules).toEqual([{ name: 'lab', prefixes: ['10.0.0.0/8'] }, { name: 'dns', prefixes: ['10.0.0.53'] }]);
  });
  it('says what is wrong with a rule name', () => {
    expect(ruleNameProblem(rules, '  ')).toBe('Give the rule a name');
    expect(ruleNameProblem(rules, 'dns')).toMatch(/There is a rule “dns” already/);
    expect(ruleNameProblem(rules, 'x'.repeat(65))).toMatch(/at most 64 characters/);
    expect(ruleNameProblem(Array.from({ length: 64 }, (_, k) => ({ name: `r${k}` })), 'one-more')).toBe('A watchlist has at most 64 rules');
    expect(ruleNameProblem(rules, 'web')).toBeNull();
  });
});
