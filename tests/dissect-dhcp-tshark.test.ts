/**
 * DHCP, BOOTP and DHCPv6 summary lines against tshark 4.0 as users run it (MAC names resolved):
 * `DHCP Discover - Transaction ID 0x3d1d` (the ID as %x), `Boot Request from <MAC> (<name>)`,
 * DHCPv6 relay messages naming the link address and the relayed message's parts, and captures cut
 * short by editcap -s (Wireshark's first walk over the options meets an option code past the
 * captured bytes: an empty DHCP tree and BOOTP's Info, `[Packet size limited during capture]`
 * appended). -V of the whole everyday captures too (MAC names in labels, padding cut at 36 bytes).
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-dhcp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', env: ENV, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const EVERYDAY = ['chrissanders-packets/dhcp_nolease_initialization.pcapng', 'chrissanders-packets/dhcp_inlease_renewal.pcapng', 'chrissanders-packets/dhcp6_outlease_acquisition.pcapng'];
const SUMMARY_ONLY = ['tcpdump/tests/dhcp-mud.pcap', 'tcpdump/tests/dhcpv6-mud.pcap', 'tcpdump/tests/dhcpv6-vendor-specific-information.pcap', 'tcpdump/tests/dhcpv4v6-rfc5970-rfc8572.pcap'];

test('DHCP, BOOTP and DHCPv6 summary lines (whole and cut short) and -V as tshark prints them', { skip: SKIP }, () => {
  const runs: Array<{ args: string[]; reference: string[] }> = [];
  for (const name of [...EVERYDAY, ...SUMMARY_ONLY]) {
    const file = requireCorpusFile(name);
    runs.push({ args: ['-r', file, '-T', 'text'], reference: ['-r', file] });
    if (EVERYDAY.includes(name)) runs.push({ args: ['-r', file, '-V'], reference: ['-r', file, '-V'] });
    for (const snap of [200, 280, 300]) {
      const cut = path.join(tmp, `${path.basename(name)}-s${snap}.pcap`);
      const r = spawnSync('editcap', ['-F', 'pcap', '-s', String(snap), file, cut], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      runs.push({ args: ['-r', cut, '-T', 'text'], reference: ['-r', cut] });
    }
  }
  const ours = sievecapRuns(runs.map((r) => r.args));
  const lines = { bootp: 0, truncated: 0, relay: 0 };
  runs.forEach((run, k) => {
    const expected = tshark(run.reference);
    lines.bootp += (expected.match(/ Boot (Request from|Reply)/g) ?? []).length;
    lines.truncated += (expected.match(/(DHCP|BOOTP) .*\[Packet size limited during capture\]/g) ?? []).length;
    lines.relay += (expected.match(/Relay-forw L: /g) ?? []).length;
    assert.equal(ours[k]!.stdout, expected, `sievecap ${run.args.join(' ')}`);
  });
  // What this test is about was met.
  assert.ok(lines.bootp >= 3 && lines.truncated >= 3 && lines.relay >= 3, JSON.stringify(lines));
});
