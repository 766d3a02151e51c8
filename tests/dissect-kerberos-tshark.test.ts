/**
 * Kerberos 5 (app/dissect/kerberos.ts) against tshark 4.0: frame.protocols, the Protocol and Info
 * columns, the kerberos fields, the summary lines and display filters on kerberos fields — on the
 * corpus capture holding Kerberos (afs.pcap: AS and TGS exchanges, krb524 tickets sent to port 4444
 * in the KDC-REQ's conversation, two of them quoted in ICMP errors), on built frames (UDP messages
 * whole, cut by the snap length and cut short; TCP with the record mark cut across segments and two
 * messages in one segment), and on real traffic between network namespaces: an MIT KDC (krb5kdc)
 * in namespace B, kinit and kvno in namespace A — an AS exchange without pre-authentication, the
 * PREAUTH_REQUIRED error and the AS-REQ with PA-ENC-TIMESTAMP that follows, a wrong password
 * (PREAUTH_FAILED), a service ticket (TGS-REQ/REP with FAST armor) — over UDP and, with
 * udp_preference_limit = 1, over TCP. Skipped when tshark (or, for the live test, root, tcpdump,
 * krb5-kdc, krb5-admin-server or krb5-user) is missing; fails when the corpus is.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusDir } from './support/corpus';
import { createNetnsPair, finished, sleep, waitForStderr } from './support/netns';
import { assertFiltersAgree } from './support/agree';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { AS_REQ, KRB_ERROR, udpFrame } from './support/kerberos-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed' : false;
const has = (program: string): boolean => ['/usr/sbin', '/usr/bin'].some((dir) => fs.existsSync(path.join(dir, program)));
const NO_MIT = !(has('krb5kdc') && has('kdb5_util') && has('kadmin.local') && has('kinit') && has('kvno'))
  ? 'MIT Kerberos is not installed (apt-get install krb5-kdc krb5-admin-server krb5-user)' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-krb5-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'kerberos.rm.reserved', 'kerberos.rm.length', 'kerberos.pvno', 'kerberos.msg_type',
  'kerberos.as_req_element', 'kerberos.as_rep_element', 'kerberos.tgs_req_element', 'kerberos.tgs_rep_element', 'kerberos.ap_req_element',
  'kerberos.krb_error_element', 'kerberos.ticket_element', 'kerberos.authenticator_element', 'kerberos.padata', 'kerberos.PA_DATA_element',
  'kerberos.padata_type', 'kerberos.padata_value', 'kerberos.req_body_element', 'kerberos.kdc_options', 'kerberos.KDCOptions.forwardable',
  'kerberos.KDCOptions.renewable.ok', 'kerberos.KDCOptions.canonicalize', 'kerberos.ap_options', 'kerberos.APOptions.mutual.required',
  'kerberos.cname_element', 'kerberos.cname_string', 'kerberos.CNameString', 'kerberos.sname_element', 'kerberos.sname_string',
  'kerberos.SNameString', 'kerberos.name_type', 'kerberos.realm', 'kerberos.crealm', 'kerberos.from', 'kerberos.till', 'kerberos.rtime',
  'kerberos.nonce', 'kerberos.kdc-req-body.etype', 'kerberos.ENCTYPE', 'kerberos.addresses', 'kerberos.HostAddress_element',
  'kerberos.addr_type', 'kerberos.addr_ip', 'kerberos.enc_part_element', 'kerberos.etype', 'kerberos.kvno', 'kerberos.cipher',
  'kerberos.tkt_vno', 'kerberos.error_code', 'kerberos.stime', 'kerberos.susec', 'kerberos.e_text', 'kerberos.e_data',
  'kerberos.ETYPE_INFO2_ENTRY_element', 'kerberos.info2_salt', 'kerberos.armored_data_element', 'kerberos.req_checksum_element',
  'kerberos.cksumtype', 'kerberos.checksum', 'kerberos.enc_fast_req_element', 'kerberos.enc_fast_rep_element', 'krb4.version',
  'tcp.reassembled.length',
];
const FILTERS = [
  'kerberos', 'kerberos.msg_type == 30', 'kerberos.error_code == 25', 'kerberos.CNameString == "bob"', 'kerberos.padata_type == 2',
  'kerberos.ENCTYPE == 18', 'kerberos.KDCOptions.renewable.ok == 1', 'kerberos.ticket_element && !kerberos.msg_type', 'kerberos.rm.length > 100',
  'kerberos.e_text contains "PREAUTH"', 'kerberos.till', 'data',
];

function run(command: 'ours' | 'tshark', file: string, args: string[]): string {
  const r = command === 'tshark'
    ? spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : sievecap(['-r', file, '-n', ...(args.includes('fields') ? args : ['-T', 'text', ...args])]);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout);
}

/** Fields, summary lines (of the frames `only` selects, when given) and filters equal to tshark's. */
function compare(file: string, only?: string): string {
  const select = only === undefined ? [] : ['-Y', only];
  const fields = ['-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f]), ...select];
  const ours = run('ours', file, fields);
  assert.equal(ours, run('tshark', file, fields), 'fields');
  const summary = run('tshark', file, select);
  assert.equal(run('ours', file, select), summary, 'summary lines');
  assertFiltersAgree(file, FILTERS);
  return summary;
}

test('Kerberos in the corpus agrees with tshark (afs.pcap)', { skip: NO_TSHARK }, () => {
  const file = path.join(requireCorpusDir(), 'tcpdump/tests/afs.pcap');
  // Only the Kerberos frames: the file's AFS frames are another dissector's.
  const summary = compare(file, 'kerberos || icmp');
  for (const info of ['AS-REQ', 'AS-REP', 'TGS-REQ', 'TGS-REP']) assert.match(summary, new RegExp(`KRB5 \\d+ ${info}`), info);
});

test('built Kerberos frames agree with tshark: UDP whole, cut and short; TCP record marks across segments', { skip: NO_TSHARK }, () => {
  const req = Buffer.from(AS_REQ, 'hex');
  const err = Buffer.from(KRB_ERROR, 'hex');
  const mark = (message: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, message.length >> 8, message.length & 0xff]), message]);
  const udpFile = path.join(tmp, 'udp.pcap');
  const full = udpFrame(50000, 88, req);
  const writer = new PcapWriter(udpFile, { linkType: 1, snapLen: 65535 });
  const frames = [full, udpFrame(88, 50000, err, true), full, udpFrame(50000, 88, req.subarray(0, 120)), udpFrame(50002, 88, Buffer.from('3003020105', 'hex'))];
  // The third is cut by the snap length: 142 bytes captured of the frame.
  frames.forEach((data, k) => writer.writePacket({ tsNs: BigInt(k) * 1_000_000_000n, data: k === 2 ? data.subarray(0, 142) : data, origLen: data.length }));
  writer.close();
  const tcpFile = path.join(tmp, 'tcp.pcap');
  const a = new TcpConversation({ serverPort: 88, clientPort: 40001 }).handshake()
    .send('client', mark(req), [2, 100], true)
    .send('server', mark(err), [], true);
  const b = new TcpConversation({ serverPort: 88, clientPort: 40002 }).handshake()
    .send('client', Buffer.concat([mark(req), mark(req)]), [250], true)
    .send('server', Buffer.concat([mark(err), mark(err).subarray(0, 3)]), [], true)
    .send('server', mark(err).subarray(3), [], true);
  writeConversations(tcpFile, [a, b]);
  const summary = compare(udpFile);
  assert.match(summary, /AS-REQ\[Malformed Packet\]/);
  const tcpSummary = compare(tcpFile);
  assert.match(tcpSummary, /KRB Error: KRB5KDC_ERR_PREAUTH_REQUIRED/);
  assert.match(tcpSummary, /TCP segment of a reassembled PDU/);
});

const KDC_CONF = (dir: string, ip: string) => `[kdcdefaults]
 kdc_listen = ${ip}:88
 kdc_tcp_listen = ${ip}:88
[realms]
 EXAMPLE.TEST = {
  database_name = ${dir}/principal
  key_stash_file = ${dir}/stash
  acl_file = ${dir}/kadm5.acl
  kdc_listen = ${ip}:88
  kdc_tcp_listen = ${ip}:88
 }
[logging]
 kdc = FILE:${dir}/kdc.log
`;
const KRB5_CONF = (ip: string, udpLimit: number) => `[libdefaults]
 default_realm = EXAMPLE.TEST
 dns_lookup_kdc = false
 dns_lookup_realm = false
 rdns = false
 udp_preference_limit = ${udpLimit}
[realms]
 EXAMPLE.TEST = {
  kdc = ${ip}:88
 }
`;

test('real traffic between namespaces: an MIT KDC, kinit and kvno over UDP and TCP agree with tshark', { skip: NO_TSHARK || NOT_ROOT || NO_TCPDUMP || NO_MIT }, async () => {
  const pair = createNetnsPair();
  const dir = path.join(tmp, 'kdc');
  fs.mkdirSync(dir);
  const file = path.join(tmp, 'krb5.pcap');
  const udpConf = path.join(dir, 'krb5-udp.conf');
  const tcpConf = path.join(dir, 'krb5-tcp.conf');
  fs.writeFileSync(path.join(dir, 'kdc.conf'), KDC_CONF(dir, pair.ipB));
  fs.writeFileSync(udpConf, KRB5_CONF(pair.ipB, 1465));
  fs.writeFileSync(tcpConf, KRB5_CONF(pair.ipB, 1));
  const env = (conf: string) => ({ ...process.env, KRB5_CONFIG: conf, KRB5_KDC_PROFILE: path.join(dir, 'kdc.conf'), KRB5CCNAME: `FILE:${path.join(dir, 'ccache')}` });
  const admin = (args: string[]) => {
    const r = spawnSync(args[0]!, args.slice(1), { env: env(udpConf), encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  };
  try {
    admin(['kdb5_util', 'create', '-s', '-P', 'pass', '-r', 'EXAMPLE.TEST']);
    admin(['kadmin.local', '-q', 'addprinc -pw secret alice']);
    admin(['kadmin.local', '-q', 'addprinc -pw secret +requires_preauth bob']);
    admin(['kadmin.local', '-q', 'addprinc -randkey host/server.example.test']);
    admin(['kadmin.local', '-q', 'modprinc -requires_preauth alice']);
    const server = pair.spawn(pair.nsB, ['env', `KRB5_KDC_PROFILE=${path.join(dir, 'kdc.conf')}`, `KRB5_CONFIG=${udpConf}`, 'krb5kdc', '-n', '-P', path.join(dir, 'kdc.pid')]);
    const serverDone = finished(server);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'port 88']);
    const done = finished(td);
    const outputs: string[] = [];
    try {
      await Promise.all([waitForStderr(server, /starting/), waitForStderr(td, /listening on/)]);
      await sleep(300);
      const client = (conf: string, args: string[], input?: string) => {
        const r = spawnSync('ip', ['netns', 'exec', pair.nsA, ...args], { env: env(conf), input, encoding: 'utf8', timeout: 20000 });
        outputs.push(`${args.join(' ')} → ${r.status}: ${r.stdout}${r.stderr}`);
      };
      for (const conf of [udpConf, tcpConf]) {
        client(conf, ['kinit', 'alice'], 'secret\n');
        client(conf, ['kinit', 'bob'], 'wrong\n');
        client(conf, ['kinit', 'bob'], 'secret\n');
        client(conf, ['kvno', 'host/server.example.test']);
      }
      await sleep(500);
    } finally {
      td.kill('SIGINT');
      if (server.pid) server.kill('SIGTERM');
      await done;
      await serverDone;
    }
    assert.match(outputs.join('\n'), /kvno = 1/, outputs.join('\n'));
    const summary = compare(file);
    for (const info of ['AS-REP', 'KRB Error: KRB5KDC_ERR_PREAUTH_REQUIRED', 'KRB Error: KRB5KDC_ERR_PREAUTH_FAILED', 'TGS-REQ', 'TGS-REP']) {
      assert.match(summary, new RegExp(`KRB5 \\d+ ${info}`), `${info} in:\n${summary}`);
    }
    const protocols = run('tshark', file, ['-T', 'fields', '-e', 'frame.protocols']);
    assert.match(protocols, /udp:kerberos/);
    assert.match(protocols, /tcp:kerberos/);
  } finally {
    pair.destroy();
  }
});
