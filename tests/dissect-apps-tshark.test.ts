/**
 * Application-protocol fields compared with tshark 4.0 (`tshark -r F -2 -T fields -E occurrence=a`)
 * on the shared corpus and on captures this test makes itself inside a network namespace
 * (python3 DNS responder + query, curl ↔ python3 -m http.server, openssl s_server/s_client).
 * Prints per-field agreement. Frames tshark reassembled from several TCP segments are left out:
 * Sievecap's app dissectors are segment-level for now.
 */
// test-runner: beside the others (its `lo` and 127.0.0.1 are a network namespace's own): scripts/run-tests.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareFile, formatAgreement, loadDissector, skippedReassembled, type Agreement } from './dissect-apps-compare';
import { requireCorpusDir } from './support/corpus';
import { mergeCaptures } from './support/merge';
import { sievecap } from './support/sievecap';

const FIELDS = {
  dns: 'dns.id dns.flags dns.flags.response dns.flags.opcode dns.flags.rcode dns.flags.authoritative dns.flags.truncated dns.flags.recdesired dns.flags.recavail dns.flags.authenticated dns.flags.checkdisable dns.count.queries dns.count.answers dns.count.auth_rr dns.count.add_rr dns.qry.name dns.qry.name.len dns.count.labels dns.qry.type dns.qry.class dns.resp.name dns.resp.type dns.resp.class dns.resp.ttl dns.resp.len dns.a dns.aaaa dns.cname dns.ns dns.ptr.domain_name dns.mx.mail_exchange dns.mx.preference dns.txt dns.soa.mname dns.soa.rname dns.soa.serial_number dns.soa.minimum_ttl dns.srv.priority dns.srv.weight dns.srv.port dns.srv.target dns.rr.udp_payload_size dns.resp.ext_rcode dns.resp.edns0_version dns.resp.z dns.resp.z.do dns.length',
  dhcp: 'dhcp.type dhcp.hw.type dhcp.hw.len dhcp.hops dhcp.id dhcp.secs dhcp.flags dhcp.flags.bc dhcp.ip.client dhcp.ip.your dhcp.ip.server dhcp.ip.relay dhcp.hw.mac_addr dhcp.server dhcp.file dhcp.option.type dhcp.option.length dhcp.option.dhcp dhcp.option.hostname dhcp.option.requested_ip_address dhcp.option.dhcp_server_id dhcp.option.ip_address_lease_time dhcp.option.subnet_mask dhcp.option.router dhcp.option.domain_name_server dhcp.option.domain_name dhcp.option.request_list_item dhcp.option.vendor_class_id dhcp.option.end',
  dhcpv6: 'dhcpv6.msgtype dhcpv6.xid dhcpv6.hopcount dhcpv6.linkaddr dhcpv6.peeraddr dhcpv6.option.type dhcpv6.option.length dhcpv6.duid.bytes dhcpv6.duid.type dhcpv6.duidll.hwtype dhcpv6.duidll.link_layer_addr dhcpv6.iaid dhcpv6.iaid.t1 dhcpv6.iaid.t2 dhcpv6.iaaddr.ip dhcpv6.requested_option_code dhcpv6.elapsed_time dhcpv6.status_code dhcpv6.dns_server dhcpv6.iaprefix.pref_addr',
  ntp: 'ntp.flags ntp.flags.li ntp.flags.vn ntp.flags.mode ntp.stratum ntp.ppoll ntp.precision ntp.rootdelay ntp.rootdispersion ntp.refid ntp.reftime ntp.org ntp.rec ntp.xmt',
  http: 'http.request.method http.request.uri http.request.version http.response.version http.response.code http.response.phrase http.host http.user_agent http.content_type http.content_length_header http.server http.request.line http.response.line http.request.full_uri',
  tls: 'tls.record.content_type tls.record.opaque_type tls.record.version tls.record.length tls.handshake.type tls.handshake.length tls.handshake.version tls.handshake.random tls.handshake.session_id tls.handshake.ciphersuite tls.handshake.extension.type tls.handshake.extensions_server_name tls.handshake.extensions_alpn_str tls.handshake.extensions.supported_version tls.handshake.certificate_length x509sat.uTF8String x509ce.dNSName',
};
const fields = (names: string) => names.split(' ');

function requireTools(...tools: string[]): void {
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is required for this test but is not installed (scripts/setup.sh installs it)`);
  }
}

function report(title: string, agreement: Agreement, minimum: number): void {
  const text = formatAgreement(agreement);
  console.log(`\n== ${title} vs ${tsharkVersion()} (${loadDissector() ? 'full Dissector' : 'test-only payload locator'}) ==\n${text}`);
  let equal = 0;
  let total = 0;
  for (const t of agreement.values()) { equal += t.equal; total += t.total; }
  assert.ok(total > 0, `${title}: no field values were compared`);
  assert.ok(equal / total >= minimum, `${title}: ${equal}/${total} values agree with tshark, below ${minimum * 100}%`);
}

function tsharkVersion(): string {
  return execFileSync('tshark', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
}

/** Capture files whose names match, in these folders of the shared corpus (support/corpus.ts finds it). */
function corpusFiles(patterns: RegExp, dirs: string[]): string[] {
  const corpus = requireCorpusDir();
  const out: string[] = [];
  for (const dir of dirs) {
    const full = path.join(corpus, dir);
    if (!fs.existsSync(full)) continue;
    for (const name of fs.readdirSync(full)) if (patterns.test(name) && /\.pcap(ng)?$/.test(name)) out.push(path.join(full, name));
  }
  return out.sort();
}

const CORPUS_SETS: Array<[string, RegExp, number]> = [
  ['dns', /^dns|_dns/, 0.97],
  ['dhcp', /^dhcp[-_]/, 0.98],
  ['dhcpv6', /dhcpv?6/, 0.95],
  ['ntp', /^ntp/, 0.95],
  ['http', /http/, 0.9],
];

for (const [protocol, pattern, minimum] of CORPUS_SETS) {
  test(`corpus ${protocol} fields agree with tshark`, () => {
    requireTools('tshark');
    const agreement: Agreement = new Map();
    const files = corpusFiles(pattern, ['chrissanders-packets', 'tcpdump/tests', 'dpkt/examples/data', 'gopacket/pcap', 'lwerdna-filesamples']);
    // The captures merged into one file (support/merge.ts: one tshark start, not one per capture),
    // those cut short on their own.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sievecap-apps-${protocol}-`));
    try {
      const merged = mergeCaptures(files, path.join(dir, 'corpus.pcapng'));
      for (const file of [...(merged.file ? [merged.file] : []), ...merged.apart]) compareFile(file, fields(FIELDS[protocol as keyof typeof FIELDS]), agreement);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(`${files.length} files; ${skippedReassembled.count} frames so far left out as reassembled by tshark`);
    report(`corpus ${protocol}`, agreement, minimum);
  });
}

/** Runs `body` inside a fresh network namespace with only its loopback up, capturing on that lo. */
async function captureInNamespace(name: string, body: (exec: (cmd: string, args: string[], input?: string) => void, spawnIn: (cmd: string, args: string[]) => ReturnType<typeof spawn>) => Promise<void>): Promise<string> {
  const ns = `scapps${process.pid}${name}`;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-apps-')), `${name}.pcap`);
  execFileSync('ip', ['netns', 'add', ns]);
  const children: Array<ReturnType<typeof spawn>> = [];
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    const spawnIn = (cmd: string, args: string[]) => {
      const child = spawn('ip', ['netns', 'exec', ns, 'timeout', '20', cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdout!.resume();
      children.push(child);
      return child;
    };
    const exec = (cmd: string, args: string[], input?: string) => {
      spawnSync('ip', ['netns', 'exec', ns, 'timeout', '10', cmd, ...args], { input: input ?? '', stdio: ['pipe', 'ignore', 'ignore'] });
    };
    const dump = spawnIn('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-w', file]);
    await waitFor(dump, /listening on/);
    await body(exec, spawnIn);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    spawnSync('ip', ['netns', 'del', ns]);
  }
  return file;
}

function waitFor(child: ReturnType<typeof spawn>, pattern: RegExp, what = 'tool'): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not print ${pattern} within 10 s: ${seen}`)), 10_000);
    const listen = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) { clearTimeout(timer); resolve(); }
    };
    child.stderr!.on('data', listen);
    child.stdout?.on('data', listen);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const DNS_RESPONDER = `
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 53))
for _ in range(3):
    q, peer = s.recvfrom(512)
    qend = 12
    while q[qend]: qend += q[qend] + 1
    qend += 5
    qtype = struct.unpack('>H', q[qend-4:qend-2])[0]
    hdr = q[:2] + b'\\x81\\x80' + q[4:6] + b'\\x00\\x02\\x00\\x00\\x00\\x00'
    cname = b'\\xc0\\x0c\\x00\\x05\\x00\\x01\\x00\\x00\\x0e\\x10\\x00\\x06\\x03www\\xc0\\x0c'
    if qtype == 28: ans = b'\\xc0\\x0c\\x00\\x1c\\x00\\x01\\x00\\x00\\x01\\x2c\\x00\\x10' + bytes.fromhex('20010db8000000000000000000000001')
    elif qtype == 15: ans = b'\\xc0\\x0c\\x00\\x0f\\x00\\x01\\x00\\x00\\x01\\x2c\\x00\\x09\\x00\\x0a\\x04mail\\xc0\\x0c'
    else: ans = b'\\xc0\\x0c\\x00\\x01\\x00\\x01\\x00\\x00\\x01\\x2c\\x00\\x04\\x5d\\xb8\\xd8\\x22'
    s.sendto(hdr + q[12:qend] + cname + ans, peer)
`;

test('self-made captures (DNS, HTTP, TLS in a network namespace) agree with tshark', async () => {
  requireTools('tshark', 'tcpdump', 'python3', 'curl', 'openssl', 'ip');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-apps-keys-'));
  let file: string | undefined;
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(work, 'k.pem'), '-out', path.join(work, 'c.pem'), '-days', '2',
      '-subj', '/CN=sievecap.test/O=Sievecap', '-addext', 'subjectAltName=DNS:sievecap.test,DNS:www.sievecap.test'], { stdio: 'ignore' });
    file = await captureInNamespace('mix', async (exec, spawnIn) => {
      const dns = spawnIn('python3', ['-c', DNS_RESPONDER]);
      await sleep(500);
      const query = (type: string) => `import socket,struct\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(3)\nq=struct.pack('>HHHHHH',0x1a2b,0x0100,1,0,0,0)+b'\\x07example\\x03com\\x00'+struct.pack('>HH',${type},1)\ns.sendto(q,('127.0.0.1',53));s.recvfrom(512)\n`;
      for (const type of ['1', '28', '15']) exec('python3', ['-c', query(type)]);
      dns.kill();
      const web = spawnIn('python3', ['-m', 'http.server', '8080', '--bind', '127.0.0.1', '--directory', work]);
      await waitFor(web, /Serving HTTP/, 'python3 http.server').catch(() => sleep(1000));
      // On a busy machine the server may take longer than the wait above to listen: curl retries.
      exec('curl', ['-s', '--retry', '8', '--retry-connrefused', '--retry-delay', '1', '-o', '/dev/null', 'http://127.0.0.1:8080/c.pem']);
      exec('curl', ['-s', '-o', '/dev/null', 'http://127.0.0.1:8080/missing']);
      for (const version of ['-tls1_2', '-tls1_3']) {
        // Two connections: a full handshake, then one resuming its session (TLS 1.2: the server's
        // Change Cipher Spec right after its ServerHello; TLS 1.3: a pre-shared key).
        const server = spawnIn('openssl', ['s_server', '-accept', '127.0.0.1:443', '-cert', path.join(work, 'c.pem'), '-key', path.join(work, 'k.pem'), '-alpn', 'h2,http/1.1', '-naccept', '2', version]);
        // s_server says ACCEPT once it listens (on a busy machine that can take over a second).
        await waitFor(server, /ACCEPT/, 'openssl s_server').catch(() => sleep(1000));
        const session = path.join(work, `session${version}`);
        exec('openssl', ['s_client', '-connect', '127.0.0.1:443', '-servername', 'sievecap.test', '-alpn', 'h2', '-sess_out', session, version], 'hello\n');
        await sleep(300);
        exec('openssl', ['s_client', '-connect', '127.0.0.1:443', '-servername', 'sievecap.test', '-alpn', 'h2', '-sess_in', session, version], 'hello\n');
        await sleep(300);
        server.kill();
      }
    });
    const agreement: Agreement = new Map();
    compareFile(file, [...fields(FIELDS.dns), ...fields(FIELDS.http), ...fields(FIELDS.tls)], agreement);
    for (const must of ['dns.qry.name', 'dns.a', 'dns.aaaa', 'dns.cname', 'dns.mx.mail_exchange', 'http.request.method', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str', 'x509ce.dNSName']) {
      assert.ok(agreement.get(must)?.total, `the capture should contain ${must} (tshark saw none: traffic generation failed?)`);
    }
    report('self-made capture', agreement, 0.98);
    // Every TLS frame's whole -V tree and JSON: hellos (versions, suites, extensions by name,
    // JA3/JA3S, the pre-shared key), certificates (X.509), ECDHE key exchanges, the resumption note.
    for (const format of [['-V'], ['-T', 'json']] as string[][]) {
      const tsharkTree: SpawnSyncReturns<string> = spawnSync('tshark', ['-r', file, ...format, '-Y', 'tls'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(tsharkTree.status, 0, tsharkTree.stderr);
      if (format[0] === '-V') {
        assert.match(tsharkTree.stdout, /Handshake Protocol: Client Hello[\s\S]*JA3: /);
        assert.match(tsharkTree.stdout, /signedCertificate[\s\S]*EC Diffie-Hellman Server Params[\s\S]*EC Diffie-Hellman Client Params/);
        assert.match(tsharkTree.stdout, /This session reuses previously negotiated keys \(Session resumption\)/, 'the second TLS 1.2 connection should resume the first one\'s session');
      }
      const ours = sievecap(['-r', file, ...format, '-Y', 'tls']).stdout.toString().split('\n');
      const theirs = tsharkTree.stdout.split('\n');
      const at = theirs.findIndex((line: string, k: number) => line !== ours[k]);
      assert.ok(at < 0 && ours.length === theirs.length, `${format.join(' ')} of the TLS frames differs from tshark's at line ${at + 1}: ours ${JSON.stringify(ours.slice(at, at + 3))}, tshark ${JSON.stringify(theirs.slice(at, at + 3))}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    if (file !== undefined) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
