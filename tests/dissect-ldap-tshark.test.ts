/**
 * LDAP and CLDAP (app/dissect/ldap.ts) against tshark 4.0: every frame's frame.protocols,
 * Protocol and Info, all of tshark's ldap.* fields (but the Active Directory ones), the -T text
 * summary lines, the LDAP trees of -V and display filters on LDAP fields — on built frames (every
 * operation, filters of every kind, controls, malformed BER, CLDAP over UDP, a message over three
 * segments) and on real traffic between network namespaces: Debian's slapd (in nsB, a temporary
 * mdb database for dc=example,dc=org) and ldap-utils' clients in nsA (ldapadd of entries, one of
 * 150 kB so that messages span segments both ways, anonymous and simple-bind searches with
 * filters, a paged search, ldapmodify with a modrdn, ldapcompare, ldapdelete, ldapwhoami and
 * ldappasswd extended operations, a refused StartTLS and a bind with a wrong password).
 * The shared corpus holds no LDAP or CLDAP capture (none of its files has either in tshark's
 * frame.protocols), so these are the captures compared. Skipped when tshark (or, for the live
 * test, root, tcpdump, slapd or ldap-utils) is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LDAP_FRAMES, splitFrames } from '../app/dissect/ldap-test-frames';
import { writePcap } from './support/frames';
import { createNetnsPair, finished, sleep, waitForStderr } from './support/netns';
import { assertFiltersAgree } from './support/agree';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed' : false;
const NO_SLAPD = !fs.existsSync('/usr/sbin/slapd') ? 'slapd is not installed (apt-get install slapd)' : false;
const NO_LDAP_UTILS = spawnSync('ldapsearch', ['-VV']).error !== undefined ? 'ldap-utils is not installed (apt-get install ldap-utils)' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-ldap-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** tshark's ldap.* fields but the Active Directory ones (SIDs, GUIDs, access masks, Netlogon). */
let fieldNames: string[] | undefined;
function ldapFields(): string[] {
  if (fieldNames !== undefined) return fieldNames;
  const r = spawnSync('tshark', ['-G', 'fields'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  fieldNames = r.stdout.split('\n').map((line) => line.split('\t')).filter((f) => f[4] === 'ldap' && !/^ldap\.(AccessMask|sid$|guid$)/.test(f[2]!)).map((f) => f[2]!);
  return fieldNames;
}

const FILTERS = ['cldap', 'ldap.protocolOp == 4', 'ldap.resultCode == 49', 'ldap.filter == 0', 'ldap.baseObject contains "example"', 'ldap.requestName', 'ldap.type == "description"'];

function run(command: 'ours' | 'tshark', file: string, args: string[]): string {
  const r = command === 'tshark'
    ? spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : sievecap(['-r', file, '-n', ...(args.includes('fields') || args.includes('-V') ? args : ['-T', 'text', ...args])]);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout);
}

/** The LDAP and CLDAP trees of -V output (the other layers are other dissectors' business). */
function ldapTrees(text: string): string {
  const out: string[] = [];
  let on = false;
  for (const line of text.split('\n')) {
    if (/^(Connectionless )?Lightweight Directory Access Protocol/.test(line)) on = true;
    else if (line === '' || !line.startsWith(' ')) on = false;
    // The mark of an exception is drawn by the tree printer, not by this dissector (tshark: its own item).
    if (on && !/^\s+\[(Malformed Packet|Packet size limited during capture):/.test(line)) out.push(line);
  }
  return out.join('\n');
}

function assertAgrees(file: string): void {
  const fields = ['-T', 'fields', '-E', 'header=y', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info',
    '-e', 'tcp.reassembled.length', ...ldapFields().flatMap((f) => ['-e', f])];
  assert.equal(run('ours', file, fields), run('tshark', file, fields), 'fields');
  assert.equal(run('ours', file, []), run('tshark', file, []), 'summary lines');
  assert.equal(ldapTrees(run('ours', file, ['-V', '-Y', 'ldap || cldap'])), ldapTrees(run('tshark', file, ['-V', '-Y', 'ldap || cldap'])), 'LDAP trees');
  assertFiltersAgree(file, FILTERS);
}

test('built LDAP and CLDAP frames agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, [...Object.values(LDAP_FRAMES), ...splitFrames()]);
  const summary = run('tshark', file, []);
  assert.match(summary, /CLDAP/);
  assert.match(summary, /\[Malformed Packet\]/);
  assertAgrees(file);
});

const SLAPD_CONF = `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile DIR/slapd.pid
argsfile DIR/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 104857600
suffix "dc=example,dc=org"
rootdn "cn=admin,dc=example,dc=org"
rootpw secret
directory DIR/db
`;

function entries(): string {
  const out = [
    'dn: dc=example,dc=org\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n',
    'dn: ou=people,dc=example,dc=org\nobjectClass: organizationalUnit\nou: people\n',
    'dn: cn=alice,ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\ncn: alice\nsn: Liddell\nmail: alice@example.org\n',
    'dn: cn=arthur,ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\ncn: arthur\nsn: Dent\n',
  ];
  for (let i = 0; i < 40; i++) out.push(`dn: cn=user${String(i).padStart(3, '0')},ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\ncn: user${String(i).padStart(3, '0')}\nsn: Number ${i}\ndescription: ${'x'.repeat(80)}\n`);
  // 150 kB: more than a veth GSO segment can carry, so the message spans segments.
  out.push(`dn: cn=big,ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\ncn: big\nsn: Big\ndescription: ${'y'.repeat(150000)}\n`);
  return out.join('\n');
}

const MODIFY = `dn: cn=alice,ou=people,dc=example,dc=org
changetype: modify
replace: mail
mail: alice@wonderland.example
-
add: telephoneNumber
telephoneNumber: +1 555 0100

dn: cn=arthur,ou=people,dc=example,dc=org
changetype: modrdn
newrdn: cn=arthur2
deleteoldrdn: 1
`;

/** The clients, in namespace A; every command bounded by `timeout`. */
const CLIENT = `
set -u
H=ldap://IP_B/
ADMIN="-x -H $H -D cn=admin,dc=example,dc=org -w secret"
T="timeout 20"
$T ldapadd $ADMIN -f DIR/entries.ldif > /dev/null
$T ldapsearch -x -H $H -b dc=example,dc=org "(&(objectClass=person)(cn=a*))" cn mail > /dev/null
$T ldapsearch $ADMIN -b ou=people,dc=example,dc=org -s one "(|(sn=Number 1*)(!(cn=user0*))(description=*x*)(cn>=user030)(cn<=b)(cn~=alise))" cn sn > /dev/null
$T ldapsearch -x -H $H -b dc=example,dc=org "(cn=big)" > /dev/null
$T ldapsearch -x -H $H -b ou=people,dc=example,dc=org -E pr=15/noprompt "(objectClass=person)" cn > /dev/null
$T ldapmodify $ADMIN -f DIR/modify.ldif > /dev/null
$T ldapcompare $ADMIN cn=alice,ou=people,dc=example,dc=org sn:Liddell > /dev/null
$T ldapdelete $ADMIN cn=user039,ou=people,dc=example,dc=org
$T ldapwhoami $ADMIN > /dev/null
$T ldappasswd $ADMIN -s newpass cn=alice,ou=people,dc=example,dc=org
$T ldapwhoami -x -H $H -D cn=admin,dc=example,dc=org -w wrong > /dev/null 2>&1
$T ldapsearch -x -H $H -ZZ -b dc=example,dc=org "(cn=alice)" > /dev/null 2>&1
$T ldapsearch -x -H $H -b dc=example,dc=org -s base -z 5 -l 7 -A "(objectClass=*)" 1.1 > /dev/null
echo done
`;

test('real traffic between namespaces: slapd and ldap-utils agree with tshark', { skip: NO_TSHARK || NOT_ROOT || NO_TCPDUMP || NO_SLAPD || NO_LDAP_UTILS }, async () => {
  const pair = createNetnsPair();
  const dir = path.join(tmp, 'slapd');
  fs.mkdirSync(path.join(dir, 'db'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'slapd.conf'), SLAPD_CONF.replaceAll('DIR', dir));
  fs.writeFileSync(path.join(dir, 'entries.ldif'), entries());
  fs.writeFileSync(path.join(dir, 'modify.ldif'), MODIFY);
  const file = path.join(tmp, 'ldap.pcap');
  try {
    const server = pair.spawn(pair.nsB, ['/usr/sbin/slapd', '-d', '0', '-h', `ldap://${pair.ipB}/`, '-f', path.join(dir, 'slapd.conf')]);
    const serverDone = finished(server);
    let client = '';
    try {
      // slapd says nothing when it is ready: ask it (bounded), before the capture starts.
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) {
        ready = spawnSync('ip', ['netns', 'exec', pair.nsA, 'ldapwhoami', '-x', '-H', `ldap://${pair.ipB}/`], { timeout: 5000 }).status === 0;
        if (!ready) await sleep(100);
      }
      assert.ok(ready, 'slapd did not answer');
      const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'port', '389']);
      const done = finished(td);
      try {
        await waitForStderr(td, /listening on/);
        await sleep(300);
        const r = spawnSync('ip', ['netns', 'exec', pair.nsA, 'sh', '-c', CLIENT.replaceAll('IP_B', pair.ipB).replaceAll('DIR', dir)], { timeout: 120000, encoding: 'utf8' });
        client = `${r.stdout}${r.stderr}`;
        await sleep(500);
      } finally {
        td.kill('SIGINT');
        await done;
      }
    } finally {
      if (server.pid) server.kill('SIGTERM');
      await serverDone;
    }
    assert.match(client, /done/, client);
    const summary = run('tshark', file, []);
    for (const expected of ['bindResponse(1) invalidCredentials', 'LDAP_START_TLS_OID', 'passwdModifyOID', 'searchResDone(2) success', 'modDNRequest(3)', 'compareResponse(2) compareTrue', 'TCP segment of a reassembled PDU']) {
      assert.ok(summary.includes(expected), `no "${expected}" in:\n${summary}`);
    }
    assertAgrees(file);
  } finally {
    pair.destroy();
  }
});
