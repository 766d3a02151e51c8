/**
 * Capture presets: every built-in filter compiles with libpcap (for Ethernet, as on `any`), the
 * `not-my-ssh` filter follows $SSH_CONNECTION, and the user's presets file is read, validated and
 * written atomically; a damaged file is reported and left byte for byte as it was.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { compileFilter } from '../capture/filter';
import { native } from '../capture/native';
import { Preset } from '../rpc/engine-protocol';
import * as v from 'valibot';
import { builtinPresets, isBuiltinName, notMySshFilter } from './builtin';
import { defaultConfigDir, writeFileAtomic } from './config';
import { PresetError, UserPresets } from './user-presets';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-presets-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => fs.mkdtempSync(path.join(tmp, `config-${dirs++}-`));

test('presets: the built-ins are the promised ones, valid by the schema, and each compiles with libpcap', () => {
  for (const context of [{}, { sshConnection: '192.0.2.7 50122 192.0.2.1 22' }, { sshConnection: 'fd00::7 50122 fd00::1 2222' }]) {
    const presets = builtinPresets(context);
    assert.deepEqual(presets.map((p) => p.name), ['all', 'http', 'metadata', 'dns', 'tls', 'tcp-setup', 'icmp', 'arp-nd', 'not-my-ssh']);
    for (const p of presets) {
      v.parse(Preset, p);
      assert.equal(p.builtin, true);
      assert.ok(p.description.length > 5 && !p.description.includes('\n'), `${p.name}: a one-line description`);
      // 1 Ethernet (and loopback), 276 Linux cooked v2 (`any`).
      for (const linkType of [1, 276]) {
        assert.doesNotThrow(() => compileFilter({ filter: p.filter, linkType, snapLen: 262144 }), `${p.name} (${p.filter}) on link type ${linkType}`);
      }
    }
  }
  const byName = new Map(builtinPresets().map((p) => [p.name, p.filter]));
  assert.equal(byName.get('all'), '');
  // http is HTTP session tracking in the kernel: no classic filter, one kernel stage.
  assert.equal(byName.get('http'), '');
  assert.deepEqual(builtinPresets().find((p) => p.name === 'http')!.stages, { httpSessions: true });
  assert.match(byName.get('tcp-setup')!, /tcp-syn\|tcp-fin\|tcp-rst/);
  assert.match(byName.get('arp-nd')!, /^arp or /);
  assert.ok(isBuiltinName('HTTP') && isBuiltinName('not-my-ssh') && !isBuiltinName('lab'));
});

test('presets: not-my-ssh leaves out exactly the SSH connection in $SSH_CONNECTION, else port 22', () => {
  assert.equal(notMySshFilter('192.0.2.7 50122 192.0.2.1 22'), 'not (host 192.0.2.7 and host 192.0.2.1 and tcp port 50122 and tcp port 22)');
  assert.equal(notMySshFilter('fd00::7 50122 fd00::1 2222'), 'not (host fd00::7 and host fd00::1 and tcp port 50122 and tcp port 2222)');
  for (const junk of [undefined, '', 'x', '192.0.2.7 50122 192.0.2.1', '192.0.2.7 0 192.0.2.1 22', '300.0.2.7 5 192.0.2.1 22', 'a;b 1 c 2', '192.0.2.7 50122 192.0.2.1 22; rm -rf']) {
    assert.equal(notMySshFilter(junk), 'not tcp port 22', String(junk));
  }
  const ssh = builtinPresets({ sshConnection: '192.0.2.7 50122 192.0.2.1 22' }).find((p) => p.name === 'not-my-ssh')!;
  assert.match(ssh.description, /SSH_CONNECTION/);
  // The filter does what it says: libpcap's bpf_filter drops the session's segments both ways, keeps others.
  const filter = new (native().ClassicFilter)(compileFilter({ filter: ssh.filter, linkType: 1, snapLen: 262144 }));
  const frames = [
    tcpFrame('192.0.2.7', 50122, '192.0.2.1', 22),
    tcpFrame('192.0.2.1', 22, '192.0.2.7', 50122),
    tcpFrame('192.0.2.7', 50123, '192.0.2.1', 22),
    tcpFrame('192.0.2.9', 50122, '192.0.2.1', 22),
    tcpFrame('192.0.2.7', 50122, '192.0.2.1', 80),
  ];
  const packets = Buffer.concat(frames);
  const start = Uint32Array.from(frames.map((_, k) => k * 54));
  const lengths = Uint32Array.from(frames.map(() => 54));
  const verdicts = new Uint8Array(frames.length);
  filter.run(packets, start, lengths, lengths, verdicts);
  assert.deepEqual([...verdicts], [0, 0, 1, 1, 1]);
});

/** An Ethernet + IPv4 + TCP (SYN) frame of 54 bytes. */
function tcpFrame(src: string, sport: number, dst: string, dport: number): Buffer {
  const b = Buffer.alloc(54);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(40, 16);
  b[22] = 64;
  b[23] = 6;
  src.split('.').forEach((o, k) => (b[26 + k] = Number(o)));
  dst.split('.').forEach((o, k) => (b[30 + k] = Number(o)));
  b.writeUInt16BE(sport, 34);
  b.writeUInt16BE(dport, 36);
  b[46] = 0x50;
  b[47] = 0x02;
  return b;
}

test('presets: the config directory follows XDG_CONFIG_HOME when it is absolute, else a HOME of our own', () => {
  const home = freshDir();
  assert.equal(defaultConfigDir({ XDG_CONFIG_HOME: '/tmp/conf', HOME: home }), '/tmp/conf/sievecap');
  assert.equal(defaultConfigDir({ XDG_CONFIG_HOME: 'relative', HOME: home }), path.join(home, '.config', 'sievecap'));
  assert.equal(defaultConfigDir({ HOME: home }), path.join(home, '.config', 'sievecap'));
  // A HOME that is not ours (sudo keeps root's after serve gives up root), or none: the password database's.
  const passwd = path.join(os.userInfo().homedir, '.config', 'sievecap');
  assert.equal(defaultConfigDir({ HOME: path.join(home, 'missing') }), passwd);
  assert.equal(defaultConfigDir({}), passwd);
  if (process.getuid?.() === 0) {
    const someoneElses = freshDir();
    fs.chownSync(someoneElses, 65534, 65534);
    assert.equal(defaultConfigDir({ HOME: someoneElses }), passwd);
  }
});

test("presets: the user's presets are saved, replaced, listed after the built-ins and deleted; the file is whole JSON", () => {
  const dir = path.join(freshDir(), 'not-yet-made');
  const store = new UserPresets(dir);
  const empty = store.list();
  assert.equal(empty.problem, null);
  assert.equal(empty.file, path.join(dir, 'presets.json'));
  assert.equal(empty.presets.filter((p) => !p.builtin).length, 0);
  assert.equal(fs.existsSync(dir), false, 'listing writes nothing');

  store.save({ name: 'lab', description: 'the lab', filter: 'net 10.1.0.0/16' });
  store.save({ name: 'web', description: 'mine', filter: 'tcp port 80', snapLen: 128, interfaces: ['veth0'] });
  const replaced = store.save({ name: 'lab', description: 'the lab, v2', filter: 'net 10.2.0.0/16' });
  assert.deepEqual(replaced.presets.filter((p) => !p.builtin), [
    { name: 'lab', description: 'the lab, v2', filter: 'net 10.2.0.0/16', builtin: false },
    { name: 'web', description: 'mine', filter: 'tcp port 80', snapLen: 128, interfaces: ['veth0'], builtin: false },
  ]);
  assert.equal(replaced.presets[0]!.name, 'all', 'built-ins first');
  assert.equal((fs.statSync(dir).mode & 0o777).toString(8), '700');
  const onDisk = JSON.parse(fs.readFileSync(store.file, 'utf8'));
  assert.equal(onDisk.version, 1);
  assert.equal(onDisk.presets.length, 2);
  assert.deepEqual(fs.readdirSync(dir), ['presets.json'], 'no temporary file left behind');
  assert.deepEqual(new UserPresets(dir).list(), replaced, 'read back the same');

  const afterDelete = store.delete('LAB');
  assert.deepEqual(afterDelete.presets.filter((p) => !p.builtin).map((p) => p.name), ['web']);
  assert.throws(() => store.delete('lab'), (e: PresetError) => e.code === 'EPRESET' && /no preset named 'lab' \(yours: web\)/.test(e.message));
  assert.throws(() => store.delete('http'), (e: PresetError) => e.code === 'EPRESET' && /built-in/.test(e.message));
  assert.throws(() => store.save({ name: 'Tls', description: '', filter: '' }), (e: PresetError) => e.code === 'EPRESET' && /built-in preset/.test(e.message));
});

test('presets: a damaged presets file is reported with its path and the problem, and never overwritten', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"version": 1, "presets": [', /is not valid JSON/],
    ['[]', /is damaged: /],
    ['{"version": 2, "presets": []}', /version/],
    ['{"version": 1, "presets": [{"name": "x", "description": "", "filter": 7}]}', /presets\.0\.filter/],
    ['{"version": 1, "presets": [{"name": "x", "description": "", "filter": "", "colour": "red"}]}', /colour/],
    ['{"version": 1, "presets": [{"name": "dns", "description": "", "filter": ""}]}', /presets\.0\.name 'dns' is the name of a built-in preset/],
    ['{"version": 1, "presets": [{"name": "a", "description": "", "filter": ""}, {"name": "A", "description": "", "filter": ""}]}', /presets\.1\.name 'A' is used twice/],
    ['\u0000\u0001binary', /not valid JSON/],
  ];
  for (const [text, problem] of cases) {
    const dir = freshDir();
    const file = path.join(dir, 'presets.json');
    fs.writeFileSync(file, text);
    const before = fs.readFileSync(file);
    const store = new UserPresets(dir);
    const listed = store.list();
    assert.ok(listed.problem !== null && listed.problem.includes(file), `${text}: the problem names the file (${listed.problem})`);
    assert.match(listed.problem!, problem, text);
    assert.equal(listed.presets.filter((p) => !p.builtin).length, 0);
    assert.equal(listed.presets.length, builtinPresets().length, 'the built-ins are still there');
    assert.throws(() => store.save({ name: 'new', description: '', filter: 'udp' }), (e: PresetError) => e.code === 'EPRESET' && /fix it, or move it away/.test(e.message));
    assert.throws(() => store.delete('x'), (e: PresetError) => e.code === 'EPRESET');
    assert.deepEqual(fs.readFileSync(file), before, `${text}: byte-identical`);
    assert.deepEqual(fs.readdirSync(dir), ['presets.json']);
  }
});

test('presets: an atomic write that fails leaves the old file and no temporary file', () => {
  const dir = freshDir();
  const file = path.join(dir, 'presets.json');
  fs.writeFileSync(file, 'old');
  // The target is a directory: rename fails after the temporary file was written.
  const blocked = path.join(dir, 'blocked');
  fs.mkdirSync(path.join(blocked, 'presets.json'), { recursive: true });
  fs.writeFileSync(path.join(blocked, 'presets.json', 'x'), '');
  assert.throws(() => writeFileAtomic(path.join(blocked, 'presets.json'), 'new'));
  assert.deepEqual(fs.readdirSync(blocked), ['presets.json']);
  writeFileAtomic(file, 'new');
  assert.equal(fs.readFileSync(file, 'utf8'), 'new');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['blocked', 'presets.json']);
});
