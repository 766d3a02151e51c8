/**
 * FTP data connections (ftp-data in app/dissect/ftp.ts) against tshark 4.0: every frame's
 * frame.protocols, Protocol and Info, the ftp-data fields (setup frame and method, command, command
 * frame, directory), the summary lines and display filters on ftp-data's fields — on the shared
 * corpus capture of an FTP session with passive-mode uploads, and on real traffic between network
 * namespaces (Debian's pyftpdlib server, Python's ftplib client: PASV and EPSV listings, a text
 * upload, a binary download, and an active-mode PORT listing, which tshark leaves as data because the
 * server connects before it accepts the PORT). Skipped when tshark (or,
 * for the live test, root, tcpdump or python3-pyftpdlib) is missing; fails when the corpus is.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusDir } from './support/corpus';
import { createNetnsPair, finished, sleep, waitForStderr } from './support/netns';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed' : false;
// Debian's interpreter, not one earlier on PATH (pyenv): the package installs for it.
const PYTHON = '/usr/bin/python3';
const NO_PYFTPDLIB = spawnSync(PYTHON, ['-c', 'import pyftpdlib']).status !== 0 ? 'python3-pyftpdlib is not installed (apt-get install python3-pyftpdlib)' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-ftp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'ftp.request.command', 'ftp.response.code', 'ftp.passive.port',
  'ftp-data.setup-frame', 'ftp-data.setup-method', 'ftp-data.command', 'ftp-data.command-frame', 'ftp-data.current-working-directory',
];
const FILTERS = ['ftp-data', 'ftp-data.setup-method == "PASV"', 'ftp-data.command contains "STOR"', 'ftp-data.setup-frame == 60', 'data-text-lines'];

function run(command: 'ours' | 'tshark', file: string, args: string[]): string {
  const r = command === 'tshark'
    ? spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : sievecap(['-r', file, '-n', ...(args.includes('fields') ? args : ['-T', 'text', ...args])]);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout);
}

test('FTP passive-mode data connections agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(requireCorpusDir(), 'chrissanders-packets/tickedoffdeveloper.pcapng');
  const fields = ['-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f])];
  const ours = run('ours', file, fields);
  assert.ok(ours.includes('ftp-data:data-text-lines'), 'no FTP data frames dissected');
  assert.equal(ours, run('tshark', file, fields));
  assert.equal(run('ours', file, []), run('tshark', file, []), 'summary lines');
  assertFiltersAgree(file, FILTERS);
  sameTree(file);
});

/**
 * -V: FTP's working directory and FTP Data's setup, command and directory lines sit at the top of
 * tshark's tree, after their protocol's. (TCP's conversation completeness of the data connections
 * differs from tshark's on the corpus capture and is left out; on live traffic only the FTP part
 * of each frame is compared.)
 */
function sameTree(file: string, ftpOnly = false): void {
  const tree = (who: 'ours' | 'tshark'): string => {
    const r = who === 'tshark' ? spawnSync('tshark', ['-r', file, '-n', '-V'], { encoding: 'utf8', maxBuffer: 256 << 20 }) : sievecap(['-r', file, '-n', '-V']);
    const lines = String(r.stdout).split('\n').filter((l) => !l.includes('[Conversation completeness:'));
    if (!ftpOnly) return lines.join('\n');
    // Live traffic: each frame's FTP part (its heading to the frame's end), not the TCP analysis
    // before it, which depends on the run's timing.
    const kept: string[] = [];
    let inFtp = false;
    for (const line of lines) {
      if (/^Frame \d+:/.test(line)) inFtp = false;
      if (/^(File Transfer Protocol \(FTP\)|FTP Data \()/.test(line)) inFtp = true;
      if (inFtp) kept.push(line);
    }
    return kept.join('\n');
  };
  const ours = tree('ours');
  assert.match(ours, /FTP Data \(\d+ bytes data\)\n\[Setup frame: \d+\]\n/);
  const a = ours.split('\n');
  const b = tree('tshark').split('\n');
  const at = a.findIndex((line, k) => line !== b[k]);
  assert.deepEqual(at < 0 ? [] : a.slice(Math.max(0, at - 3), at + 2), at < 0 ? [] : b.slice(Math.max(0, at - 3), at + 2), `-V: line ${at + 1}`);
  assert.equal(a.length, b.length, '-V: line count');
}

/** The client, in namespace A: every kind of transfer tshark follows, then QUIT. */
const CLIENT = `
import ftplib, io, socket
f = ftplib.FTP()
f.connect('IP_B', 21, timeout=10)
f.login()
f.cwd('/pub')
f.retrlines('LIST')
f.storlines('STOR notes.txt', io.BytesIO(b''.join(b'line %d of the notes\\r\\n' % i for i in range(200))))
f.retrbinary('RETR blob.bin', lambda b: None)
# EPSV by hand (ftplib uses it only over IPv6)
host, port = ftplib.parse229(f.sendcmd('EPSV'), f.sock.getpeername())
conn = socket.create_connection((host, port), timeout=10)
f.sendcmd('NLST')
while conn.recv(65536):
    pass
conn.close()
f.voidresp()
f.set_pasv(False)
f.retrlines('LIST')
f.quit()
print('done')
`;

test('real traffic between namespaces: pyftpdlib and ftplib transfers agree with tshark', { skip: NO_TSHARK || NOT_ROOT || NO_TCPDUMP || NO_PYFTPDLIB }, async () => {
  const pair = createNetnsPair();
  const root = path.join(tmp, 'root');
  fs.mkdirSync(path.join(root, 'pub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'pub', 'blob.bin'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff)));
  fs.writeFileSync(path.join(root, 'pub', 'readme.txt'), 'hello\r\n');
  const file = path.join(tmp, 'ftp.pcap');
  try {
    // Anonymous login with write access (-w), the server's address for PASV replies (-i).
    const server = pair.spawn(pair.nsB, [PYTHON, '-m', 'pyftpdlib', '-i', pair.ipB, '-p', '21', '-w', '-d', root]);
    const serverDone = finished(server);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'tcp']);
    const done = finished(td);
    let client = '';
    try {
      await Promise.all([waitForStderr(server, /starting FTP server|serving FTP/i), waitForStderr(td, /listening on/)]);
      await sleep(300);
      const r = spawnSync('ip', ['netns', 'exec', pair.nsA, PYTHON, '-c', CLIENT.replaceAll('IP_B', pair.ipB)], { timeout: 30000, encoding: 'utf8' });
      client = `${r.stdout}${r.stderr}`;
      await sleep(500);
    } finally {
      td.kill('SIGINT');
      if (server.pid) server.kill('SIGTERM');
      await done;
      await serverDone;
    }
    assert.match(client, /done/, client);
    const summary = run('tshark', file, []);
    for (const method of ['PASV', 'EPASV']) assert.match(summary, new RegExp(`FTP-DATA .*\\(${method}\\)`), `no ${method} transfer in:\n${summary}`);
    const fields = ['-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f])];
    assert.equal(run('ours', file, fields), run('tshark', file, fields));
    assert.equal(run('ours', file, []), summary, 'summary lines');
    assertFiltersAgree(file, ['ftp-data', 'ftp-data.setup-method == "EPASV"', 'ftp-data.command contains "RETR"', 'data-text-lines', 'data', 'ftp-data && !data-text-lines']);
    sameTree(file, true);
  } finally {
    pair.destroy();
  }
});
