/**
 * How a packet whose dissection stopped on an exception is shown, against tshark 4.0: Wireshark's
 * show_exception puts `[Packet size limited during capture: DNS truncated]` (bytes the capture cut
 * off) or `[Malformed Packet: ARP/RARP]` with its expert item (a packet contradicting itself) at
 * the top of the -V tree after the layers and as `_ws.short` / `_ws.malformed` in -T json and -T fields (the
 * Info note it appends is left to each dissector). Compared frame by frame on a DNS capture cut to
 * 60 bytes by editcap and on the corpus's malformed ARP capture: each exception Sievecap shows is
 * tshark's, in -V and JSON.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusFile } from './support/corpus';
import { sievecapRuns } from './support/agree';

const MISSING = ['tshark', 'editcap'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
const SKIP = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tshark)` : false;
const ENV = { ...process.env, TZ: 'UTC' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-exceptions-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Per frame of a -V text: its exception lines (the top-level ones and their expert item). */
function treeExceptions(text: string): string[] {
  const frames: string[] = [];
  let cur = -1;
  let inException = false;
  for (const line of text.split('\n')) {
    if (/^Frame \d+:/.test(line)) {
      frames[++cur] = '';
      inException = false;
    } else if (/^\[(Packet size limited during capture|Malformed Packet)/.test(line)) inException = true;
    else if (!line.startsWith(' ')) inException = false;
    if (inException && cur >= 0) frames[cur] += line + '\n';
  }
  return frames;
}

/** Per packet of a -T json text: its "_ws.short" / "_ws.malformed" members, as written. */
function jsonExceptions(text: string): string[] {
  return text.split(/\n  \{\n/).slice(1).map((packet) => (packet.match(/^ {8}"_ws\.(short|malformed)": [\s\S]*?(?=\n {6}\})/m) ?? [''])[0]);
}

test('exceptions shown as tshark shows them: at the top of -V and in -T json', { skip: SKIP }, () => {
  const dns = path.join(tmp, 'dns-60.pcap');
  const cut = spawnSync('editcap', ['-F', 'pcap', '-s', '60', requireCorpusFile('chrissanders-packets/dns_isp_hijack.pcapng'), dns], { encoding: 'utf8' });
  assert.equal(cut.status, 0, cut.stderr);
  const files = [dns, requireCorpusFile('tcpdump/tests/arp-oobr.pcap')];
  const FIELDS = ['-T', 'fields', '-e', 'frame.number', '-e', '_ws.short', '-e', '_ws.malformed', '-e', '_ws.expert.message', '-e', '_ws.expert'];
  const ours = sievecapRuns(files.flatMap((f) => [['-r', f, '-V'], ['-r', f, '-T', 'json'], ['-r', f, ...FIELDS]]));
  let truncated = 0;
  let malformed = 0;
  files.forEach((file, i) => {
    const [tree, json, fields] = [ours[3 * i]!.stdout, ours[3 * i + 1]!.stdout, ours[3 * i + 2]!.stdout.split('\n')];
    const theirFields = tshark(['-r', file, ...FIELDS]).split('\n');
    const theirTree = treeExceptions(tshark(['-r', file, '-V']));
    const ourTree = treeExceptions(tree);
    const theirJson = jsonExceptions(tshark(['-r', file, '-T', 'json']));
    const ourJson = jsonExceptions(json);
    // Every exception we show is tshark's, in both forms (tshark shows more where it decodes
    // a protocol Sievecap lacks: arp-oobr's frames with an F5 Ethernet trailer).
    ourTree.forEach((lines, k) => {
      if (lines === '') return;
      if (lines.startsWith('[Packet size')) truncated++;
      else malformed++;
      assert.equal(lines, theirTree[k], `${path.basename(file)} frame ${k + 1}: -V`);
      assert.equal(ourJson[k], theirJson[k], `${path.basename(file)} frame ${k + 1}: -T json`);
      // -T fields: the item's text, and the expert item's field name ("[Malformed Packet: ARP/RARP],_ws.malformed").
      assert.equal(fields[k], theirFields[k], `${path.basename(file)} frame ${k + 1}: -T fields`);
    });
  });
  assert.ok(truncated >= 5 && malformed >= 1, `${truncated} truncated and ${malformed} malformed frames compared`);
});
