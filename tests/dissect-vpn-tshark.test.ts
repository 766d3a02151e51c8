/**
 * WireGuard (wg) and OpenVPN against tshark 4.0: frame.protocols, Protocol, Info, the protocols'
 * fields, `-T text` summary lines and display filters — on built frames (tests/support/vpn-frames.ts:
 * every message type, fragments, cut and malformed messages, OpenVPN over TCP across segments, TLS
 * bytes that look like SSLv2 record headers, which tshark reads as SSLv2) and
 * on real traffic between network namespaces: WireGuard peers (the kernel's when it has the module,
 * else Debian's wireguard-go) on port 51820 and on other ports (tshark finds WireGuard by a
 * heuristic only) with a ping through the tunnel, keepalives every second; OpenVPN peers (Debian's
 * openvpn) in TLS mode over UDP and TCP, with tls-auth, with tls-crypt, and a static key, each with
 * a ping through the tunnel. The shared corpus holds no WireGuard or OpenVPN traffic (tshark finds
 * none in it). Skipped when tshark (or, for the live tests, root, tcpdump, wireguard-tools,
 * wireguard-go/openvpn, /dev/net/tun) is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { artifactDir } from './support/browser';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';
import { assertFiltersAgree } from './support/agree';
import { sievecap } from './support/sievecap';
import { writeConversations } from './support/tcp-frames';
import { openvpnSslv2LookalikeFrames, openvpnTcpConversation, openvpnTcpFencesConversation, openvpnUdpFrames, wireguardFrames, writeBuiltFrames } from './support/vpn-frames';

const has = (cmd: string, args: string[]): boolean => spawnSync(cmd, args).status === 0;
const NO_TSHARK = !has('tshark', ['--version']) ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;
const NO_TCPDUMP = !has('tcpdump', ['--version']) ? 'tcpdump is not installed' : false;
const NO_WG = !has('wg', ['--version']) ? 'wireguard-tools is not installed (apt-get install wireguard-tools)' : false;
const NO_TUN = !fs.existsSync('/dev/net/tun') ? '/dev/net/tun is missing' : false;
const NO_WG_GO = !has('wireguard-go', ['--version']) ? 'wireguard-go is not installed (apt-get install wireguard-go)' : false;
const NO_OPENVPN = !has('openvpn', ['--version']) ? 'openvpn is not installed (apt-get install openvpn)' : false;
const NO_OPENSSL = !has('openssl', ['version']) ? 'openssl is not installed' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-vpn-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const WG_FIELDS = [
  'wg.type', 'wg.reserved', 'wg.sender', 'wg.receiver', 'wg.ephemeral', 'wg.ephemeral.known_privkey', 'wg.encrypted_static', 'wg.encrypted_timestamp',
  'wg.mac1', 'wg.mac2', 'wg.encrypted_empty', 'wg.nonce', 'wg.encrypted_cookie', 'wg.counter', 'wg.encrypted_packet', 'wg.stream', 'wg.response_in',
  'wg.response_to', 'wg.keepalive', 'wg.bad_packet_length', 'wg.handshake_ok',
];
const OPENVPN_FIELDS = [
  'openvpn.plen', 'openvpn.type', 'openvpn.opcode', 'openvpn.keyid', 'openvpn.peerid', 'openvpn.sessionid', 'openvpn.hmac', 'openvpn.pid', 'openvpn.net_time',
  'openvpn.mpidarraylength', 'openvpn.mpidarrayelement', 'openvpn.rsessionid', 'openvpn.mpid', 'openvpn.data', 'openvpn.fragment_bytes', 'openvpn.fragments',
  'openvpn.fragment', 'openvpn.fragment.count', 'openvpn.reassembled.length', 'openvpn.wkc', 'openvpn.wkc_len',
  'tls.record.content_type', 'tls.record.length', 'tls.handshake.type', 'data.data', 'tcp.reassembled.length',
];
const COMMON = ['frame.number', 'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'udp.length'];

function run(command: 'ours' | 'tshark', file: string, args: string[]): string {
  const r = command === 'tshark'
    ? spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : sievecap(['-r', file, '-n', ...(args.includes('fields') ? args : ['-T', 'text', ...args])]);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout);
}

function compare(file: string, fields: string[], filters: readonly string[]): void {
  const args = ['-T', 'fields', '-E', 'header=y', ...[...COMMON, ...fields].flatMap((f) => ['-e', f])];
  assert.equal(run('ours', file, args), run('tshark', file, args), `${path.basename(file)}: fields`);
  assert.equal(run('ours', file, []), run('tshark', file, []), `${path.basename(file)}: summary lines`);
  assertFiltersAgree(file, filters);
}

const WG_FILTERS = ['wg', 'wg.type == 4', 'wg.keepalive', 'wg.stream == 1', 'wg.response_to', 'wg.reserved != 00:00:00', 'wg.counter > 1', 'udp && !wg'];
const OPENVPN_FILTERS = ['openvpn', 'openvpn.opcode == 0x04', 'openvpn.mpidarrayelement == 1', 'openvpn.hmac', 'openvpn.fragment', 'tls', 'openvpn && !tls', 'tls.handshake.type == 1'];

test('built WireGuard and OpenVPN frames agree with tshark', { skip: NO_TSHARK }, () => {
  const wg = path.join(tmp, 'built-wg.pcap');
  writeBuiltFrames(wg, wireguardFrames());
  compare(wg, WG_FIELDS, WG_FILTERS);
  const udp = path.join(tmp, 'built-openvpn-udp.pcap');
  writeBuiltFrames(udp, openvpnUdpFrames());
  compare(udp, OPENVPN_FIELDS, OPENVPN_FILTERS);
  const sslv2 = path.join(tmp, 'built-openvpn-sslv2-lookalike.pcap');
  writeBuiltFrames(sslv2, openvpnSslv2LookalikeFrames());
  compare(sslv2, [...OPENVPN_FIELDS, 'tls.record.version'], ['tls', 'tls.record.version == 0x0002', 'openvpn && !tls']);
  const tcp = path.join(tmp, 'built-openvpn-tcp.pcap');
  writeConversations(tcp, [openvpnTcpConversation(), openvpnTcpFencesConversation()]);
  compare(tcp, OPENVPN_FIELDS, [...OPENVPN_FILTERS, 'openvpn.plen > 30', 'tcp.reassembled.length']);
});

/** Starts a capture of UDP and TCP on the pair's veth in namespace A; resolves once tcpdump listens. */
async function capture(pair: NetnsPair, file: string): Promise<{ stop: () => Promise<void> }> {
  const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'udp or tcp']);
  const done = finished(td);
  await waitForStderr(td, /listening on/);
  return {
    stop: async () => {
      td.kill('SIGINT');
      await done;
    },
  };
}

function killAll(children: ChildProcess[]): Promise<unknown> {
  const waits = children.map((c) => finished(c));
  for (const c of children) if (c.pid && c.exitCode === null) c.kill('SIGTERM');
  return Promise.all(waits);
}

/** A bounded ping from namespace A to `ip`. */
function ping(pair: NetnsPair, ip: string, count = 3): string {
  const r = spawnSync('ip', ['netns', 'exec', pair.nsA, 'ping', '-c', String(count), '-i', '0.3', '-W', '2', ip], { encoding: 'utf8', timeout: 20000 });
  return `${r.stdout}${r.stderr}`;
}

/** Whether this kernel can make WireGuard links (else wireguard-go's userspace device). */
function kernelWireguard(pair: NetnsPair): boolean {
  const r = spawnSync('ip', ['-n', pair.nsA, 'link', 'add', 'wgprobe', 'type', 'wireguard'], { encoding: 'utf8' });
  if (r.status !== 0) return false;
  spawnSync('ip', ['-n', pair.nsA, 'link', 'del', 'wgprobe']);
  return true;
}

test('real traffic between namespaces: WireGuard peers agree with tshark', { skip: NO_TSHARK || NOT_ROOT || NO_TCPDUMP || NO_WG || NO_TUN }, async (t) => {
  const pair = createNetnsPair();
  const children: ChildProcess[] = [];
  try {
    const kernel = kernelWireguard(pair);
    if (!kernel && NO_WG_GO) {
      t.skip(`no WireGuard in this kernel and ${NO_WG_GO}`);
      return;
    }
    const keys = ['a', 'b'].map((side) => {
      const priv = spawnSync('wg', ['genkey'], { encoding: 'utf8' }).stdout.trim();
      const pub = spawnSync('wg', ['pubkey'], { input: `${priv}\n`, encoding: 'utf8' }).stdout.trim();
      const file = path.join(tmp, `wg-${side}.key`);
      fs.writeFileSync(file, `${priv}\n`, { mode: 0o600 });
      return { file, pub };
    });
    // Unique names: wireguard-go's control sockets (/var/run/wireguard/NAME.sock) are shared by all namespaces.
    const names = [`scwg${process.pid % 100000}a`, `scwg${process.pid % 100000}b`];
    const ns = [pair.nsA, pair.nsB];
    for (let i = 0; i < 2; i++) {
      if (kernel) pair.exec(ns[i]!, ['ip', 'link', 'add', names[i]!, 'type', 'wireguard']);
      else {
        const dev = pair.spawn(ns[i]!, ['wireguard-go', '-f', names[i]!]);
        children.push(dev);
        for (let k = 0; k < 50 && spawnSync('ip', ['-n', ns[i]!, 'link', 'show', names[i]!]).status !== 0; k++) await sleep(100);
      }
    }
    const tunnel = ['10.78.0.1', '10.78.0.2'];
    const runs: Array<{ ports: [number, number]; file: string }> = [
      { ports: [51820, 51820], file: path.join(tmp, 'wg-51820.pcap') },
      { ports: [43210, 43211], file: path.join(tmp, 'wg-other-ports.pcap') },
    ];
    for (const { ports, file } of runs) {
      for (let i = 0; i < 2; i++) {
        const peer = 1 - i;
        pair.exec(ns[i]!, [
          'wg', 'set', names[i]!, 'private-key', keys[i]!.file, 'listen-port', String(ports[i]), 'peer', keys[peer]!.pub,
          'endpoint', `${[pair.ipA, pair.ipB][peer]}:${ports[peer]}`, 'allowed-ips', `${tunnel[peer]}/32`, ...(i === 0 ? ['persistent-keepalive', '1'] : []),
        ]);
        spawnSync('ip', ['-n', ns[i]!, 'addr', 'replace', `${tunnel[i]}/24`, 'dev', names[i]!]);
        pair.exec(ns[i]!, ['ip', 'link', 'set', names[i]!, 'up']);
      }
      const cap = await capture(pair, file);
      let out = '';
      try {
        // wireguard-go may not read its tun device yet when the link is up: ping again (bounded).
        for (let attempt = 0; attempt < 5; attempt++) {
          out = ping(pair, tunnel[1]!);
          if (/ [1-9]\d* received/.test(out)) break;
          await sleep(500);
        }
        await sleep(2500); // a keepalive or two
      } finally {
        await cap.stop();
        // Forget the peers (new sessions next run).
        for (let i = 0; i < 2; i++) spawnSync('ip', ['netns', 'exec', ns[i]!, 'wg', 'set', names[i]!, 'peer', keys[1 - i]!.pub, 'remove'], { timeout: 10000 });
      }
      const summary = run('tshark', file, []);
      for (const kind of ['Handshake Initiation', 'Handshake Response', 'Transport Data', 'Keepalive']) assert.match(summary, new RegExp(kind), `no ${kind} in ${path.basename(file)} (ping: ${out}):\n${summary}`);
      compare(file, WG_FIELDS, WG_FILTERS);
    }
  } finally {
    await killAll(children);
    pair.destroy();
  }
});

/** A tiny CA and server/client certificates (EC P-256) for OpenVPN's TLS mode. */
function makePki(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const ssl = (args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 0, r.stderr);
  };
  ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=sievecap-test-ca']);
  for (const [name, usage] of [['server', 'serverAuth'], ['client', 'clientAuth']] as const) {
    ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=sievecap-test-${name}`]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `extendedKeyUsage=${usage}\nkeyUsage=digitalSignature,keyAgreement\n`);
    ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  }
  for (const name of ['ta.key', 'static.key']) {
    const r = spawnSync('openvpn', ['--genkey', 'secret', path.join(dir, name)], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 0, r.stderr);
  }
}

test('real traffic between namespaces: OpenVPN peers agree with tshark', { skip: NO_TSHARK || NOT_ROOT || NO_TCPDUMP || NO_OPENVPN || NO_OPENSSL || NO_TUN }, async () => {
  const pki = path.join(tmp, 'pki');
  makePki(pki);
  const k = (name: string): string => path.join(pki, name);
  const tls = {
    server: ['--tls-server', '--ca', k('ca.crt'), '--cert', k('server.crt'), '--key', k('server.key'), '--dh', 'none'],
    client: ['--tls-client', '--ca', k('ca.crt'), '--cert', k('client.crt'), '--key', k('client.key'), '--remote-cert-tls', 'server'],
  };
  // What tshark must show for the capture to be worth comparing. With tls-auth, tshark finds the
  // HMAC's length by a guess over bytes that are random (packet-id, HMAC), so its Client Hello is
  // sometimes a TLS "Continuation Data": the comparison then checks Sievecap makes the same guess.
  const modes: Array<{ name: string; proto: 'udp' | 'tcp'; server: string[]; client: string[]; expect: RegExp }> = [
    { name: 'tls-udp', proto: 'udp', ...tls, expect: /Client Hello/ },
    { name: 'tls-tcp', proto: 'tcp', ...tls, expect: /Client Hello/ },
    { name: 'tls-auth-udp', proto: 'udp', server: [...tls.server, '--tls-auth', k('ta.key'), '0'], client: [...tls.client, '--tls-auth', k('ta.key'), '1'], expect: /P_CONTROL_HARD_RESET_CLIENT_V2/ },
    { name: 'tls-crypt-udp', proto: 'udp', server: [...tls.server, '--tls-crypt', k('ta.key')], client: [...tls.client, '--tls-crypt', k('ta.key')], expect: /P_DATA_V2/ },
    { name: 'static-key-udp', proto: 'udp', server: ['--secret', k('static.key'), '0', '--cipher', 'AES-256-CBC'], client: ['--secret', k('static.key'), '1', '--cipher', 'AES-256-CBC'], expect: /OpenVPN/ },
  ];
  for (const mode of modes) {
    const pair = createNetnsPair();
    const children: ChildProcess[] = [];
    const file = path.join(tmp, `openvpn-${mode.name}.pcap`);
    let client = '';
    try {
      const common = ['--dev-type', 'tun', '--verb', '3', '--connect-retry', '1'];
      const proto = mode.proto === 'tcp' ? ['tcp-server', 'tcp-client'] : ['udp', 'udp'];
      const cap = await capture(pair, file);
      try {
        const server = pair.spawn(pair.nsB, ['openvpn', ...common, '--dev', `scovpn${process.pid % 10000}b`, '--ifconfig', '10.79.0.2', '10.79.0.1',
          '--local', pair.ipB, '--lport', '1194', '--proto', proto[0]!, ...mode.server]);
        children.push(server);
        let serverLog = '';
        server.stdout?.on('data', (c: Buffer) => (serverLog += c.toString()));
        await sleep(300);
        const peer = pair.spawn(pair.nsA, ['openvpn', ...common, '--dev', `scovpn${process.pid % 10000}a`, '--ifconfig', '10.79.0.1', '10.79.0.2',
          '--remote', pair.ipB, '1194', '--nobind', '--proto', proto[1]!, ...mode.client]);
        children.push(peer);
        let log = '';
        peer.stdout?.on('data', (c: Buffer) => (log += c.toString()));
        // Both ends up (bounded: 30 s, for a loaded machine).
        const up = (text: string): boolean => /Initialization Sequence Completed/.test(text);
        for (let i = 0; i < 300 && !(up(log) && up(serverLog)) && peer.exitCode === null && server.exitCode === null; i++) await sleep(100);
        assert.ok(up(log) && up(serverLog), `${mode.name}: the tunnel did not come up:\n${log}\n${serverLog}`);
        client = ping(pair, '10.79.0.2');
        await sleep(300);
      } finally {
        await killAll(children);
        await cap.stop();
      }
      assert.match(client, / [1-9]\d* received/, `${mode.name}: ${client}`);
      const summary = run('tshark', file, []);
      assert.match(summary, mode.expect, `${mode.name}:\n${summary}`);
      try {
        compare(file, OPENVPN_FIELDS, OPENVPN_FILTERS.slice(0, 3));
      } catch (err) {
        // Real traffic differs run to run (cipher bytes): keep a capture that disagrees, to study it.
        fs.copyFileSync(file, path.join(artifactDir('vpn'), path.basename(file)));
        throw err;
      }
    } finally {
      pair.destroy();
    }
  }
});
