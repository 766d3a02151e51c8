/**
 * tcpdump's file options (issue 15), compared with tcpdump (and mergecap, zcat, tshark, GNU date)
 * on the same input: the "reading from file" line, -C / -W / -z rotation (the same files, byte for
 * byte), -F FILE, -w FILE.gz, -y / -j / --list-time-stamp-types, usage errors' exit status; and live
 * on a veth pair of the test's own namespaces: -G / -W rotation, and a gzip file that a SIGKILL
 * leaves readable.
 *
 * Fast on purpose: the sievecap runs over files go through one Node process
 * (support/cli-batch-child.ts) where they can; reference tools run in parallel.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusFile } from './support/corpus';
import { SIEVECAP } from './support/sievecap';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';
import type { CliRun } from './support/cli-batch-child';
import { strftime } from '../app/cli/rotation';

const CHILD = path.join(__dirname, 'support', 'cli-batch-child.js');
const ENV = { ...process.env, TZ: 'UTC' };

interface Ran {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(cmd: string, args: string[], input?: Buffer): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

async function sievecapBatch(runs: string[][]): Promise<CliRun[]> {
  const r = await run(process.execPath, ['--single-threaded', CHILD], Buffer.from(JSON.stringify(runs)));
  assert.equal(r.status, 0, `the CLI batch failed: ${r.stderr}`);
  return JSON.parse(r.stdout.toString('utf8')) as CliRun[];
}

const FILES = [
  'tcpdump/tests/print-flags.pcap', // Ethernet, pcap
  'chrissanders-packets/http_google.pcapng', // pcapng
  'tcpdump/tests/tcp-handshake-nano.pcap', // Linux cooked, nanoseconds
  'tcpdump/tests/quic_handshake.pcap', // BSD loopback
  'tcpdump/tests/LINKTYPE_IPV6.pcap', // raw IPv6
  'tcpdump/tests/extract_read2_asan.pcap', // a small snapshot length
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-files-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('tcpdump file options on files', () => {
  test('"reading from file F, link-type …, snapshot length N" on stderr, as tcpdump prints it', async () => {
    const files = FILES.map((f) => requireCorpusFile(f));
    const [ours, theirs] = await Promise.all([
      sievecapBatch(files.map((f) => ['-n', '-c', '1', '-r', f])),
      Promise.all(files.map((f) => run('tcpdump', ['-n', '-c', '1', '-r', f]))),
    ]);
    files.forEach((f, k) => {
      assert.equal(ours[k]!.status, 0, ours[k]!.stderr);
      const line = theirs[k]!.stderr.split('\n')[0]!;
      assert.match(line, /^reading from file /);
      assert.equal(ours[k]!.stderr.split('\n')[0], line, f);
    });
    // tshark-style output prints none, as tshark does.
    const [tsharkStyle] = await sievecapBatch([['-r', files[0]!, '-T', 'text']]);
    assert.equal(tsharkStyle!.stderr, '');
  });

  test('-C / -W / -z: the same files as tcpdump writes, byte for byte', async () => {
    // A 2.6 MB pcap from a corpus file five times over (mergecap -a: concatenated).
    const source = requireCorpusFile('tcpdump/tests/afs.pcap');
    const big = path.join(tmp, 'big.pcap');
    execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', big, source, source, source, source, source]);
    const cases = [['-C', '1'], ['-C', '1', '-W', '2'], ['-C', '1', '-W', '12']];
    const dirs = cases.map((_, k) => ({ ours: path.join(tmp, `c${k}-ours`), theirs: path.join(tmp, `c${k}-tcpdump`) }));
    for (const d of dirs) {
      fs.mkdirSync(d.ours);
      fs.mkdirSync(d.theirs);
    }
    const [ours, theirs] = await Promise.all([
      sievecapBatch(cases.map((c, k) => ['-r', big, '-w', path.join(dirs[k]!.ours, 'x.pcap'), ...c])),
      // -Z root: as root, tcpdump would otherwise open the next files as the user tcpdump.
      Promise.all(cases.map((c, k) => run('tcpdump', ['-Z', 'root', '-r', big, '-w', path.join(dirs[k]!.theirs, 'x.pcap'), ...c]))),
    ]);
    cases.forEach((c, k) => {
      assert.equal(ours[k]!.status, 0, ours[k]!.stderr);
      assert.equal(theirs[k]!.status, 0, theirs[k]!.stderr);
      const names = listDir(dirs[k]!.theirs);
      assert.ok(names.length >= 2, `tcpdump ${c.join(' ')} rotated: ${names.join(' ')}`);
      assert.deepEqual(listDir(dirs[k]!.ours), names, c.join(' '));
      for (const n of names) assert.ok(fs.readFileSync(path.join(dirs[k]!.ours, n)).equals(fs.readFileSync(path.join(dirs[k]!.theirs, n))), `${c.join(' ')}: ${n}`);
    });
    assert.deepEqual(listDir(dirs[0]!.theirs), ['x.pcap', 'x.pcap1', 'x.pcap2']);
    assert.deepEqual(listDir(dirs[2]!.theirs), ['x.pcap00', 'x.pcap01', 'x.pcap02']);

    // -z COMMAND (with -C: tcpdump's post-rotate command) runs `COMMAND FILE` on each file rotated away from.
    const zDir = path.join(tmp, 'z');
    fs.mkdirSync(zDir);
    const [z, missing] = await sievecapBatch([
      ['-r', big, '-w', path.join(zDir, 'x.pcap'), '-C', '1', '-z', 'gzip'],
      ['-r', big, '-w', path.join(zDir, 'y.pcap'), '-C', '1', '-z', 'no-such-program-here'],
    ]);
    assert.equal(z!.status, 0, z!.stderr);
    // A command that does not exist is refused before anything is written.
    assert.equal(missing!.status, 1);
    assert.match(missing!.stderr, /-z no-such-program-here: no such program/);
    const expected = ['x.pcap.gz', 'x.pcap1.gz', 'x.pcap2'];
    for (let k = 0; k < 100 && listDir(zDir).join() !== expected.join(); k++) await sleep(50);
    assert.deepEqual(listDir(zDir), expected);
    const unzipped = execFileSync('zcat', [path.join(zDir, 'x.pcap1.gz')]);
    assert.ok(unzipped.equals(fs.readFileSync(path.join(dirs[0]!.theirs, 'x.pcap1'))));
  });

  test('-w FILE.gz writes gzip that zcat and tshark read as the plain file', async () => {
    const source = requireCorpusFile('chrissanders-packets/http_google.pcapng');
    const out = (n: string): string => path.join(tmp, n);
    const runs = await sievecapBatch([
      ['-r', source, '-w', out('plain.pcap')],
      ['-r', source, '-w', out('z.pcap.gz')],
      ['-r', source, '-w', out('plain.pcapng')],
      ['-r', source, '-w', out('z.pcapng.gz')],
      ['-n', '-r', out('z.pcap.gz')],
    ]);
    for (const r of runs) assert.equal(r.status, 0, r.stderr);
    assert.ok(execFileSync('zcat', [out('z.pcap.gz')]).equals(fs.readFileSync(out('plain.pcap'))), 'x.pcap.gz is the pcap, compressed');
    assert.ok(execFileSync('zcat', [out('z.pcapng.gz')]).equals(fs.readFileSync(out('plain.pcapng'))), 'x.pcapng.gz is the pcapng, compressed');
    assert.ok(fs.statSync(out('z.pcap.gz')).size < fs.statSync(out('plain.pcap')).size);
    const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.protocols'];
    const [fromGz, fromSource, tcpdumpLines] = await Promise.all([
      run('tshark', ['-r', out('z.pcapng.gz'), ...fields]),
      run('tshark', ['-r', source, ...fields]),
      run('tcpdump', ['-n', '-r', source]),
    ]);
    assert.equal(fromGz.stdout.toString(), fromSource.stdout.toString());
    assert.ok(fromGz.stdout.length > 0);
    // Read back by sievecap: tcpdump's lines for the original.
    assert.equal(runs[4]!.stdout, tcpdumpLines.stdout.toString());
  });

  test('-F FILE: the capture filter from a file (tcpdump\'s meaning; # comments), pcap and pcapng stay formats', async () => {
    const source = requireCorpusFile('chrissanders-packets/http_google.pcapng');
    const filterFile = path.join(tmp, 'filter');
    fs.writeFileSync(filterFile, '# only the web\ntcp port 80\n  and tcp[tcpflags] & tcp-push != 0 # with data\n');
    const [ours, formatRun, missing] = await sievecapBatch([
      ['-n', '-r', source, '-F', filterFile],
      ['-r', source, '-F', 'pcap', '-w', path.join(tmp, 'f.out')],
      ['-r', source, '-F', path.join(tmp, 'nope')],
    ]);
    const theirs = await run('tcpdump', ['-n', '-r', source, '-F', filterFile]);
    assert.equal(ours!.status, 0, ours!.stderr);
    assert.ok(theirs.stdout.length > 0);
    assert.equal(ours!.stdout, theirs.stdout.toString());
    assert.equal(formatRun!.status, 0, formatRun!.stderr);
    assert.equal(fs.readFileSync(path.join(tmp, 'f.out')).readUInt32LE(0), 0xa1b2c3d4, '-F pcap writes pcap');
    assert.equal(missing!.status, 1);
    assert.match(missing!.stderr, /-F .*nope: not a file format \(pcap or pcapng, for -w\) and no such filter file/);
  });

  test('usage errors exit 1 as tcpdump\'s do, naming the option once and what it needs', async () => {
    const source = requireCorpusFile('tcpdump/tests/print-flags.pcap');
    const tiny = path.join(tmp, 'tiny.pcap');
    fs.writeFileSync(tiny, fs.readFileSync(source).subarray(0, 10));
    const cases: Array<[string[], RegExp, string[]]> = [
      [['-r'], /^sievecap: option -r needs an argument: a capture file to read, or - for standard input \(see sievecap --help\)\n$/, ['-r']],
      [['--bogus'], /^sievecap: unknown option --bogus \(see sievecap --help\)\n$/, ['--bogus']],
      [['-c'], /^sievecap: option -c \(--count\) needs an argument: a number of packets/, ['-c']],
      [['-r', tiny], /^sievecap: \S*tiny\.pcap: truncated pcap file header: need 24 bytes, file has 10\n$/, ['-r', tiny]],
      [['-r', source, '-C', '1'], /-C and -G rotate the file written with -w: give -w FILE/, []],
      [['-r', source, '-w', path.join(tmp, 'w'), '-W', '3'], /-W limits the files of a rotation: give it with -C SIZE or -G SECONDS/, []],
      [['-r', source, '-w', path.join(tmp, 'w'), '-C', '0'], /invalid file size 0/, ['-r', source, '-w', path.join(tmp, 'w'), '-C', '0']],
      [['-i', 'lo', '-j', 'bogus'], /^sievecap: invalid time stamp type bogus/, ['-i', 'lo', '-j', 'bogus']],
    ];
    const ours = await sievecapBatch(cases.map(([args]) => args));
    const theirs = await Promise.all(cases.map(([, , args]) => (args.length > 0 ? run('tcpdump', args) : Promise.resolve(null))));
    cases.forEach(([args, message], k) => {
      assert.equal(ours[k]!.status, 1, `${args.join(' ')}: ${ours[k]!.stderr}`);
      assert.match(ours[k]!.stderr, message, args.join(' '));
      const t = theirs[k];
      if (t) assert.equal(t.status, 1, `tcpdump ${args.join(' ')} exits 1 too`);
    });
    // tcpdump's own words where they are already clear.
    assert.match(theirs[7]!.stderr, /^tcpdump: invalid time stamp type bogus\n/);
  });

  test('the strftime of -G names is C\'s (GNU date as the reference)', () => {
    const formats = ['%Y%m%d-%H%M%S', '%s', '%F_%T', '%j %a %A %b %B %e %I %p %y %C %u %w', '%D %R %%x %z'];
    const times = [0, 1_700_000_000, 1_719_000_123, 1_735_689_599];
    const module = JSON.stringify(path.join(__dirname, '..', 'app', 'cli', 'rotation.js'));
    for (const tz of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
      // %Z: the zone's abbreviation where Intl knows it (UTC, EST/EDT, CET, ...).
      const list = tz === 'Asia/Kolkata' ? formats : [...formats, '%Z'];
      const cases = times.flatMap((t) => list.map((f) => [t, f] as const));
      // Ours in one Node process with that TZ; GNU date once per case.
      const script = `const { strftime } = require(${module}); process.stdout.write(JSON.stringify(${JSON.stringify(cases)}.map(([t, f]) => strftime(f, new Date(t * 1000)))))`;
      const ours = JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' })) as string[];
      cases.forEach(([t, f], k) => {
        const expected = execFileSync('date', ['-d', `@${t}`, `+${f}`], { env: { ...process.env, TZ: tz, LC_ALL: 'C' }, encoding: 'utf8' }).replace(/\n$/, '');
        assert.equal(ours[k], expected, `${tz} ${t} ${f}`);
      });
    }
    assert.equal(typeof strftime, 'function');
  });
});

describe('tcpdump file options live (veth pair in the test\'s namespaces)', () => {
  let pair: NetnsPair;
  before(() => {
    pair = createNetnsPair();
  });
  after(() => pair?.destroy());

  test('--list-time-stamp-types, -y and -j as tcpdump answers them on the same interface', async () => {
    const inNs = (cmd: string[]): Promise<Ran> => run('ip', ['netns', 'exec', pair.nsA, ...cmd]);
    const [ours, theirs, badType, theirBadType] = await Promise.all([
      inNs([process.execPath, SIEVECAP, '-i', pair.vethA, '--list-time-stamp-types']),
      inNs(['tcpdump', '-i', pair.vethA, '--list-time-stamp-types']),
      inNs([process.execPath, SIEVECAP, '-i', pair.vethA, '-y', 'FOO']),
      inNs(['tcpdump', '-i', pair.vethA, '-y', 'FOO']),
    ]);
    assert.equal(ours.status, 0);
    assert.equal(ours.stderr, theirs.stderr);
    assert.equal(badType.status, 1);
    assert.equal(badType.stderr.replace(/^sievecap/, 'tcpdump'), theirBadType.stderr);
  });

  test('-G 1 -W 3 rotates every second and stops after 3 files; a SIGKILLed -w x.pcap.gz keeps what reached it', async () => {
    const dir = path.join(tmp, 'g');
    fs.mkdirSync(dir);
    const gz = path.join(tmp, 'killed.pcap.gz');
    const rotating = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-y', 'EN10MB', '-j', 'host', '-G', '1', '-W', '3', '-w', path.join(dir, '%s.pcap'), 'icmp']);
    const killed = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-w', gz, 'icmp']);
    const reference = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-n', '-w', path.join(tmp, 'reference.pcap'), 'icmp']);
    const all = [rotating, killed, reference];
    const done = all.map((c) => finished(c));
    try {
      await Promise.all(all.map((c) => waitForStderr(c, /listening on/)));
      await sleep(200);
      // 10 echo requests and their replies over 2 s; then a last one after the third period.
      pair.exec(pair.nsA, ['ping', '-c', '10', '-i', '0.2', '-W', '1', pair.ipB]);
      await sleep(600); // more than the file's 250 ms flush
      killed.kill('SIGKILL');
      pair.exec(pair.nsA, ['ping', '-c', '4', '-i', '0.5', '-W', '1', pair.ipB]);
      const r = await Promise.race([done[0]!, sleep(8000).then(() => null)]);
      assert.ok(r, '-G 1 -W 3 stopped by itself');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Maximum file limit reached: 3\n/);
    } finally {
      for (const c of all) if (c.exitCode === null) c.kill('SIGINT');
    }
    await Promise.all(done);
    // Three files named by strftime's %s at their start, a second or more apart, in time order.
    const names = listDir(dir);
    assert.equal(names.length, 3, names.join(' '));
    const seconds = names.map((n) => Number(/^(\d+)\.pcap$/.exec(n)?.[1]));
    for (let k = 1; k < 3; k++) assert.ok(seconds[k]! - seconds[k - 1]! >= 1, names.join(' '));
    // Together they hold a stretch of tcpdump's packets with none lost or doubled, in time order
    // across the files (tcpdump reads them: -tt for the times, -t for the lines).
    const lines = (file: string, t: string): string[] =>
      execFileSync('tcpdump', ['-n', t, '-r', file], { encoding: 'utf8', env: ENV, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
    const ours = names.flatMap((n) => lines(path.join(dir, n), '-t'));
    const theirs = lines(path.join(tmp, 'reference.pcap'), '-t');
    const at = theirs.indexOf(ours[0]!);
    assert.ok(ours.length >= 10 && at >= 0, `the files hold packets (${ours.length})`);
    assert.deepEqual(ours, theirs.slice(at, at + ours.length));
    let last = 0;
    for (const n of names) {
      const times = lines(path.join(dir, n), '-tt').map((l) => Number(l.split(' ')[0]));
      // (A file may hold no packet: a rotation happens on the first batch after the second has passed.)
      if (times.length === 0) continue;
      assert.ok(times[0]! >= last, `${n}: after the packets of the file before`);
      last = times[times.length - 1]!;
    }
    // The SIGKILLed gzip file: whole gzip members, the 20 packets that had reached it, as tcpdump
    // saw them (zcat reads it to the end without complaint).
    const unzipped = path.join(tmp, 'killed.pcap');
    fs.writeFileSync(unzipped, execFileSync('zcat', [gz]));
    assert.deepEqual(lines(unzipped, '-t'), theirs.slice(0, 20));
    const fromGz = await run(process.execPath, [SIEVECAP, '-n', '-t', '-r', gz]);
    assert.equal(fromGz.stdout.toString(), theirs.slice(0, 20).join('\n') + '\n');
  });
});
