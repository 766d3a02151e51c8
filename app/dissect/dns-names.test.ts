/**
 * DNS name decompression: the names Wireshark shows, and a bound on the work whatever the bytes.
 * tcpdump's dns_fwdptr.pcap (one 63 KB response whose ~10,000 question names all run into one
 * long label chain) took 65 s before names were memoised; these tests count label and pointer
 * reads (DnsNameReader.steps), not time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsNameReader, readDnsName } from './dns-names';
import { dnsDissector } from './dns';
import type { AppContext, Field, Layer } from './model';

const udp: AppContext = { transport: 'udp', srcPort: 53, dstPort: 50000, frameNumber: 1, src: '10.0.0.2', dst: '10.0.0.1' };

function values(layers: Layer[], abbrev: string): string[] {
  const out: string[] = [];
  const walk = (fields: Field[]) => fields.forEach((f) => { if (f.abbrev === abbrev) out.push(f.text); if (f.children) walk(f.children); });
  layers.forEach((l) => walk(l.fields));
  return out;
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('names: labels, root, compression pointer, escapes', () => {
  // 12-byte header, then "example.com" at 12, then "www" + pointer to 12 at 25.
  const msg = hex('000000000000000000000000 076578616d706c6503636f6d00 03777777c00c 00 04612e5c20');
  assert.deepEqual(readDnsName(msg, 0, 12, msg.length), { text: 'example.com', length: 13 });
  assert.deepEqual(readDnsName(msg, 0, 25, msg.length), { text: 'www.example.com', length: 6 });
  assert.deepEqual(readDnsName(msg, 0, 31, msg.length), { text: '<Root>', length: 1 });
  // Wireshark escapes '.' and '\' inside a label and shows other bytes as \DDD, but not a space
  // (tshark: "My Printer._ipp._tcp.local").
  assert.equal(readDnsName(msg, 0, 32, msg.length).text, 'a\\.\\\\ ');
});

test('names: truncated, reserved label type, self pointer and pointer loop', () => {
  const msg = hex('000000000000000000000000 0561626364 ');
  assert.equal(readDnsName(msg, 0, 12, msg.length).problem, 'truncated');
  assert.equal(readDnsName(hex('000000000000000000000000 4100'), 0, 12, 14).problem, 'malformed');
  assert.equal(readDnsName(hex('000000000000000000000000 c00c'), 0, 12, 14).problem, 'malformed');
  // "a" at 12, pointer to 16 at 14; at 16 "b" then a pointer back to 16: a loop after the first jump.
  const loop = hex('000000000000000000000000 0161c010 0162c010');
  const name = readDnsName(loop, 0, 12, loop.length);
  assert.equal(name.problem, 'malformed');
  assert.equal(name.length, 4);
});

test('names: Wireshark stops after 128 pointers', () => {
  // A chain of backward pointers: entry k (at 12 + 2k) points to entry k-1; entry 0 is the root.
  const build = (pointers: number) => {
    const msg = Buffer.alloc(12 + 2 + 2 * pointers);
    msg[12] = 0;
    for (let k = 1; k <= pointers; k++) msg.writeUInt16BE(0xc000 | (12 + 2 * (k - 1)), 12 + 2 * k);
    return readDnsName(msg, 0, 12 + 2 * pointers, msg.length);
  };
  assert.deepEqual(build(128), { text: '<Root>', length: 2 });
  assert.equal(build(129).problem, 'malformed');
});

test('names: a name longer than 255 characters is <Name too long>', () => {
  const msg = Buffer.concat([Buffer.alloc(12), Buffer.from('0161'.repeat(128) + '00', 'hex')]);
  assert.equal(readDnsName(msg, 0, 12, msg.length).text, '<Name too long>');
  assert.equal(readDnsName(msg, 0, 12 + 2 * 100, msg.length).text, Array(28).fill('a').join('.'));
});

test('names: overlapping names in one long chain cost linear work', () => {
  // 20,000 one-letter labels; a name starts at every label. Without memoising this is 2e8 reads.
  const labels = 20_000;
  const msg = Buffer.concat([Buffer.alloc(12), Buffer.from('0161'.repeat(labels) + '00', 'hex')]);
  const reader = new DnsNameReader(msg, 0, msg.length);
  for (let k = 0; k < labels; k++) {
    const name = reader.read(12 + 2 * k);
    assert.equal(name.length, 2 * (labels - k) + 1);
    if (k === labels - 1) assert.equal(name.text, 'a');
  }
  assert.ok(reader.steps <= 2 * msg.length, `${reader.steps} label reads for a ${msg.length}-byte message`);
});

test('DNS message shaped like dns_fwdptr.pcap: thousands of names into one long chain stay linear', () => {
  // Header with 2,500 questions, each a pointer to a chain of 15,000 one-letter labels that ends
  // in a pointer loop (as the fuzzed capture's chain does): 3.75e7 label reads when not memoised.
  const questions = 2_500;
  const chainStart = 12 + 6 * questions;
  const question = Buffer.alloc(6);
  question.writeUInt16BE(0xc000 | chainStart, 0);
  question.writeUInt32BE(0x01fb0301, 2);
  const msg = Buffer.concat([
    hex('c980 8180'), Buffer.from([questions >> 8, questions & 0xff]), Buffer.alloc(6),
    ...Array.from({ length: questions }, () => question),
    Buffer.from('0161'.repeat(15_000), 'hex'), Buffer.from([0xc0 | (chainStart >> 8), chainStart & 0xff]),
  ]);
  assert.ok(chainStart < 0x3fff);
  const reader = new DnsNameReader(msg, 0, msg.length);
  for (let k = 0; k < questions; k++) assert.equal(reader.read(12 + 6 * k).problem, 'malformed', 'the chain ends in a loop');
  assert.ok(reader.steps <= 2 * msg.length, `${reader.steps} label reads for a ${msg.length}-byte message`);

  // Through the dissector: it stops at the first bad name, malformed, as tshark does.
  const r = dnsDissector.dissect(msg, 0, msg.length, udp);
  assert.equal(r.layers[0]!.status, 'malformed');
  assert.deepEqual(values(r.layers, 'dns.count.queries'), [String(questions)]);
});

test('DNS message whose names are long but valid: every question decoded, Info capped like Wireshark', () => {
  const questions = 2000;
  const chainStart = 12 + 6 * questions;
  const question = Buffer.alloc(6);
  question.writeUInt16BE(0xc000 | chainStart, 0);
  question.writeUInt32BE(0x00010001, 2);
  const msg = Buffer.concat([
    hex('1234 8180'), Buffer.from([questions >> 8, questions & 0xff]), Buffer.alloc(6),
    ...Array.from({ length: questions }, () => question),
    Buffer.from('0161'.repeat(5000) + '00', 'hex'),
  ]);
  const r = dnsDissector.dissect(msg, 0, msg.length, udp);
  assert.equal(r.layers[0]!.status, 'ok');
  const names = values(r.layers, 'dns.qry.name');
  assert.equal(names.length, questions);
  assert.ok(names.every((n) => n === '<Name too long>'));
  assert.equal(r.info.length, 4095, "Wireshark's Info column holds 4095 characters");
});
