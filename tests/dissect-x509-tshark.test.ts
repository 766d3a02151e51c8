/**
 * TLS certificates' X.509 trees against tshark 4.0: certificates openssl makes here (RSA with a
 * six-attribute name, subject alternative names of DNS and IPv4, key usage and extended key usage;
 * EC P-256 with a DNS name; EC P-384 valid past 2050 (GeneralizedTime) with IPv6, e-mail and URI
 * names, a non-ASCII organisation and a path length), sent in a TLS 1.2 Certificate message over
 * TCP port 443. Compared line for line: -V, -T json, and frame.protocols (x509sat for each
 * attribute value, pkcs-1 for EC parameters, x509ce for each extension).
 */
// test-runner: beside the others (127.0.0.1 is an address in a certificate it builds): scripts/run-tests.js
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const MISSING = ['tshark', 'openssl'].filter((t) => spawnSync(t, ['version'], { stdio: 'ignore' }).error !== undefined);
const SKIP = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tshark openssl)` : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-x509-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A self-signed certificate in DER, made by openssl with these arguments. */
function certificate(name: string, args: string[]): Buffer {
  const pem = path.join(tmp, `${name}.pem`);
  const r = spawnSync('openssl', ['req', '-x509', '-nodes', '-keyout', path.join(tmp, `${name}.key`), '-out', pem, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const der = spawnSync('openssl', ['x509', '-in', pem, '-outform', 'der']);
  assert.equal(der.status, 0, der.stderr?.toString());
  return der.stdout;
}

/** A capture of one TLS 1.2 Certificate message carrying `chain`, in three TCP segments from port 443. */
function certificateCapture(file: string, chain: Buffer[]): void {
  const u24 = (n: number): Buffer => Buffer.from([(n >> 16) & 255, (n >> 8) & 255, n & 255]);
  const list = Buffer.concat(chain.map((c) => Buffer.concat([u24(c.length), c])));
  const body = Buffer.concat([u24(list.length), list]);
  const handshake = Buffer.concat([Buffer.from([11]), u24(body.length), body]);
  const record = Buffer.concat([Buffer.from([22, 3, 3, handshake.length >> 8, handshake.length & 255]), handshake]);
  const c = new TcpConversation({ serverPort: 443 });
  c.handshake().send('server', record, [1000, 2000]).ack('client');
  writeConversations(file, [c]);
}

test('certificates in a TLS handshake: X.509 trees, -T json and frame.protocols as tshark\'s', { skip: SKIP }, () => {
  const rsa = certificate('rsa', ['-newkey', 'rsa:2048', '-days', '30', '-subj', '/C=US/ST=California/O=Sievecap Test/OU=Dev/CN=rsa.example.test/emailAddress=admin@example.test',
    '-addext', 'subjectAltName=DNS:rsa.example.test,DNS:www.example.test,IP:127.0.0.1', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', '-addext', 'extendedKeyUsage=serverAuth,clientAuth']);
  const ec = certificate('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-days', '2', '-subj', '/CN=www.example.test', '-addext', 'subjectAltName=DNS:www.example.test']);
  const long = certificate('long', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-days', '10000', '-subj', '/C=DE/O=Zürich Test GmbH/CN=long.example.test',
    '-addext', 'subjectAltName=IP:::1,IP:fd00:50::2,email:a@b.test,URI:https://example.test/x', '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:2']);
  for (const [name, chain] of [['rsa', [rsa]], ['ec', [ec]], ['chain', [long, rsa]]] as const) {
    const file = path.join(tmp, `${name}.pcap`);
    certificateCapture(file, [...chain]);
    const tree = tshark(['-r', file, '-V']);
    assert.match(tree, /signedCertificate[\s\S]*extensions: \d+ items?/, `${name}: tshark shows the certificate's tree`);
    assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tree, `${name}: -V`);
    assert.equal(sievecap(['-r', file, '-T', 'json']).stdout.toString(), tshark(['-r', file, '-T', 'json']), `${name}: -T json`);
    const fields = ['-T', 'fields', '-e', 'frame.protocols', '-e', 'x509sat.uTF8String', '-e', 'x509ce.dNSName', '-e', 'x509af.utcTime', '-e', 'x509ce.KeyPurposeId', '-e', 'pkcs1.namedCurve'];
    assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]), `${name}: fields`);
    assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]), `${name}: summary lines`);
  }
});
