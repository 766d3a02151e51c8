/**
 * The tcpdump-style lines of the application and control protocols a LAN carries — BOOTP/DHCP,
 * DHCPv6, NTP, IGMP (v1, v2, v3 queries and reports), SMTP, FTP and WHOIS first lines, LLDP with
 * its system name, spanning tree (802.1d, 802.1w, MSTP, SPB; Cisco's PVST over SNAP), HSRP, VRRP,
 * GRE, OSPF, ISAKMP/IKE (and ESP in UDP), Kerberos, EIGRP, RADIUS, sFlow, LACP, EAPOL, RIP, RIPng, CDP
 * and IS-IS (with 802.2 LLC and SNAP headers cut short) — against tcpdump 4.99 (Debian's) on the corpus's captures
 * of them, whole and cut short by editcap -s (so that each printer's ` [|proto]` and ` (invalid)`
 * cases are met), with -nn, -q and -e; and whole outputs with -v, -vv and dumps where the printers
 * print all tcpdump prints (IGMP, HSRP, VRRP, syslog, text lines, IPv4 options, VXLAN, OTV, GRE,
 * Geneve, MPTCP options, AH, ESP, IPComp, BFD, Broadcom's LI shim, PIMv1, TFTP, PTP, RIP and Ethernet's
 * loopback (0x9000)); BGP's and PIMv2's
 * first lines. Only the lines of
 * these protocols are compared (other lines of the same files print protocols the printer does not
 * decode, such as CDP with -v); each protocol must be met on at least a few lines.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusFile } from './support/corpus';
import { sievecapRuns } from './support/agree';

const MISSING = ['tcpdump', 'editcap'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
const SKIP = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tcpdump tshark)` : false;
const ENV = { ...process.env, TZ: 'UTC' };

const FILES = [
  'chrissanders-packets/tickedoffdeveloper.pcapng',
  'chrissanders-packets/mail_sender_server_2.pcapng',
  'chrissanders-packets/mail_sender_client_1.pcapng',
  'chrissanders-packets/dhcp_nolease_initialization.pcapng',
  'chrissanders-packets/dhcp6_outlease_acquisition.pcapng',
  'tcpdump/tests/dhcp-rfc4388.pcap',
  'tcpdump/tests/dhcpv4v6-rfc5970-rfc8572.pcap',
  'tcpdump/tests/dhcpv6-ia-na.pcap',
  'tcpdump/tests/IGMP_V1.pcap',
  'tcpdump/tests/IGMP_V2.pcap',
  'tcpdump/tests/igmpv3-queries.pcap',
  'tcpdump/tests/ntp.pcap',
  'tcpdump/tests/ntp-control.pcap',
  'tcpdump/tests/ntp-mode7.pcap',
  'tcpdump/tests/whois.pcap',
  'tcpdump/tests/LLDP_and_CDP.pcap',
  'tcpdump/tests/lldp_mudurl.pcap',
  'tcpdump/tests/dcb_ets.pcap',
  'tcpdump/tests/802.1w_rapid_STP.pcap',
  'tcpdump/tests/MSTP_Intra-Region_BPDUs.pcap',
  'tcpdump/tests/spb_bpduv4.pcap',
  'tcpdump/tests/stp-heapoverflow-1.pcap',
  'tcpdump/tests/stp-heapoverflow-2.pcap',
  'tcpdump/tests/stp-heapoverflow-3.pcap',
  'tcpdump/tests/stp-heapoverflow-4.pcap',
  'tcpdump/tests/stp-v4-length-sigsegv.pcap',
  'tcpdump/tests/HSRP_coup.pcap',
  'tcpdump/tests/vrrp.pcap',
  'tcpdump/tests/various_gre.pcap',
  'tcpdump/tests/wccp_redirect_gre.pcap',
  'tcpdump/tests/erspan-type-ii-3.pcap',
  'tcpdump/tests/erspan-type-i-4.pcap',
  'tcpdump/tests/nhrp.pcapng',
  'tcpdump/tests/ripv1v2.pcap',
  'tcpdump/tests/ripv2_auth.pcap',
  'tcpdump/tests/rip_error_hexdump.pcap',
  'tcpdump/tests/ripv2-invalid-length.pcap',
  'tcpdump/tests/hoobr_ripng_print.pcap',
  'tcpdump/tests/OSPFv2_Capture_FINAL.pcapng',
  'tcpdump/tests/OSPFv3_broadcast_adjacency.pcap',
  'tcpdump/tests/ospf6_print_lshdr-oobr.pcap',
  'tcpdump/tests/ospf3_auth.pcapng',
  'libpcap/tests/filter/isakmp4500.pcap',
  'tcpdump/tests/ISAKMP_sa_setup.pcap',
  'tcpdump/tests/ikev2four.pcap',
  'tcpdump/tests/ikev2pI2.pcap',
  'tcpdump/tests/isakmp-3948-oobr-2.pcap',
  'tcpdump/tests/isakmp-rfc3948-oobr.pcap',
  'tcpdump/tests/isakmp-various-oobr.pcap',
  'tcpdump/tests/esp_truncated.pcap',
  'tcpdump/tests/OSPFv3_with_AH.pcap',
  'tcpdump/tests/bgp-4byte-asn.pcap',
  'tcpdump/tests/bgp-addpath.pcap',
  'tcpdump/tests/bgp-infinite-loop.pcap',
  'tcpdump/tests/pim-packet-assortment.pcap',
  'tcpdump/tests/PIM-SM_join_prune.pcap',
  'tcpdump/tests/PIM-DM_pruning.pcap',
  'tcpdump/tests/PIM_register_register-stop.pcap',
  'tcpdump/tests/PIMv2_bootstrap.pcap',
  'tcpdump/tests/pimv2-oobr-1.pcap',
  'tcpdump/tests/afs.pcap',
  'tcpdump/tests/babel_update_oobr.pcap',
  'tcpdump/tests/EIGRP_adjacency.pcap',
  'tcpdump/tests/EIGRP_goodbye.pcap',
  'tcpdump/tests/EIGRP_subnet_down.pcap',
  'tcpdump/tests/eigrp-tlv-oobr.pcap',
  'tcpdump/tests/RADIUS.pcap',
  'tcpdump/tests/RADIUS-RFC5176.pcap',
  'tcpdump/tests/RADIUS-port1700.pcap',
  'tcpdump/tests/radius_rfc5447_invalid_length.pcap',
  'tcpdump/tests/sflow_expanded.pcap',
  'tcpdump/tests/sflow-print-v6.pcap',
  'tcpdump/tests/sflow_print-segv.pcap',
  'tcpdump/tests/LACP.pcap',
  'tcpdump/tests/eapon1.pcap',
  'tcpdump/tests/eap_extract_read2_asan.pcap',
];

/**
 * Captures whose every line, -v, -vv and the -x/-X dumps included, is tcpdump's: IGMP, HSRP,
 * VRRP and syslog (whose -v parts are printed too), SMTP and WHOIS text lines, IPv4 options (router
 * alert, record route, time stamps, bad lengths), VXLAN and OTV with the frames inside, GRE.
 */
const VERBOSE_FILES = [
  'tcpdump/tests/loopback.pcap',
  'tcpdump/tests/ripv1v2.pcap',
  'tcpdump/tests/ripv2_auth.pcap',
  'tcpdump/tests/rip_error_hexdump.pcap',
  'tcpdump/tests/ripv2-invalid-length.pcap',
  'tcpdump/tests/IGMP_V1.pcap',
  'tcpdump/tests/IGMP_V2.pcap',
  'tcpdump/tests/igmpv3-queries.pcap',
  'tcpdump/tests/HSRP_election.pcap',
  'tcpdump/tests/HSRP_failover.pcap',
  'tcpdump/tests/vrrp.pcap',
  'tcpdump/tests/vrrp-vrrp_print-oobr-2.pcap',
  'tcpdump/tests/whois.pcap',
  'chrissanders-packets/mail_sender_client_1.pcapng',
  'tcpdump/tests/ip_printroute_asan.pcap',
  'tcpdump/tests/ip_ts_opts_asan.pcap',
  'tcpdump/tests/syslog_udp.pcap',
  'tcpdump/tests/vxlan.pcap',
  'tcpdump/tests/vxlan_port_8472.pcap',
  'tcpdump/tests/gso-ipv4-vxlan-ipv4.pcap',
  'tcpdump/tests/wccp_redirect_gre.pcap',
  'libpcap/tests/filter/geneve.pcap',
  'tcpdump/tests/geneve-gcp.pcap',
  'tcpdump/tests/mptcp-v0.pcap',
  'tcpdump/tests/mptcp-v1.pcap',
  'tcpdump/tests/mptcp-aa-echo.pcap',
  'tcpdump/tests/mptcp-dss-oobr.pcap',
  'tcpdump/tests/mptcp-fclose.pcap',
  'libpcap/tests/filter/AH-IPcomp-IPv6.pcap',
  'libpcap/tests/filter/ah-ipip-ping.pcap',
  'tcpdump/tests/02-sunrise-sunset-esp.pcap',
  'tcpdump/tests/espudp1.pcap',
  'tcpdump/tests/bfd-lag.pcap',
  'tcpdump/tests/bfd-multihop.pcap',
  'tcpdump/tests/bfd-raw-auth-md5.pcap',
  'tcpdump/tests/bfd-raw-auth-sha1.pcap',
  'tcpdump/tests/bfd-raw-auth-simple.pcap',
  'tcpdump/tests/bfd-sbfd.pcap',
  'tcpdump/tests/bfd_source_port_49152.pcap',
  'tcpdump/tests/hoobr_bfd_print.pcap',
  'tcpdump/tests/bcm-li.pcap',
  'tcpdump/tests/hoobr_pimv1.pcap',
  'tcpdump/tests/tftp.pcap',
  'tcpdump/tests/tftp-heapoverflow.pcap',
  'tcpdump/tests/ptp.pcap',
  'tcpdump/tests/ptp_corrections.pcap',
  'tcpdump/tests/ptp_ethernet.pcap',
  'tcpdump/tests/ptp_management.pcap',
  'tcpdump/tests/ptp_v2_1.pcap',
  'tcpdump/tests/slow-ossp.pcap',
];

/** What marks a line of each protocol in tcpdump's output. */
const PROTOCOLS: Record<string, RegExp> = {
  bootp: /: BOOTP\/DHCP, /,
  dhcp6: /: dhcp6\b/,
  ntp: /: NTPv\d/,
  igmp: /: (igmp|mtrace|mresp)\b/,
  smtp: /: SMTP\b/,
  ftp: /: FTP\b/,
  whois: /: WHOIS\b/,
  lldp: /^\S+ LLDP, length/,
  stp: /(^\S+ |ctrl 0x03: )(STP 802\.1|unknown STP version)/,
  hsrp: /: HSRPv\d/,
  vrrp: /: VRRPv\d/,
  gre: /: GREv0/,
  ospf: /: OSPFv\d/,
  isakmp: /: (NONESP-encap: )?isakmp\b/,
  ah: /: AH\(/,
  bgp: /: BGP$/,
  pim: /: (PIMv\d|igmp pimv1)/,
  krb: /: {2}v[1-5]( |$)/,
  eigrp: /: EIGRP /,
  radius: /: RADIUS, /,
  sflow: /: sFlow/,
  lacp: /\b(LACP|MARKER)v1, length /,
  eapol: /\b(EAP packet|EAPOL (start|logoff|key)|Encapsulated ASF alert) \(\d+\) v\d+, len /,
  esp: /: (UDP-encap: )?(ESP\(| \[\|esp\])/,
  rip: /\.52[01]: ( \[vers \d+\]|RIPv\d| ripng-)/,
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcpdump-apps-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tcpdump(args: string[]): string {
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tcpdump ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The file, and copies of it cut to the first 42, 60, 90 and 300 bytes of each packet. */
function withCutCopies(name: string): string[] {
  const file = requireCorpusFile(name);
  const inputs = [file];
  for (const snap of [42, 60, 90, 300]) {
    const cut = path.join(tmp, `${path.basename(name).replace(/\.\w+$/, '')}-s${snap}.pcap`);
    if (!fs.existsSync(cut)) {
      const r = spawnSync('editcap', ['-F', 'pcap', '-s', String(snap), file, cut], { encoding: 'utf8' });
      assert.equal(r.status, 0, `editcap -s ${snap} ${name}: ${r.stderr}`);
    }
    inputs.push(cut);
  }
  return inputs;
}

test('IGMP, HSRP, VRRP, syslog, SMTP, WHOIS, IPv4 options, VXLAN, OTV, GRE, Geneve, MPTCP, AH, ESP, IPComp, BFD, BCM-LI, PIMv1, TFTP, PTP, RIP and Loopback: every line as tcpdump prints it, with -v, -vv, -x and -e -X too', { skip: SKIP }, () => {
  const runs = VERBOSE_FILES.flatMap(withCutCopies).flatMap((file) => [['-nn'], ['-nn', '-v'], ['-nn', '-vv'], ['-nn', '-x'], ['-nn', '-e', '-X']].map((args) => [...args, '-r', file]));
  const ours = sievecapRuns(runs);
  const problems: string[] = [];
  runs.forEach((args, k) => {
    assert.equal(ours[k]!.status, 0, `sievecap ${args.join(' ')}: ${ours[k]!.stderr}`);
    if (ours[k]!.stdout !== tcpdump(args)) problems.push(`sievecap ${args.join(' ')}`);
  });
  assert.deepEqual(problems, [], 'output differs from tcpdump\'s');
});

test('BOOTP/DHCP, DHCPv6, NTP, IGMP, SMTP, FTP, WHOIS, LLDP, STP, HSRP, VRRP, GRE, OSPF, ISAKMP, ESP-in-UDP, BGP, PIM, Kerberos, EIGRP, RADIUS, sFlow, LACP, EAPOL and RIP lines as tcpdump prints them (-nn, -q, -e; whole and cut packets)', { skip: SKIP }, () => {
  const inputs: string[] = [];
  for (const name of FILES) {
    inputs.push(...withCutCopies(name));
  }
  const argSets = [['-nn'], ['-nn', '-q'], ['-nn', '-e']];
  const runs = inputs.flatMap((file) => argSets.map((args) => [...args, '-r', file]));
  const ours = sievecapRuns(runs);
  const met: Record<string, number> = Object.fromEntries(Object.keys(PROTOCOLS).map((p) => [p, 0]));
  let truncatedMet = 0;
  const problems: string[] = [];
  runs.forEach((args, k) => {
    // Packet lines only: where the printer lacks a protocol (CDP, say) it adds a hex dump below.
    const packetLines = (text: string): string[] => text.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d+ /.test(l));
    const theirs = packetLines(tcpdump(args));
    const mine = packetLines(ours[k]!.stdout);
    assert.equal(ours[k]!.status, 0, `sievecap ${args.join(' ')}: ${ours[k]!.stderr}`);
    assert.equal(mine.length, theirs.length, `sievecap ${args.join(' ')}: ${mine.length} packet lines, tcpdump ${theirs.length}`);
    theirs.forEach((line, i) => {
      const protocol = Object.keys(PROTOCOLS).find((p) => PROTOCOLS[p]!.test(line));
      if (protocol === undefined) return;
      met[protocol]!++;
      if (/ \[\|\w+\]/.test(line)) truncatedMet++;
      if (mine[i] !== line) problems.push(`${args.join(' ')} packet ${i + 1}:\n  tcpdump:  ${line}\n  sievecap: ${mine[i]}`);
    });
  });
  console.log(`compared: ${JSON.stringify(met)}, ${truncatedMet} of them cut short`);
  assert.deepEqual(problems.slice(0, 10), [], `${problems.length} lines differ from tcpdump's`);
  for (const [protocol, n] of Object.entries(met)) assert.ok(n >= 2, `only ${n} ${protocol} lines compared`);
  assert.ok(truncatedMet >= 10, `only ${truncatedMet} cut lines compared`);
});

/** Ethernet + IPv6 + UDP from port `sport` to 521 (RIPng), the UDP checksum right. */
function ripngFrame(payload: Buffer, sport = 521): Buffer {
  const src = Buffer.from('fe800000000000000000000000000001', 'hex');
  const dst = Buffer.from('ff020000000000000000000000000009', 'hex');
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sport, 0);
  udp.writeUInt16BE(521, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  const pseudo = Buffer.concat([src, dst, Buffer.from([0, 0, (8 + payload.length) >> 8, (8 + payload.length) & 0xff, 0, 0, 0, 17]), udp, payload]);
  let sum = 0;
  for (let k = 0; k < pseudo.length; k += 2) sum += (pseudo[k]! << 8) | (pseudo[k + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  udp.writeUInt16BE(~sum & 0xffff || 0xffff, 6);
  const ip6 = Buffer.alloc(8);
  ip6.writeUInt32BE(0x60000000, 0);
  ip6.writeUInt16BE(8 + payload.length, 4);
  ip6[6] = 17;
  ip6[7] = 255;
  const eth = Buffer.from('333300000009020000000001' + '86dd', 'hex');
  return Buffer.concat([eth, ip6, src, dst, udp, payload]);
}

/** A RIPng entry: prefix, route tag, prefix length, metric. */
function ripngEntry(prefix: string, tag: number, length: number, metric: number): Buffer {
  const e = Buffer.alloc(20);
  Buffer.from(prefix, 'hex').copy(e, 0);
  e.writeUInt16BE(tag, 16);
  e[18] = length;
  e[19] = metric;
  return e;
}

test('RIPng built frames (requests, a table dump, responses with tags and metrics, bad versions, commands and lengths): every line as tcpdump prints it, with -v and -vv', { skip: SKIP }, () => {
  const header = (command: number, version = 1): Buffer => Buffer.from([command, version, 0, 0]);
  const a = ripngEntry('20010db8000100000000000000000000', 0, 48, 1);
  const b = ripngEntry('20010db8000200000000000000000000', 7, 64, 0);
  const c = ripngEntry('fd000000000000000000000000000000', 0xffff, 8, 15);
  const dump = ripngEntry('00000000000000000000000000000000', 0, 0, 16);
  const payloads = [
    Buffer.concat([header(1), dump]),
    Buffer.concat([header(1), a, b]),
    Buffer.concat([header(1), dump, dump]),
    Buffer.concat([header(2), a, b, c]),
    Buffer.concat([header(2), a, Buffer.alloc(7)]),
    Buffer.concat([header(2)]),
    Buffer.concat([header(9), a]),
    Buffer.concat([header(2, 2), a]),
    Buffer.from([2, 1]),
    Buffer.concat([header(2), a]).subarray(0, 14),
  ];
  const file = path.join(tmp, 'ripng-built.pcap');
  const records = payloads.map((payload, k) => {
    const frame = ripngFrame(payload);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1700000000 + k, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20);
  fs.writeFileSync(file, Buffer.concat([global, ...records]));
  const inputs = [file];
  for (const snap of [70, 80, 100]) {
    const cut = path.join(tmp, `ripng-built-s${snap}.pcap`);
    const r = spawnSync('editcap', ['-F', 'pcap', '-s', String(snap), file, cut], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    inputs.push(cut);
  }
  const runs = inputs.flatMap((f) => [['-nn'], ['-nn', '-v'], ['-nn', '-vv'], ['-nn', '-q']].map((args) => [...args, '-r', f]));
  const ours = sievecapRuns(runs);
  let ripngLines = 0;
  runs.forEach((args, k) => {
    const theirs = tcpdump(args);
    ripngLines += (theirs.match(/ ripng-/g) ?? []).length;
    assert.equal(ours[k]!.stdout, theirs, `sievecap ${args.join(' ')}`);
  });
  assert.ok(ripngLines >= 40, `only ${ripngLines} RIPng lines compared`);
});

test('CDP without -v: every line as tcpdump prints it (Device-ID, the other TLVs dumped), with -e, -q, -x and -e -X, whole and cut', { skip: SKIP }, () => {
  const files = ['tcpdump/tests/LLDP_and_CDP.pcap', 'tcpdump/tests/3560_CDP.pcap'].flatMap(withCutCopies);
  const runs = files.flatMap((file) => [['-nn'], ['-nn', '-e'], ['-nn', '-q'], ['-nn', '-x'], ['-nn', '-e', '-X']].map((args) => [...args, '-r', file]));
  const ours = sievecapRuns(runs);
  let cdpLines = 0;
  runs.forEach((args, k) => {
    const theirs = tcpdump(args);
    cdpLines += (theirs.match(/CDPv2, ttl: /g) ?? []).length;
    assert.equal(ours[k]!.stdout, theirs, `sievecap ${args.join(' ')}`);
  });
  assert.ok(cdpLines >= 50, `only ${cdpLines} CDP lines compared`);
});

test('IS-IS without -v, and 802.2 LLC, SNAP and LLDP headers cut short: every line as tcpdump prints it, with -e, -x and -e -X', { skip: SKIP }, () => {
  // IS-IS's PDU types (LAN and point-to-point hellos, LSPs, CSNPs, PSNPs) from the corpus, and built
  // PDUs whose common or fixed header tcpdump refuses; cut inside the LLC header ([|llc] and the
  // bytes there are), before the OSI NLPID ([|isoclns]), inside the SNAP header ([|snap]) and the
  // first LLDP TLV ([|lldp]).
  const built = path.join(tmp, 'isis-built.pcap');
  fs.writeFileSync(built, isisBuiltCapture());
  const names = ['ISIS_level1_adjacency.pcap', 'ISIS_level2_adjacency.pcap', 'ISIS_external_lsp.pcap', 'isis_iid_tlv.pcap', 'isis-areaaddr-oobr-1.pcap', 'isis-areaaddr-oobr-2.pcap', 'isis-extd-ipreach-oobr.pcap', 'fletcher-checksum-negative-shift.pcap', 'isis_sr.pcapng', 'isis-seg-fault-1.pcapng', 'LLDP_and_CDP.pcap', 'lldp_8021_linkagg.pcap'];
  const inputs: string[] = [];
  for (const name of [...names, built]) {
    const file = name === built ? built : requireCorpusFile(`tcpdump/tests/${name}`);
    for (const snap of [0, 15, 16, 17, 18, 20, 25, 34, 45]) {
      const cut = path.join(tmp, `osi-${path.basename(name).replace(/\.\w+$/, '')}-s${snap}.pcap`);
      const r = spawnSync('editcap', ['-F', 'pcap', ...(snap ? ['-s', String(snap)] : []), file, cut], { encoding: 'utf8' });
      assert.equal(r.status, 0, `editcap -s ${snap} ${name}: ${r.stderr}`);
      inputs.push(cut);
    }
  }
  const runs = inputs.flatMap((file) => [['-nn'], ['-nn', '-e'], ['-nn', '-x'], ['-nn', '-e', '-X']].map((args) => [...args, '-r', file]));
  const ours = sievecapRuns(runs);
  const met = { isis: 0, refused: 0, llc: 0, isoclns: 0, snap: 0, lldp: 0 };
  runs.forEach((args, k) => {
    const theirs = tcpdump(args);
    met.isis += (theirs.match(/IS-IS, |OSI NLPID IS-IS/g) ?? []).length;
    met.refused += (theirs.match(/bogus fixed header|not supported|255 areas|> packet length|< minimum header/g) ?? []).length;
    for (const proto of ['llc', 'isoclns', 'snap', 'lldp'] as const) met[proto] += theirs.split(` [|${proto}]`).length - 1;
    assert.equal(ours[k]!.stdout, theirs, `sievecap ${args.join(' ')}`);
  });
  console.log(`compared: ${JSON.stringify(met)}`);
  assert.ok(met.isis >= 500 && met.refused >= 20 && met.llc >= 20 && met.isoclns >= 20 && met.snap >= 4 && met.lldp >= 4, `too few lines compared: ${JSON.stringify(met)}`);
});

/**
 * A pcap of 802.3 frames carrying IS-IS PDUs (LLC fe fe 03): one good PDU of each type, and PDUs
 * with a bad version, system ID length, PDU version, fixed header length (too long, too short,
 * wrong for the type), 255 areas, and an unknown PDU type.
 */
function isisBuiltCapture(): Buffer {
  // nlpid, fixed length, version, ID length, PDU type, PDU version, reserved, max areas.
  const common = (fixed: number, type: number, over: Partial<Record<'version' | 'idLength' | 'pduVersion' | 'maxArea', number>> = {}): number[] =>
    [0x83, fixed, over.version ?? 1, over.idLength ?? 0, type, over.pduVersion ?? 1, 0, over.maxArea ?? 0];
  const id = [0x19, 0x20, 0x01, 0x68, 0x00, 0x07];
  const lanIih = [1, ...id, 0, 30, 0x05, 0xd9, 64, ...id, 2];
  const ptpIih = [1, ...id, 0, 30, 0x05, 0xd9, 9];
  const lsp = [0, 100, 0x04, 0xaf, ...id, 0, 3, 0, 0, 0x12, 0x34, 0xab, 0xcd, 3];
  const csnp = [0, 100, ...id, 0, ...Array(8).fill(0), ...Array(8).fill(0xff)];
  const psnp = [0, 100, ...id, 0];
  const pdus: number[][] = [
    [...common(27, 15), ...lanIih],
    [...common(27, 16), ...lanIih],
    [...common(20, 17), ...ptpIih],
    [...common(27, 18), ...lsp],
    [...common(27, 20), ...lsp],
    [...common(33, 24), ...csnp],
    [...common(33, 25), ...csnp],
    [...common(17, 26), ...psnp],
    [...common(17, 27), ...psnp],
    [...common(8, 9), 1, 2, 3, 4],
    [...common(27, 15, { version: 2 }), ...lanIih],
    [...common(27, 15, { idLength: 8 }), ...lanIih],
    [...common(27, 15, { pduVersion: 3 }), ...lanIih],
    [...common(200, 15), ...lanIih],
    [...common(4, 15), ...lanIih],
    [...common(27, 15, { maxArea: 255 }), ...lanIih],
    [...common(26, 15), ...lanIih],
    [...common(21, 17), ...ptpIih],
    [...common(26, 18), ...lsp],
    [...common(30, 24), ...csnp],
    [...common(18, 26), ...psnp],
    [...common(27, 15, { idLength: 6 }), ...lanIih.slice(0, 10)],
  ];
  const records = pdus.map((pdu, k) => {
    const llc = Buffer.from([0xfe, 0xfe, 0x03, ...pdu]);
    const eth = Buffer.alloc(14);
    Buffer.from('0180c2000014', 'hex').copy(eth, 0);
    Buffer.from('02000000000' + (k % 10), 'hex').copy(eth, 6);
    eth.writeUInt16BE(llc.length, 12);
    const frame = Buffer.concat([eth, llc]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1700000000 + k, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20);
  return Buffer.concat([global, ...records]);
}
