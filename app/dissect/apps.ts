/**
 * The application-protocol dissectors shipped with Sievecap, registered in one place so a Dissector
 * instance gets them all with one call.
 */
import type { AppDissector } from './model';
import { createDnsDissector, dnsHeuristic } from './dns';
import { dhcpDissector } from './dhcp';
import { dhcpv6Dissector } from './dhcpv6';
import { ntpDissector } from './ntp';
import { createHttpDissector } from './http';
import { HttpTransactionTable } from './http-transactions';
import { createTlsDissector } from './tls';
import { createQuicDissector } from './quic';
import { createSsdpDissector } from './ssdp';
import { nbnsDissector } from './nbns';
import { nbdgmDissector } from './nbdgm';
import { createTftpDissector } from './tftp';
import { isakmpDissector } from './isakmp';
import { createSshDissector } from './ssh';
import { createFtpDissectors } from './ftp';
import { createSmtpDissector } from './smtp';
import { createImapDissector } from './imap';
import { createPopDissector } from './pop';
import { ptpDissector } from './ptp';
import { hsrpDissector } from './hsrp';
import { bfdControlDissector, bfdEchoDissector } from './bfd';
import { syslogDissector } from './syslog';
import { babelDissector } from './babel';
import { sflowDissector } from './sflow';
import { createRxDissector } from './rx';
import { createLdapDissector } from './ldap';
import { createKerberosDissector } from './kerberos';
import { createModbusDissector } from './modbus';
import { bgpDissector } from './bgp';
import { createOpenflowDissector } from './openflow';
import { respDissector } from './resp';
import { createMysqlDissector } from './mysql';
import { createPgsqlDissector } from './pgsql';
import { createMqttDissector } from './mqtt';
import { createVncDissector } from './vnc';
import { dbLspDiscDissector } from './db-lsp';
import { ripDissector } from './rip';
import { echoDissector } from './echo';
import { createEnipDissector } from './enip';
import { cipIoDissector } from './cipio';
import { createRadiusDissector } from './radius';
import { ldpDissector } from './ldp';
import { mplsEchoDissector } from './mpls-echo';
import { createSnmpDissector } from './snmp';
import { createStunDissector } from './stun';
import { createWireguardDissector } from './wireguard';
import { wolDissector } from './wol';
import { createOpenvpnDissector } from './openvpn';
import { createNbssDissector } from './nbss';
import { createTpktDissector } from './tpkt';
import { createSipRtpDissectors } from './sip';
import { createDcerpcDissector } from './dcerpc';
import { createDnp3Dissector } from './dnp3';
import { createRpcDissector } from './rpc';

/** A fresh set of app dissectors (the stateful ones get their own conversation memory). */
export function createDefaultAppDissectors(): AppDissector[] {
  // HTTP and SSDP keep their request/response pairs in one table, as Wireshark's conversation data.
  const httpTransactions = new HttpTransactionTable();
  const dns = createDnsDissector();
  // MySQL, PostgreSQL, SMTP, IMAP and POP hand their connection to TLS after STARTTLS / STLS (ssl_starttls_ack).
  const tls = createTlsDissector();
  return [
  dns,
  dhcpDissector,
  dhcpv6Dissector,
  ntpDissector,
  createHttpDissector(httpTransactions),
  tls,
  createQuicDissector(),
  createSsdpDissector(httpTransactions),
  nbnsDissector,
  nbdgmDissector,
  createTftpDissector(),
  isakmpDissector,
  createSshDissector(),
  ...createFtpDissectors(),
  createSmtpDissector(tls),
  createImapDissector(tls),
  createPopDissector(tls),
  ptpDissector,
  hsrpDissector,
  bfdControlDissector,
  bfdEchoDissector,
  syslogDissector,
  babelDissector,
  sflowDissector,
  createRxDissector(),
  createKerberosDissector(),
  createModbusDissector(),
  createLdapDissector(),
  bgpDissector,
  createOpenflowDissector(),
  respDissector,
  createMysqlDissector(tls),
  createPgsqlDissector(tls),
  createMqttDissector(),
  createVncDissector(),
  dbLspDiscDissector,
  ripDissector,
  echoDissector,
  createEnipDissector(),
  cipIoDissector,
  createRadiusDissector(),
  ldpDissector,
  mplsEchoDissector,
  createSnmpDissector(),
  createStunDissector(),
  createWireguardDissector(),
  wolDissector,
  createOpenvpnDissector(),
  createNbssDissector(),
  createTpktDissector(),
  createDnp3Dissector(),
  // DCE/RPC over TCP: no port of its own, only its heuristic (135 and the endpoint mapper's ports).
  createDcerpcDissector(),
  // ONC RPC (NFS, Portmap, MOUNT...): port 111 and its heuristic on UDP and TCP.
  createRpcDissector(),
  // SIP with SDP, and the RTP/RTCP its SDP sets up (RTCP's heuristic last, as tshark tries it late).
  ...createSipRtpDissectors(),
  // DNS on other UDP ports: its heuristic after every other one, as tshark tries them.
  dnsHeuristic(dns),
  ];
}

export function registerDefaultAppDissectors(d: { register(app: AppDissector): void }): void {
  for (const app of createDefaultAppDissectors()) d.register(app);
}
