/**
 * "No tree" dissection (DissectOptions.fields) against the whole tree, on frames built here: the
 * fields a selection names come out with the same texts, values and order as in the tree, the
 * layers, statuses and summary columns are the same, and a display filter selects the same frames
 * whether it is tested on trees or on dissections of just its own names without columns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import type { DissectedPacket, Field, FrameInput } from './model';
import { compileDisplayFilter } from '../filter';

const MAC_A = Buffer.from('02005e100001', 'hex');
const MAC_B = Buffer.from('02005e100002', 'hex');
const V4_A = [10, 77, 0, 1];
const V4_B = [10, 77, 0, 2];
const V6_A = Buffer.from('fd770000000000000000000000000001', 'hex');
const V6_B = Buffer.from('fd770000000000000000000000000002', 'hex');

function eth(type: number, payload: Buffer, dst = MAC_B, src = MAC_A): Buffer {
  const header = Buffer.alloc(14);
  dst.copy(header, 0);
  src.copy(header, 6);
  header.writeUInt16BE(type, 12);
  return Buffer.concat([header, payload]);
}

function ipv4(proto: number, payload: Buffer, options: { src?: number[]; dst?: number[]; id?: number; fragment?: number; ttl?: number } = {}): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(options.id ?? 0x1234, 4);
  h.writeUInt16BE(options.fragment ?? 0x4000, 6);
  h[8] = options.ttl ?? 64;
  h[9] = proto;
  Buffer.from(options.src ?? V4_A).copy(h, 12);
  Buffer.from(options.dst ?? V4_B).copy(h, 16);
  return Buffer.concat([h, payload]);
}

function ipv6(next: number, payload: Buffer, src = V6_A, dst = V6_B): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, payload]);
}

function tcp(srcPort: number, dstPort: number, flags: number, seq: number, ack: number, payload = Buffer.alloc(0), options = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(20 + options.length);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt32BE(seq, 4);
  h.writeUInt32BE(ack, 8);
  h.writeUInt16BE((((20 + options.length) / 4) << 12) | flags, 12);
  h.writeUInt16BE(64240, 14);
  options.copy(h, 20);
  return Buffer.concat([h, payload]);
}

function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

function dnsName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])), Buffer.from([0])]);
}

function dns(id: number, response: boolean, name: string, answer?: number[]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(response ? 0x8180 : 0x0100, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answer ? 1 : 0, 6);
  const question = Buffer.concat([dnsName(name), Buffer.from([0, 1, 0, 1])]);
  const records = answer ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...answer]) : Buffer.alloc(0);
  return Buffer.concat([h, question, records]);
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
/** MSS 1460, SACK permitted, timestamps, NOP, window scale 7: what Linux sends in a SYN. */
const SYN_OPTIONS = Buffer.from('020405b40402080a0001e2400000000001030307', 'hex');

/** A short everyday exchange: a TCP connection carrying HTTP, DNS over UDP, pings, fragments, ND, ARP, a VLAN tag, a truncated frame. */
function frames(): Array<{ data: Buffer; origLen?: number }> {
  const get = Buffer.from('GET /style.css?q=1 HTTP/1.1\r\nHost: 10.77.0.2:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n');
  const ok = Buffer.from('HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\nContent-type: text/css\r\nContent-Length: 8\r\n\r\nbody{}\r\n');
  const echo = Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 7, 0, 1]), Buffer.alloc(40, 0x61)]);
  const bigUdp = udp(40000, 53, dns(0x4242, false, 'a.very.long.sub.domain.example.com'));
  const v6echo = Buffer.concat([Buffer.from([128, 0, 0, 0, 0, 9, 0, 1]), Buffer.alloc(16, 0x62)]);
  const ns = Buffer.concat([Buffer.from([135, 0, 0, 0, 0, 0, 0, 0]), V6_B, Buffer.from([1, 1]), MAC_A]);
  const arp = Buffer.concat([Buffer.from('0001080006040001', 'hex'), MAC_A, Buffer.from(V4_A), Buffer.alloc(6), Buffer.from(V4_B)]);
  const quoted = ipv4(17, udp(40001, 9, Buffer.from('x')), { src: V4_A, dst: V4_B });
  const unreachable = Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), quoted]);
  const tlsChangeCipherSpec = Buffer.from('140303000101', 'hex');
  const list = [
    eth(0x0806, arp),
    eth(0x0800, ipv4(6, tcp(51000, 8080, SYN, 1000, 0, undefined, SYN_OPTIONS))),
    eth(0x0800, ipv4(6, tcp(8080, 51000, SYN | ACK, 5000, 1001, undefined, SYN_OPTIONS), { src: V4_B, dst: V4_A })),
    eth(0x0800, ipv4(6, tcp(51000, 8080, ACK, 1001, 5001))),
    eth(0x0800, ipv4(6, tcp(51000, 8080, ACK | PSH, 1001, 5001, get))),
    eth(0x0800, ipv4(6, tcp(8080, 51000, ACK | PSH, 5001, 1001 + get.length, ok), { src: V4_B, dst: V4_A })),
    eth(0x0800, ipv4(6, tcp(51000, 8080, ACK | FIN, 1001 + get.length, 5001 + ok.length))),
    eth(0x0800, ipv4(17, udp(40000, 53, dns(0x1111, false, 'example.com')))),
    eth(0x0800, ipv4(17, udp(53, 40000, dns(0x1111, true, 'example.com', [93, 184, 216, 34])), { src: V4_B, dst: V4_A })),
    eth(0x0800, ipv4(1, echo)),
    eth(0x0800, ipv4(1, Buffer.concat([Buffer.from([0]), echo.subarray(1)]), { src: V4_B, dst: V4_A })),
    // One UDP datagram in two fragments (offsets in 8-byte units).
    eth(0x0800, ipv4(17, bigUdp.subarray(0, 24), { id: 0x77, fragment: 0x2000 })),
    eth(0x0800, ipv4(17, bigUdp.subarray(24), { id: 0x77, fragment: 3 })),
    eth(0x0800, ipv4(1, unreachable, { src: V4_B, dst: V4_A })),
    eth(0x0800, ipv4(6, tcp(51002, 443, ACK | PSH, 1, 1, tlsChangeCipherSpec))),
    eth(0x86dd, ipv6(58, v6echo)),
    eth(0x86dd, ipv6(58, ns)),
    eth(0x86dd, ipv6(6, tcp(51004, 8081, ACK | PSH, 7, 9, get))),
    eth(0x8100, Buffer.concat([Buffer.from([0, 5, 0x08, 0x00]), ipv4(17, udp(123, 123, Buffer.alloc(48, 0x23)))])),
  ];
  const out: Array<{ data: Buffer; origLen?: number }> = list.map((data) => ({ data }));
  // Cut after 60 bytes: the HTTP request as a snap length would leave it.
  const cut = list[4]!;
  out.push({ data: cut.subarray(0, 60), origLen: cut.length });
  return out;
}

function inputs(): FrameInput[] {
  return frames().map((f, k) => ({ number: k + 1, tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_250_000n, data: f.data, origLen: f.origLen ?? f.data.length, linkType: 1 }));
}

/** Every field (depth first, tree order) whose name is selected, as abbrev=text=value. */
function selected(packet: DissectedPacket, names: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const visit = (fields: readonly Field[]): void => {
    for (const f of fields) {
      if (names.has(f.abbrev)) out.push(`${f.abbrev}=${f.text}=${Buffer.isBuffer(f.value) ? f.value.toString('hex') : String(f.value)}`);
      if (f.children) visit(f.children);
    }
  };
  for (const layer of packet.layers) {
    out.push(`[${layer.protocol} ${layer.offset}+${layer.length} ${layer.status}]`);
    visit(layer.fields);
  }
  return out;
}

function allNames(packet: DissectedPacket): string[] {
  const names = new Set<string>();
  const visit = (fields: readonly Field[]): void => {
    for (const f of fields) {
      names.add(f.abbrev);
      if (f.children) visit(f.children);
    }
  };
  for (const layer of packet.layers) visit(layer.fields);
  return [...names];
}

test('no tree: the selected fields, layers, statuses and columns are those of the tree', () => {
  const frameList = inputs();
  const trees = new Dissector();
  // Several selections at once: every name, every other name, one per layer kind, none.
  const selections = ['all', 'even', 'odd', 'none'] as const;
  const dissectors = selections.map(() => new Dissector());
  for (const frame of frameList) {
    const tree = trees.dissect(frame);
    const names = allNames(tree);
    selections.forEach((kind, k) => {
      const chosen = new Set(kind === 'all' ? names : kind === 'none' ? [] : names.filter((_, i) => i % 2 === (kind === 'even' ? 0 : 1)));
      const packet = dissectors[k]!.dissect(frame, { fields: chosen });
      assert.deepEqual(selected(packet, chosen), selected(tree, chosen), `frame ${frame.number}, selection "${kind}"`);
      assert.deepEqual(packet.summary, tree.summary, `frame ${frame.number}: summary columns`);
      assert.equal(packet.status, tree.status);
      for (const layer of packet.layers) {
        const visit = (fields: readonly Field[]): void => {
          for (const f of fields) {
            assert.equal(f.label, '', `${f.abbrev}: no label without a tree`);
            if (f.children) visit(f.children);
          }
        };
        visit(layer.fields);
      }
    });
  }
});

test('no tree: a selection of one name gets every occurrence of it, whichever layer adds it', () => {
  const frameList = inputs();
  const trees = new Dissector();
  const packets = frameList.map((f) => trees.dissect(f));
  const names = [...new Set(packets.flatMap(allNames))].filter((n) => n !== '');
  assert.ok(names.length > 150, `${names.length} field names`);
  for (const name of names) {
    const d = new Dissector();
    const only = new Set([name]);
    frameList.forEach((frame, k) => {
      assert.deepEqual(selected(d.dissect(frame, { fields: only, columns: false }), only).filter((l) => !l.startsWith('[')), selected(packets[k]!, only).filter((l) => !l.startsWith('[')), `${name} in frame ${frame.number}`);
    });
  }
});

test('no tree: display filters select the frames they select on trees', () => {
  const filters = [
    'tcp.port == 8080', 'ip.addr == 10.77.0.2 && tcp.flags.syn == 1', 'tcp.len > 0', 'tcp.seq == 1', 'tcp.stream == 0',
    'tcp.options.wscale.shift == 7', 'tcp.window_size == 64240', 'http.request.uri contains "style"', 'http.response.code == 200',
    'dns.qry.name == "example.com"', 'dns.a == 93.184.216.34', 'dns', 'udp && !dns', 'icmp.type == 8', 'icmp.resp_in',
    'icmpv6.opt.src_linkaddr == 02:00:5e:10:00:01', 'ip.flags.mf == 1 || ip.frag_offset > 0', 'ip.fragment.count == 2', 'vlan.id == 5',
    'ntp', 'arp.opcode == 1', 'eth.src == 02:00:5e:10:00:01', 'frame.len > 100', 'frame.protocols contains "http"', 'tcp contains "GET"',
    'udp contains 00:01', 'data', 'tls', 'tls.record.content_type == 20', 'ipv6.addr == fd77::2 && tcp', 'frame.time_delta > 0.001',
  ];
  const frameList = inputs();
  const trees = new Dissector();
  const compiled = filters.map((text) => compileDisplayFilter(text));
  const perFilter = compiled.map((f) => ({ dissector: new Dissector(), options: { fields: new Set(f.fieldNames), columns: false } }));
  const selectedBy = compiled.map(() => [] as number[]);
  for (const frame of frameList) {
    const tree = trees.dissect(frame);
    compiled.forEach((filter, k) => {
      const { dissector, options } = perFilter[k]!;
      const mine = filter.matches(dissector.dissect(frame, options), frame.data);
      assert.equal(mine, filter.matches(tree, frame.data), `${filter.text} on frame ${frame.number}`);
      if (mine) selectedBy[k]!.push(frame.number);
    });
  }
  // The frames exercise the filters: most select something.
  assert.ok(selectedBy.filter((s) => s.length > 0).length >= filters.length - 3, `filters selecting nothing: ${filters.filter((_, k) => selectedBy[k]!.length === 0).join('; ')}`);
});

test('no tree without columns leaves out payload layers nobody reads, but not stateful ones', () => {
  const frameList = inputs();
  const d = new Dissector();
  const packets = frameList.map((f) => d.dissect(f, { fields: new Set(['tcp.port']), columns: false }));
  const protocols = new Set(packets.flatMap((p) => p.layers.map((l) => l.protocol)));
  for (const p of ['http', 'ntp']) assert.ok(!protocols.has(p), `${p} layers are left out`);
  assert.ok(protocols.has('tls'), 'TLS remembers conversations: it runs anyway');
  assert.ok(protocols.has('dns'), 'DNS matches responses to requests (dns.response_to): it runs anyway');
  assert.ok(protocols.has('tcp') && protocols.has('udp'), 'transport layers stay');
});
