/**
 * Regenerates app/filter/wireshark-fields.ts from the installed tshark's field registry
 * (`tshark -G fields`), restricted to the protocols Sievecap dissects. The filter compiler uses
 * the table to reject unknown names and to read literals as Wireshark would for each field type
 * (an IPv4 address for ip.src, seconds for frame.time_relative, ...).
 *
 *   npx tsc -p tsconfig.json && node dist/app/filter/tools/generate-field-table.js > app/filter/wireshark-fields.ts
 *
 * With --registry it writes the same protocols' whole glossary entries instead (`tshark -G fields`
 * and `tshark -G protocols` lines, in tshark's order): `sievecap -G fields|protocols` prints them, and
 * -T pdml|ek|jsonraw read each field's type, parent protocol and bitmask from them.
 *
 *   node dist/app/filter/tools/generate-field-table.js --registry > app/filter/wireshark-field-registry.ts
 */
import { execFileSync } from 'node:child_process';
import { kindOfWiresharkType, type FieldKind } from '../field-kinds';
import { RADIUS_ATTRIBUTES } from '../../dissect/radius-attributes';

/** Protocols whose fields the dissectors in app/dissect emit (layer protocols, plus their kin). */
const PROTOCOLS = [
  'frame', 'eth', 'vlan', 'sll', 'null', 'raw', 'arp', 'ip', 'ipv6', 'icmp', 'icmpv6', 'tcp', 'udp',
  'dns', 'mdns', 'llmnr', 'ssdp', 'nbns', 'nbdgm', 'nbss', 'smb', 'smb2', 'gss-api', 'spnego', 'ntlmssp', 'dcerpc.nt', 'mailslot', 'browser', 'nmpi', 'netbios', 'tftp', 'dhcp', 'dhcpv6', 'http', 'tls', 'quic', 'ntp', 'data', 'ah', 'ipcomp', 'gre', 'vxlan',
  'geneve', 'erspan', 'mpls', 'l2tp', 'ppp', 'pppoe', 'pppoes', 'pppoed', 'lcp', 'ipcp', 'pim',
  'arcnet', 'avsp', 'chdlc', 'cmd', 'fr', 'ipnet', 'ipoib', 'nflog',
  'ptp', 'hsrp', 'hsrp2', 'bfd', 'bfd_echo', 'syslog', 'babel', 'sflow', 'sflow_245',
  'llc', 'stp', 'mstp', 'lldp', 'slow', 'lacp', 'eapol', 'eap', 'udld', 'dtp', 'nhrp', 'ndp', 'cdp',
  'ospf', 'vrrp', 'igmp', 'sctp', 'dccp', 'mipv6', 'mip6',
  'rx', 'afs', 'eigrp', 'kerberos', 'krb4', 'pgm',
  'mptcp', 'ssh', 'esp', 'isakmp', 'udpencap', 'ftp', 'ftp-data', 'smtp', 'imf', 'imap', 'pop',
  'mbtcp', 'modbus', 'bgp', 'openflow', 'openflow_v1', 'openflow_v4', 'resp', 'mysql', 'mariadb', 'pgsql', 'mqtt', 'vnc', 'ldap', 'cldap', 'mscldap',
  'radiotap', 'ppi', 'wlan_radio', 'wlan', 'wlan_rsna_eapol', 'macsec', 'juniper', 'wol', 'teredo', 'ieee8021ad', 'ieee8021ah', 'gtp', 'vntag', 'cfp', 'fddi', 'bofl', 'ayiya', 'websocket',
  // Link-layer protocols (aoe.ts, dec-dna.ts, loop.ts, slarp.ts, geonw.ts: protocol gnw, fields geonw.*).
  'aoe', 'dec_dna', 'loop', 'slarp', 'gnw', 'geonw',
  // macOS's PKTAP header and the user DLTs (pktap.ts).
  'pktap', 'user_dlt',
  // HTTP bodies (http-body.ts).
  'data-text-lines', 'media', 'png', 'image-jfif', 'image-gif', 'json', 'xml', 'urlencoded-form',
  // TLS certificates (x509.ts) use the X.509 dissectors' names.
  'x509sat', 'x509af', 'x509ce', 'x509if', 'pkix1explicit', 'pkix1implicit', 'pkcs1',
  // IS-IS over the OSI network layer and IPX with SAP, RIP and NetBIOS (osi.ts, isis.ts, ipx.ts).
  'osi', 'isis', 'ipx', 'ipxsap', 'ipxrip', 'nbipx',
  // UDP/TCP services (rip.ts, db-lsp.ts, echo.ts).
  'rip', 'db-lsp-disc', 'echo',
  // EtherNet/IP and CIP (enip.ts).
  'enip', 'cip', 'cipcls', 'cipcm', 'cipio',
  // LDP (ldp.ts), MPLS LSP ping (mpls-echo.ts: protocol mpls-echo, fields mpls_echo.*).
  'ldp', 'mpls-echo', 'mpls_echo',
  // SNMP (snmp.ts).
  'snmp',
  // VPNs (wireguard.ts, openvpn.ts).
  'wg', 'openvpn',
  // SIP with SDP, RTP and RTCP (sip.ts, rtp.ts).
  'sip', 'sdp', 'rtp', 'rtpevent', 'rtcp',
  // RADIUS (radius.ts): only the fields it can add, not the thousands of vendor attributes' (RADIUS_FIELDS).
  'radius',
  // STUN, TURN and classic STUN (stun.ts).
  'stun', 'classicstun',
  // ISO transport on TCP (tpkt.ts, cotp.ts), RDP's negotiation and MCS (rdp.ts).
  'tpkt', 'cotp', 'dcerpc', 'rdp', 't125',
  // DNP 3.0 (dnp3.ts: its checksum and chunk fields are named dnp.*).
  'dnp3', 'dnp',
  // ONC RPC and the programs it carries (rpc.ts, nfs.ts, rpc-services.ts).
  'rpc', 'nfs', 'portmap', 'mount',
];

/** The radius.* fields radius.ts adds: the header's, the AVPs', and those of the standard attributes. */
const RADIUS_FIELDS = new Set([
  'radius', 'radius.code', 'radius.id', 'radius.length', 'radius.authenticator', 'radius.req', 'radius.rsp', 'radius.reqframe', 'radius.rspframe', 'radius.time',
  'radius.avp', 'radius.avp.type', 'radius.avp.length', 'radius.eap_fragment', 'radius.Framed-IP-Address', 'radius.Unknown_Attribute',
  'radius.egress_vlanid_tag', 'radius.egress_vlanid_pad', 'radius.egress_vlanid', 'radius.egress_vlan_name_tag', 'radius.egress_vlan_name',
  ...Object.values(RADIUS_ATTRIBUTES).flatMap((a) => {
    const field = `radius.${a.name.replace(/-/g, '_')}`;
    return [field, `${field}_encrypted`, `${field}.tag`];
  }),
]);

function wanted(abbrev: string): boolean {
  return abbrev === 'radius' || abbrev.startsWith('radius.') ? RADIUS_FIELDS.has(abbrev) : PROTOCOLS.some((p) => abbrev === p || abbrev.startsWith(p + '.'));
}

function tsharkReport(report: string): string {
  return execFileSync('tshark', ['-G', report], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
}

function tsharkVersionLine(): string {
  return execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim();
}

/** The glossary lines of the protocols above, as tshark prints them (one JSON string per line). */
function registryModule(): void {
  const fields = tsharkReport('fields').split('\n').filter((line) => {
    const cols = line.split('\t');
    return (cols[0] === 'P' || cols[0] === 'F') && cols[2] !== undefined && wanted(cols[2]);
  });
  const protocols = tsharkReport('protocols').split('\n').filter((line) => {
    const cols = line.split('\t');
    return cols.length === 3 && wanted(cols[2]!);
  });
  const out: string[] = [
    `// GENERATED by app/filter/tools/generate-field-table.ts --registry from \`tshark -G fields\` and \`tshark -G protocols\` (${tsharkVersionLine()}).`,
    '// Do not edit: regenerate. The glossary lines of the protocols Sievecap dissects, in tshark\'s order and layout.',
    '',
    '/** `tshark -G fields` lines: P, name, abbreviation; or F, name, abbreviation, type, parent protocol, base, bitmask, description. */',
    'export const FIELD_GLOSSARY: readonly string[] = [',
    ...fields.map((l) => `  ${JSON.stringify(l)},`),
    '];',
    '',
    '/** `tshark -G protocols` lines: name, short name, filter name. */',
    'export const PROTOCOL_GLOSSARY: readonly string[] = [',
    ...protocols.map((l) => `  ${JSON.stringify(l)},`),
    '];',
    '',
  ];
  process.stdout.write(out.join('\n'));
}

function main(): void {
  if (process.argv.includes('--registry')) return registryModule();
  const registry = tsharkReport('fields');
  const version = tsharkVersionLine();
  const byKind = new Map<FieldKind, Set<string>>();
  for (const line of registry.split('\n')) {
    const cols = line.split('\t');
    let abbrev: string | undefined;
    let kind: FieldKind | undefined;
    if (cols[0] === 'P') [abbrev, kind] = [cols[2], 'protocol'];
    else if (cols[0] === 'F') [abbrev, kind] = [cols[2], kindOfWiresharkType(cols[3] ?? '')];
    if (!abbrev || !kind || !wanted(abbrev)) continue;
    if (!byKind.has(kind)) byKind.set(kind, new Set());
    byKind.get(kind)!.add(abbrev);
  }
  const out: string[] = [
    `// GENERATED by app/filter/tools/generate-field-table.ts from \`tshark -G fields\` (${version}).`,
    '// Do not edit: regenerate. Field names per kind, space-separated.',
    "import type { FieldKind } from './field-kinds';",
    '',
    'export const WIRESHARK_FIELDS: Readonly<Record<FieldKind, string>> = {',
  ];
  const kinds: FieldKind[] = ['protocol', 'none', 'int', 'bool', 'float', 'ipv4', 'ipv6', 'ether', 'bytes', 'string', 'reltime', 'abstime', 'other'];
  for (const kind of kinds) {
    const names = [...(byKind.get(kind) ?? [])].sort();
    const lines: string[] = [];
    let current = '';
    for (const n of names) {
      if (current.length + n.length > 100) {
        lines.push(current);
        current = '';
      }
      current += (current ? ' ' : '') + n;
    }
    if (current) lines.push(current);
    out.push(`  ${kind}: [`);
    for (const l of lines) out.push(`    '${l}',`);
    out.push(`  ].join(' '),`);
  }
  out.push('};', '');
  process.stdout.write(out.join('\n'));
}

main();
