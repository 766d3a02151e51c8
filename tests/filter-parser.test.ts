/**
 * The display-filter parser and compiler: every construct parses to the expected tree, and every
 * kind of mistake is reported with its column and a sentence saying what is wrong. (Whether the
 * compiled filters select the right packets is checked against tshark in filter-tshark.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { compileDisplayFilter, DisplayFilterError, parseDisplayFilter, type FilterNode } from '../app/filter';
import { fieldKind } from '../app/filter/fields';
import { Dissector } from '../app/dissect/dissector';
import { CaptureReader } from '../app/pcap/reader';
import type { Field } from '../app/dissect/model';
import { requireCorpusFile } from './support/corpus';

/** A compact rendering of the tree: (and a b), (== tcp.port 80), (in f 1 2..3), (exists f). */
function show(n: FilterNode): string {
  switch (n.type) {
    case 'and':
    case 'or':
      return `(${n.type} ${show(n.left)} ${show(n.right)})`;
    case 'not':
      return `(not ${show(n.operand)})`;
    case 'exists':
      return n.operand.text;
    case 'compare':
      return `(${n.op} ${n.left.text} ${n.right.kind === 'string' ? JSON.stringify(n.right.text) : n.right.text})`;
    case 'contains':
    case 'matches':
      return `(${n.type} ${n.left.text} ${JSON.stringify(n.right.text)})`;
    case 'in':
      return `(in ${n.left.text} ${n.elements.map((e) => (e.high ? `${e.low.text}..${e.high.text}` : e.low.text)).join(' ')})`;
  }
}

test('every construct parses to the expected tree', () => {
  const cases: [string, string][] = [
    ['http', 'http'],
    ['tcp.flags.syn', 'tcp.flags.syn'],
    ['tcp.port == 80', '(== tcp.port 80)'],
    ['tcp.port eq 80', '(== tcp.port 80)'],
    ['a.b != 1', '(!= a.b 1)'],
    ['a.b ne 1', '(!= a.b 1)'],
    ['a.b < 1 or a.b lt 1', '(or (< a.b 1) (< a.b 1))'],
    ['a.b <= 1 || a.b le 1', '(or (<= a.b 1) (<= a.b 1))'],
    ['a.b > 1 and a.b gt 1', '(and (> a.b 1) (> a.b 1))'],
    ['a.b >= 1 && a.b ge 1', '(and (>= a.b 1) (>= a.b 1))'],
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c', '(or (and a b) c)'],
    ['(a or b) and c', '(and (or a b) c)'],
    ['!a && not b', '(and (not a) (not b))'],
    ['not a == 1', '(not (== a 1))'],
    ['!(a || b)', '(not (or a b))'],
    ['http.host contains "example"', '(contains http.host "example")'],
    ['http.host matches "(?i)^www\\\\."', '(matches http.host "(?i)^www\\\\.")'],
    ['tcp.port in {80, 443, 8000..8080}', '(in tcp.port 80 443 8000..8080)'],
    ['tcp.port not in {80}', '(not (in tcp.port 80))'],
    ['ip.addr == 10.0.0.0/8', '(== ip.addr 10.0.0.0/8)'],
    ['ipv6.addr == 2001:db8::/32', '(== ipv6.addr 2001:db8::/32)'],
    ['ipv6.addr == ::1', '(== ipv6.addr ::1)'],
    ['eth.addr == ff:ff:ff:ff:ff:ff', '(== eth.addr ff:ff:ff:ff:ff:ff)'],
    ['eth.dst == ff-ff-ff-ff-ff-ff', '(== eth.dst ff-ff-ff-ff-ff-ff)'],
    ['tcp.payload contains 47:45:54', '(contains tcp.payload "47:45:54")'],
    ['frame.len == 0x40', '(== frame.len 0x40)'],
    ['a == "q\\"uote\\\\ \\x41\\101"', '(== a "q\\"uote\\\\ AA")'],
    ['  tcp  ', 'tcp'],
  ];
  for (const [filter, tree] of cases) assert.equal(show(parseDisplayFilter(filter)), tree, filter);
});

function errorOf(filter: string): { column: number; reason: string; message: string } {
  try {
    compileDisplayFilter(filter);
  } catch (err) {
    assert.ok(err instanceof DisplayFilterError, `${filter}: ${String(err)}`);
    return { column: err.column, reason: err.reason, message: err.message };
  }
  assert.fail(`"${filter}" should be rejected`);
}

test('syntax errors name the column and what was expected', () => {
  const cases: [string, number, RegExp][] = [
    ['ip.src == ', 11, /^expected a value$/],
    ['', 1, /empty/],
    ['(tcp', 5, /expected '\)' to close the '\(' at column 1/],
    ['tcp)', 4, /unexpected '\)'/],
    ['tcp udp', 5, /unexpected 'udp'.*'and', 'or'/],
    ['tcp.port in {80 443}', 17, /expected ',' or '}'.*commas/],
    ['tcp.port in 80', 13, /expected '\{'/],
    ['tcp.port in {80,', 17, /expected a value in the set/],
    ['tcp.port in {1..}', 17, /expected the end of the range/],
    ['http.host == "abc', 14, /unterminated string/],
    ['a == "\\q"', 7, /unknown escape/],
    ['tcp.port == 80 #', 16, /unexpected character '#'/],
    ['and tcp', 1, /expected a field, a value or '\('/],
    ['tcp &&', 7, /expected a field/],
    ['== 80', 1, /found '=='/],
    ['ip.src[0:0] == 01', 8, /Range 0:0 isn't valid because length 0 isn't positive/],
    ['eth.src[-2-5] == 01', 9, /Range -2-5 isn't valid because -2 and 5 have different signs/],
    ['eth.src[3-1] == 01', 9, /the end 1 comes before the start 3/],
    ['eth.src[a] == 01', 9, /"a" is not a byte range/],
    ['eth.src[0:2 == 01', 13, /expected ',' or '\]' to close the '\[' at column 8/],
    ['eth.src[] == 01', 9, /expected a byte range/],
  ];
  for (const [filter, column, reason] of cases) {
    const e = errorOf(filter);
    assert.equal(e.column, column, `${filter}: ${e.message}`);
    assert.match(e.reason, reason, filter);
  }
  assert.equal(errorOf('ip.src == ').message, 'invalid display filter "ip.src == ": column 11: expected a value');
});

test('meaning errors: unknown fields, bad literals, operators that do not fit the field', () => {
  const cases: [string, number, RegExp][] = [
    ['foo.bar', 1, /"foo.bar" is neither a field nor a protocol name/],
    ['tcp.prot == 80', 1, /"tcp.prot" is neither a field nor a protocol name/],
    ['tcp and tcp.bogus', 9, /"tcp.bogus" is neither a field/],
    ['ip.src == 1.2.3.4/33', 11, /prefix length .* 0 to 32/],
    ['ip.src == 1.2.3', 11, /not a valid IPv4 address/],
    ['ip.src == example.com', 11, /"example.com" is neither a field nor a valid value for ip.src/],
    ['ipv6.src == 2001:db8:::1', 13, /not a valid IPv6 address/],
    ['ipv6.src == ::/129', 13, /0 to 128/],
    ['eth.addr == 01:02:03', 13, /not a valid MAC address/],
    ['tcp.port == 8o', 13, /not a valid integer/],
    ['tcp.port == 1.5', 13, /not a valid integer/],
    ['tcp.flags.syn == maybe', 18, /neither a field nor a valid value/],
    ['tcp.flags.syn == 2x', 18, /not a boolean/],
    ['frame.time_relative > 1:2', 23, /not a time in seconds/],
    ['tcp.payload contains 1:zz', 22, /not a byte string/],
    ['tcp.port contains 80', 1, /tcp.port is not a text, bytes or protocol field/],
    ['tcp.port matches "8"', 1, /cannot be used with 'matches'/],
    ['http.host matches "(unclosed"', 19, /invalid regular expression/],
    ['tcp.analysis == 1', 1, /tcp.analysis has no value to compare/],
    ['80 == 80', 1, /"80" is a value/],
    ['ip.src == tcp.port', 11, /different kinds of values/],
    ['tcp.port in {1..x.y}', 17, /neither a field nor a valid value/],
    ['tcp.port[0:1] == 00', 1, /"tcp.port" is an integer and cannot be sliced into a sequence of bytes/],
    ['frame.time_relative[0] == 00', 1, /cannot be sliced/],
  ];
  for (const [filter, column, reason] of cases) {
    const e = errorOf(filter);
    assert.equal(e.column, column, `${filter}: ${e.message}`);
    assert.match(e.reason, reason, filter);
  }
});

test('literals of every kind compile (values are checked against tshark elsewhere)', () => {
  for (const filter of [
    'tcp.port == 0x50 || tcp.port == 0120 || tcp.port == 80',
    'tcp.flags.syn == true || tcp.flags.syn == false || tcp.flags.syn == 1',
    'ip.addr == 10.0.0.1 || ip.addr == 10.0.0.0/8 || ip.addr in {192.168.0.0/16, 172.16.0.1}',
    'ipv6.addr == ::ffff:10.0.0.1 || ipv6.addr == fe80::/10 || ipv6.addr == 2001:db8:0:0:0:0:0:1',
    'eth.addr == aa:bb:cc:dd:ee:ff || eth.addr == aabb.ccdd.eeff || eth.addr == AA-BB-CC-DD-EE-FF',
    'tcp.payload == 47 || tcp.payload contains "GET" || tcp.payload contains 47.45.54',
    'frame.time_relative >= 1.5 && frame.time_delta < .25',
    'frame.time > "Nov 22, 2015 17:58:11" && frame.time < "2030-01-01 00:00:00"',
    'http.request.method == GET || http.request.method in {"POST", PUT}',
    'tcp.srcport == tcp.dstport || 80 == tcp.port || 1024 < tcp.port',
    'frame contains "x" || udp contains 01:02 || eth matches "(?is)a.b"',
  ]) {
    const f = compileDisplayFilter(filter);
    assert.ok(f.fieldNames.length > 0, filter);
  }
});

test('every field and protocol the dissectors emit over corpus captures is a known filter name', (t) => {
  const dir = requireCorpusFile('chrissanders-packets');
  const unknown = new Set<string>();
  const files = fs.readdirSync(dir).filter((f) => /^(http|dns|dhcp|icmp|arp|tcp|ipv6|ip_)/.test(f));
  for (const name of files) {
    const reader = CaptureReader.open(`${dir}/${name}`);
    const dissector = new Dissector();
    let n = 0;
    try {
      for (let p = reader.next(); p; p = reader.next()) {
        const packet = dissector.dissect({ number: ++n, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags });
        const visit = (fields: Field[]) => {
          for (const f of fields) {
            if (f.abbrev && fieldKind(f.abbrev) === undefined) unknown.add(f.abbrev);
            if (f.children) visit(f.children);
          }
        };
        for (const layer of packet.layers) {
          if (fieldKind(layer.protocol) === undefined) unknown.add(layer.protocol);
          visit(layer.fields);
        }
      }
    } finally {
      reader.close();
    }
  }
  t.diagnostic(`${files.length} captures checked`);
  assert.deepEqual([...unknown], []);
});
