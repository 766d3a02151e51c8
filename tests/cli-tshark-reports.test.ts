/**
 * tshark's reports and -V details through the real command line, against tshark 4.0 on the same
 * files: `-z expert`, `-z dns,tree`, `-z follow,udp|tls|http` byte for byte (several -z in one run, as
 * tshark prints them), the -V lines of DNS flags, pcapng interfaces and expert items, the displayed
 * time delta under -Y and -T json's text subtrees; TCP frames' -V trees byte for byte (SEQ/ACK
 * analysis, completeness, window scaling, the DS field, Data in hex), the tcp.analysis fields and
 * -T json -x.
 * On corpus captures and on a TCP conversation this test writes with a lost segment, duplicate
 * ACKs, a spurious retransmission, zero windows, a keep-alive and FINs.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusFile as corpusFile } from './support/corpus';
import { promisify } from 'node:util';
import { SIEVECAP } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const exec = promisify(execFile);
const OPTIONS = { encoding: 'utf8' as const, maxBuffer: 64 << 20 };

/** Our output and tshark's (-n added), the two run side by side; ours must succeed. */
async function both(oursArgs: string[], theirsArgs: string[]): Promise<[string, string]> {
  const [a, b] = await Promise.all([exec(process.execPath, [SIEVECAP, ...oursArgs], OPTIONS), exec('tshark', ['-n', ...theirsArgs], OPTIONS)]);
  return [a.stdout, b.stdout];
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-reports-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A conversation with what TCP analysis flags: loss, retransmissions, duplicate ACKs, zero windows, keep-alives, FINs. */
function lossyConversation(): string {
  const c = new TcpConversation({ serverPort: 8080 });
  c.handshake();
  c.send('client', Buffer.from('GET /lossy HTTP/1.1\r\nHost: test\r\n\r\n'));
  c.ack('server');
  const body = Buffer.alloc(3000, 0x61);
  c.send('server', Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`));
  c.send('server', body.subarray(0, 1000));
  c.lose('server', 1000);
  c.send('server', body.subarray(2000));
  c.ack('client').ack('client').ack('client');
  c.resend('server', body.subarray(1000, 2000), 2000);
  c.ack('client', 0);
  c.ack('client', 0);
  c.ack('client', 65535);
  c.keepAlive('client');
  c.ack('server');
  c.fin('client');
  c.fin('server');
  c.ack('client');
  const file = path.join(tmp, 'lossy.pcap');
  writeConversations(file, [c]);
  return file;
}

describe('-z reports equal tshark -q -z', () => {
  // One expert tap a run: tshark keeps one severity threshold for all of them (the last given).
  const specs = ['-z', 'expert,note', '-z', 'dns,tree', '-z', 'follow,udp,hex,1', '-z', 'follow,tls,raw,0'];
  // DNS query retransmissions; response times; DNS over TCP.
  const files = [
    'chrissanders-packets/nowebaccess1.pcapng',
    'chrissanders-packets/dns_lab.pcapng',
    'chrissanders-packets/dns_tcp.pcapng',
  ];
  for (const name of files) {
    test(`${path.basename(name)}: expert, dns,tree, follow,udp and follow,tls in one run`, async () => {
      const f = corpusFile(name);
      const [a, b] = await both(['-r', f, ...specs], ['-r', f, '-q', ...specs]);
      assert.equal(a, b);
    });
  }

  test('a written TCP conversation with loss, and tcp_retransmissions: expert, follow by address', async () => {
    const f = lossyConversation();
    const args = ['-z', 'expert', '-z', 'follow,udp,ascii,10.0.0.1:40000,10.0.0.2:8080', '-z', 'follow,http,ascii,0'];
    const g = corpusFile('chrissanders-packets/tcp_retransmissions.pcapng');
    const [retransmissions, theirRetransmissions] = await both(['-r', g, '-z', 'expert'], ['-r', g, '-q', '-z', 'expert']);
    assert.equal(retransmissions, theirRetransmissions);
    const [mine, theirs] = await both(['-r', f, ...args], ['-r', f, '-q', ...args]);
    const expected = ['Duplicate ACK (#2)', 'TCP Zero Window segment', 'Previous segment(s) not captured', 'spurious retransmission', 'TCP keep-alive segment', 'TCP window update', 'This frame undergoes the connection closing', 'GET /lossy HTTP/1.1'];
    for (const line of expected) {
      assert.ok(theirs.includes(line), `the written capture makes tshark say ${line}`);
    }
    assert.equal(mine, theirs);
  });

  test('follow,http in ascii, hex and raw: a chunked, gzip-coded response (headers, then the body decoded)', async () => {
    const f = corpusFile('chrissanders-packets/http_espn_fail.pcapng');
    const specs = ['-z', 'follow,http,ascii,0', '-z', 'follow,http,hex,0', '-z', 'follow,http,raw,172.16.16.154:64859,68.71.212.158:80'];
    const [mine, theirs] = await both(['-n', '-r', f, ...specs], ['-r', f, '-q', ...specs]);
    assert.ok(theirs.includes('Follow: http,hex') && theirs.includes('</body></html>'));
    assert.equal(mine, theirs);
  });
});

describe('-V and -T json details equal tshark', () => {
  test('-V: DNS trees (flag lines with bit values, request/response matching) and the pcapng frame lines', async () => {
    const f = corpusFile('chrissanders-packets/dns_lab.pcapng');
    // Frame (with its interface lines) and DNS blocks of each packet.
    const blocks = (text: string): string[] =>
      text.split('\n\n').flatMap((packet) => packet.split(/\n(?=\S)/).filter((b) => /^(Frame \d|Domain Name System)/.test(b)));
    const [mine, theirs] = await both(['-r', f, '-V'], ['-r', f, '-V']);
    const a = blocks(mine);
    const b = blocks(theirs);
    assert.ok(b.length > 40 && b[0]!.includes('Interface id: 0'));
    assert.deepEqual(a, b);
  });

  test('-V: the expert items of TCP analysis, connection chats and HTTP lines, in order', async () => {
    const experts = (text: string): string[] => text.split('\n').filter((l) => l.includes('[Expert Info') || /^\s+\[(RTO|The RTO|Duplicate ACK #|Duplicate to the ACK)/.test(l));
    for (const f of [lossyConversation(), corpusFile('chrissanders-packets/tcp_retransmissions.pcapng')]) {
      const [mine, theirs] = (await both(['-r', f, '-V'], ['-r', f, '-V'])).map(experts);
      assert.ok(theirs!.length > 4);
      assert.deepEqual(mine, theirs);
    }
  });

  test('-V: TCP frames byte for byte (SEQ/ACK analysis, completeness, window scaling, DS field, Data in hex)', async () => {
    // Retransmissions with their RTO and data; zero windows, probes and window updates; odd flags,
    // options, urgent pointers and refused connections, and DNS over TCP (only the Ethernet, IP and
    // TCP blocks there: their DCE/RPC and DNS records are not compared here).
    const whole = ['chrissanders-packets/tcp_retransmissions.pcapng', 'chrissanders-packets/tcp_zerowindowrecovery.pcapng'];
    const tcpBlocksOnly = ['chrissanders-packets/activeosfingerprinting.pcapng', 'chrissanders-packets/dns_tcp.pcapng'];
    const runs = await Promise.all([...whole, ...tcpBlocksOnly].map((name) => both(['-n', '-r', corpusFile(name), '-V'], ['-r', corpusFile(name), '-V'])));
    for (let i = 0; i < whole.length; i++) {
      const [mine, theirs] = runs[i]!;
      assert.ok(theirs.includes('[SEQ/ACK analysis]'), whole[i]);
      assert.equal(mine, theirs, whole[i]);
    }
    const blocks = (text: string): string[] => text.split('\n\n').flatMap((packet) => packet.split(/\n(?=\S)/).filter((b) => /^(Ethernet II|Internet Protocol|Transmission Control Protocol)/.test(b)));
    const [mine, theirs] = runs[whole.length]!.map(blocks);
    assert.ok(theirs!.some((b) => b.includes('The SYN packet does not contain a MSS option')) && theirs!.some((b) => b.includes('Reserved)')));
    assert.deepEqual(mine, theirs);
    // DNS over TCP: tcp_dissect_pdus's PDU sizes, in one segment and put together from two.
    const [mineDns, theirsDns] = runs[whole.length + 1]!.map(blocks);
    assert.ok(theirsDns!.some((b) => b.includes('[PDU Size: 1419]')));
    assert.deepEqual(mineDns, theirsDns);
  });

  test('-T fields: tcp.analysis (acknowledged frames, RTTs, bytes in flight less SACKed bytes, flags) as tshark', async () => {
    const fields = ['frame.number', 'tcp.completeness', 'tcp.window_size_scalefactor', 'tcp.analysis', 'tcp.analysis.flags', 'tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt', 'tcp.analysis.initial_rtt', 'tcp.analysis.bytes_in_flight', 'tcp.analysis.push_bytes_sent', 'tcp.analysis.rto', 'tcp.analysis.rto_frame', 'tcp.analysis.retransmission', 'tcp.analysis.spurious_retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.duplicate_ack', 'tcp.analysis.duplicate_ack_num', 'tcp.analysis.zero_window', 'tcp.analysis.window_update', 'tcp.analysis.keep_alive', 'tcp.analysis.lost_segment', 'tcp.analysis.out_of_order', '_ws.expert.message'].flatMap((f) => ['-e', f]);
    // SACKs, D-SACKs, duplicate ACKs and spurious retransmissions; the written conversation.
    const files = [corpusFile('chrissanders-packets/dns_isp_hijack.pcapng'), lossyConversation()];
    const runs = await Promise.all(files.map((f) => both(['-n', '-r', f, '-Y', 'tcp', '-T', 'fields', ...fields], ['-r', f, '-Y', 'tcp', '-T', 'fields', ...fields])));
    for (const [i, [mine, theirs]] of runs.entries()) {
      assert.match(theirs, /\t\d+\t\d+\t/, files[i]);
      // _ws.expert.message of HTTP lines aside: compare the TCP messages only.
      const tcpOnly = (text: string) => text.split('\n').map((line) => line.replace(/[^\t]*$/, (m) => m.split(',').filter((x) => !/HTTP|\\r\\n|header/.test(x)).join(',')));
      assert.deepEqual(tcpOnly(mine), tcpOnly(theirs), files[i]);
    }
  });

  test('-T json -x: each field\'s raw array before its value (TCP flags on their own bytes, no raw for generated items)', async () => {
    const f = corpusFile('chrissanders-packets/tcp_zerowindowrecovery.pcapng');
    // Without -n tshark would add resolved Ethernet names -n still lists (eth.*_resolved): left out on both sides.
    const parse = (text: string): unknown => JSON.parse(text, (key, value: unknown) => (key.includes('_resolved') ? undefined : value));
    const [mine, theirs] = (await both(['-n', '-r', f, '-T', 'json', '-x'], ['-r', f, '-T', 'json', '-x'])).map(parse);
    assert.ok(JSON.stringify(theirs).includes('"tcp.flags.cwr_raw":["0",47,1,128,2]'));
    assert.deepEqual(mine, theirs);
  });

  test('-Y: frame.time_delta_displayed counts from the previous displayed frame', async () => {
    const f = corpusFile('chrissanders-packets/dns_lab.pcapng');
    const args = ['-r', f, '-Y', 'dns.flags.response == 1', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_delta_displayed'];
    const [a, b] = await both(args, args);
    assert.equal(a, b);
  });

  test('-T json: DNS layers with their Queries, Answers and Additional records subtrees', async () => {
    const f = corpusFile('chrissanders-packets/dns_reverse_lookup.pcapng');
    type Packet = { _source: { layers: Record<string, unknown> } };
    const dns = (text: string) => (JSON.parse(text) as Packet[]).map((p) => p._source.layers.dns);
    const [mine, theirs] = (await both(['-r', f, '-T', 'json'], ['-r', f, '-T', 'json'])).map(dns);
    assert.ok(JSON.stringify(theirs).includes('"Answers"'));
    assert.deepEqual(mine, theirs);
  });
});
