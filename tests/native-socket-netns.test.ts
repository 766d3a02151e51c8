/**
 * The native PacketSocket inside network namespaces the test creates: on a veth whose far end sits
 * in a namespace (802.1Q and 802.1ad tags stripped by the kernel come back exactly as `tcpdump -w`
 * writes them; outgoing frames are flagged outbound), on a veth that is down (ENETDOWN), and on
 * 'any' inside a fresh namespace (LINUX_SLL2 exactly as `tcpdump -y LINUX_SLL2` writes it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native } from '../app/capture/native';
import { finished, waitForStderr } from './support/netns';
import {
  addonPath, capture, containing, parseEpbs, parsePcapRecords, readPcapFile, sameFrames, waitFor, waitForTcpdumpFile,
} from './native-capture-helpers';

const n = native();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-socket-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('PacketSocket on a veth with VLAN-tagged traffic', () => {
  const id = `${process.pid % 100000}`;
  const ns = `scnat${id}`;
  const vethRoot = `scnr${id}`;
  const vethNs = `scnn${id}`;
  const run = (...args: string[]) => execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

  before(() => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (network namespaces, AF_PACKET)');
    run('ip', 'netns', 'add', ns);
    run('ip', 'link', 'add', vethRoot, 'type', 'veth', 'peer', 'name', vethNs, 'netns', ns);
    // The root end gets no address and no IPv6: it sends nothing and routes nothing.
    run('sysctl', '-qw', `net.ipv6.conf.${vethRoot}.disable_ipv6=1`);
    run('ip', 'link', 'set', vethRoot, 'up');
    run('ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1');
    run('ip', '-n', ns, 'link', 'set', vethNs, 'up');
  });

  after(() => {
    try {
      run('ip', 'netns', 'del', ns); // deletes the veth pair with it
    } catch {
      // never created
    }
  });

  /** An Ethernet frame to the root end: optional VLAN tags (outermost first), IPv4/UDP, payload. */
  function frame(dstMac: string, tags: Array<[tpid: number, tci: number]>, payload: string, srcMac = '02:00:00:5c:00:02'): Buffer {
    const mac = (m: string) => Buffer.from(m.replace(/:/g, ''), 'hex');
    const vlan = Buffer.concat(tags.map(([tpid, tci]) => Buffer.from([tpid >> 8, tpid & 255, tci >> 8, tci & 255])));
    const body = Buffer.from(payload);
    const ip = Buffer.alloc(28);
    ip.writeUInt16BE(0x4500, 0);
    ip.writeUInt16BE(28 + body.length, 2);
    ip.writeUInt8(64, 8);
    ip.writeUInt8(17, 9);
    ip.writeUInt32BE(0x0a5a0002, 12); // 10.90.0.2 -> 10.90.0.1: nobody here owns them
    ip.writeUInt32BE(0x0a5a0001, 16);
    ip.writeUInt16BE(40000, 20);
    ip.writeUInt16BE(9999, 22);
    ip.writeUInt16BE(8 + body.length, 24);
    return Buffer.concat([mac(dstMac), mac(srcMac), vlan, Buffer.from([0x08, 0x00]), ip, body]);
  }

  function writePcap(file: string, frames: Buffer[]): void {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(1, 20);
    const records = frames.map((f) => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(f.length, 8);
      h.writeUInt32LE(f.length, 12);
      return Buffer.concat([h, f]);
    });
    fs.writeFileSync(file, Buffer.concat([header, ...records]));
  }

  test('stripped 802.1Q / 802.1ad tags are re-inserted exactly as tcpdump -w writes them', async () => {
    const rootMac = fs.readFileSync(`/sys/class/net/${vethRoot}/address`, 'utf8').trim();
    const marker = `sievecap-vlan-${process.pid}-`;
    const frames: Buffer[] = [];
    for (let i = 0; i < 4; i++) {
      frames.push(frame(rootMac, [[0x8100, 0x600a]], `${marker}dot1q${i}`)); // priority 3, VLAN 10
      frames.push(frame(rootMac, [[0x88a8, 0x0014], [0x8100, 0x000a]], `${marker}qinq${i}`)); // S-tag 20, C-tag 10
      frames.push(frame(rootMac, [], `${marker}plain${i}`));
    }
    const replayFile = path.join(tmp, 'vlan-replay.pcap');
    writePcap(replayFile, frames);
    // Frames the root end sends into the namespace: outgoing on the captured interface.
    const nsMac = run('ip', 'netns', 'exec', ns, 'cat', `/sys/class/net/${vethNs}/address`).trim();
    const outgoing = [frame(nsMac, [], `${marker}out0`, rootMac), frame(nsMac, [[0x8100, 0x000b]], `${marker}out1`, rootMac)];
    const outgoingFile = path.join(tmp, 'outgoing.pcap');
    writePcap(outgoingFile, outgoing);

    const tcpdump = spawn('tcpdump', ['-i', vethRoot, '-w', path.join(tmp, 'veth.pcap'), '-U', '-s', '262144'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await waitForStderr(tcpdump, /listening on/);
      const cap = capture({ interface: vethRoot, snapLen: 262144, retireTimeoutMs: 20 });
      run('ip', 'netns', 'exec', ns, 'tcpreplay', '-q', '-i', vethNs, replayFile);
      run('tcpreplay', '-q', '-i', vethRoot, outgoingFile);
      const all = frames.length + outgoing.length;
      await waitFor(() => containing(cap.batches.flatMap((b) => parseEpbs(b.batch)), marker).length >= all, 'the capture');
      const batches = await cap.stop();
      const reference = await waitForTcpdumpFile(path.join(tmp, 'veth.pcap'), marker, all);
      tcpdump.kill('SIGINT');
      assert.equal((await finished(tcpdump)).code, 0);

      const ours = containing(batches.flatMap((b) => parseEpbs(b.batch)), marker);
      assert.equal(ours.length, all);
      assert.equal(reference.length, all, 'tcpdump saw every frame');
      sameFrames(ours, reference);
      // What went on the wire is what both tools show: the tag is back where it was.
      assert.deepEqual(ours.map((r) => r.data.toString('hex')), [...frames, ...outgoing].map((f) => f.toString('hex')));
      assert.deepEqual(ours.map((r) => r.flags), [...frames.map(() => 1), ...outgoing.map(() => 2)], 'epb_flags direction');
    } finally {
      if (tcpdump.exitCode === null) tcpdump.kill('SIGKILL');
    }
  });

  test('start() on an interface that is down throws ENETDOWN', () => {
    run('ip', 'link', 'set', vethRoot, 'down');
    const s = new n.PacketSocket({ interface: vethRoot, snapLen: 100 });
    try {
      assert.throws(
        () => s.start(() => {}),
        (err: NodeJS.ErrnoException) => err.code === 'ENETDOWN' && err.message.includes(`interface '${vethRoot}' is down`),
      );
    } finally {
      void s.close();
    }
  });
});

describe("PacketSocket on 'any' (inside a namespace of its own)", () => {
  const ns = `scany${process.pid % 100000}`;
  before(() => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (network namespaces, AF_PACKET)');
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  });
  after(() => {
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {
      // never created
    }
  });

  test('LINUX_SLL2 records match tcpdump -i any -y LINUX_SLL2', async () => {
    // 'any' in a fresh namespace sees only that namespace's lo.
    const marker = `sievecap-any-${process.pid}-`;
    const child = `
      const n = require(${JSON.stringify(addonPath)});
      const dgram = require('dgram');
      const { fd } = n.bpfProgLoad({ insns: Buffer.from([0xb7,0,0,0,0,0,4,0,0x95,0,0,0,0,0,0,0]), progType: 1, license: 'GPL' });
      const s = new n.PacketSocket({ interface: 'any', snapLen: 262144, retireTimeoutMs: 20, recordFormat: 'pcap' });
      s.attachBpf(fd);
      const chunks = [];
      s.start((b) => chunks.push(b));
      const rx = dgram.createSocket('udp4');
      rx.bind(9999, '127.0.0.1', () => {
        const tx = dgram.createSocket('udp4');
        let i = 0;
        const next = () => i < 5 ? tx.send(${JSON.stringify(marker)} + i++, 9999, '127.0.0.1', next) : setTimeout(async () => {
          await s.close();
          process.stdout.write(JSON.stringify({ linkType: s.linkType, ifindex: s.ifindex, hex: Buffer.concat(chunks).toString('hex') }));
          tx.close(); rx.close(); n.closeFd(fd);
        }, 300);
        next();
      });`;
    const tcpdump = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'any', '-y', 'LINUX_SLL2', '-w', path.join(tmp, 'any.pcap'), '-U', 'udp port 9999'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await waitForStderr(tcpdump, /listening on/);
      const result = JSON.parse(execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', child], { encoding: 'utf8', timeout: 20000 }));
      const theirs = await waitForTcpdumpFile(path.join(tmp, 'any.pcap'), marker, 5);
      tcpdump.kill('SIGINT');
      assert.equal((await finished(tcpdump)).code, 0);
      assert.equal(result.linkType, 276);
      assert.equal(result.ifindex, 0);
      const ours = containing(parsePcapRecords(Buffer.from(result.hex, 'hex')), marker);
      const reference = readPcapFile(path.join(tmp, 'any.pcap'));
      assert.equal(reference.linkType, 276);
      assert.equal(ours.length, 5, 'each datagram once (outgoing loopback copy skipped)');
      sameFrames(ours, theirs);
      for (const r of ours) {
        assert.equal(r.data.readUInt16BE(0), 0x0800, 'SLL2 protocol');
        assert.equal(r.data.readUInt32BE(4), 1, 'SLL2 ifindex of lo');
        assert.equal(r.data.readUInt16BE(8), 772, 'SLL2 hatype loopback');
      }
    } finally {
      if (tcpdump.exitCode === null) tcpdump.kill('SIGKILL');
    }
  });
});
