/** The hand-off table entries of the link, network, transport and tunnel dissectors. */
import { dissectDccp, IP_PROTO_DCCP } from './dccp';
import { dissectMipv6, IP_PROTO_MIPV6, IP_PROTO_MIPV6_OLD } from './mipv6';
import { dissectNhrp, IPPROTO_NHRP } from './nhrp';
import { dissectArp } from './arp';
import type { Dissector } from './dissector';
import { dissectArcnet } from './arcnet';
import { dissectArista, ETHERTYPE_ARISTA } from './arista';
import { dissectIpnet, dissectIpoib, dissectNflog } from './capture-headers';
import { dissectCmd, ETHERTYPE_CMD } from './cmd';
import { dissectIpcomp } from './ipcomp';
import { dissectL2tp, L2TP_PORT } from './l2tp';
import { dissectMpls } from './mpls';
import { dissectPim } from './pim';
import { dissectOspf } from './ospf';
import { dissectVrrp } from './vrrp';
import { dissectEigrp, IP_PROTO_EIGRP } from './eigrp';
import { dissectPgm, IP_PROTO_PGM } from './pgm';
import { dissectIgmp } from './igmp';
import { dissectSctp } from './sctp';
import { dissectPpp } from './ppp';
import { dissectCiscoHdlc, dissectFrameRelay } from './wan';
import { dissectErspan, ETHERTYPE_ERSPAN_II, ETHERTYPE_ERSPAN_III } from './erspan';
import { dissectIcmp } from './icmp';
import { dissectIcmpv6 } from './icmpv6';
import { dissectIpv4 } from './ipv4';
import { dissectIpv6 } from './ipv6';
import { dissectEthernet, dissectNull, dissectRaw, dissectSll, dissectSll2, dissectVlan } from './link';
import { dissectLlc, LINKTYPE_ATM_RFC1483 } from './llc';
import { dissectLldp, ETHERTYPE_LLDP } from './lldp';
import { dissectPktap, dissectUserDlt, LINKTYPE_PKTAP, LINKTYPE_USER0, LINKTYPE_USER15 } from './pktap';
import { dissectSlow, ETHERTYPE_SLOW } from './slow';
import { dissectEapol, ETHERTYPE_EAPOL } from './eapol';
import { dissectPppoeSession } from './pppoe';
import { dissectTcp } from './tcp';
import { dissectAh, dissectGeneve, dissectGre, dissectVxlan } from './tunnels';
import { dissectUdp } from './udp';
import { dissectEsp, IP_PROTO_ESP } from './esp';
import { dissectUdpEncap, UDPENCAP_PORT } from './isakmp';
import { dissectPtpEthertype, ETHERTYPE_PTP } from './ptp';
import { dissectAoe, ETHERTYPE_AOE } from './aoe';
import { dissectLoop, ETHERTYPE_LOOP } from './loop';
import { dissectDecDna, ETHERTYPE_DEC_DNA } from './dec-dna';
import { dissectGeonw, ETHERTYPE_GEONW } from './geonw';
import { dissectRadiotap, LINKTYPE_IEEE802_11_RADIOTAP } from './radiotap';
import { dissectWlan, LINKTYPE_IEEE802_11 } from './wlan';

export const LINKTYPE = {
  NULL: 0, ETHERNET: 1, ARCNET_BSD: 7, PPP: 9, RAW_12: 12, RAW_14: 14, PPP_HDLC: 50, RAW: 101, C_HDLC: 104, FRELAY: 107, LOOP: 108,
  LINUX_SLL: 113, ARCNET_LINUX: 129, IPNET: 226, IPV4: 228, IPV6: 229, NFLOG: 239, IPOIB: 242, LINUX_SLL2: 276,
} as const;

export function registerCoreDissectors(d: Dissector): void {
  d.linkTypes.set(LINKTYPE.ETHERNET, dissectEthernet);
  d.linkTypes.set(LINKTYPE.NULL, (dd, p, data, o, e) => dissectNull(dd, p, data, o, e, false));
  d.linkTypes.set(LINKTYPE.LOOP, (dd, p, data, o, e) => dissectNull(dd, p, data, o, e, true));
  for (const raw of [LINKTYPE.RAW, LINKTYPE.RAW_12, LINKTYPE.RAW_14]) d.linkTypes.set(raw, (dd, p, data, o, e) => dissectRaw(dd, p, data, o, e));
  d.linkTypes.set(LINKTYPE.IPV4, (dd, p, data, o, e) => dissectRaw(dd, p, data, o, e, 4));
  d.linkTypes.set(LINKTYPE.IPV6, (dd, p, data, o, e) => dissectRaw(dd, p, data, o, e, 6));
  d.linkTypes.set(LINKTYPE.LINUX_SLL, dissectSll);
  d.linkTypes.set(LINKTYPE.LINUX_SLL2, dissectSll2);
  d.linkTypes.set(LINKTYPE.ARCNET_BSD, (dd, p, data, o, e) => dissectArcnet(dd, p, data, o, e, false));
  d.linkTypes.set(LINKTYPE.ARCNET_LINUX, (dd, p, data, o, e) => dissectArcnet(dd, p, data, o, e, true));
  d.linkTypes.set(LINKTYPE.PPP, dissectPpp);
  d.linkTypes.set(LINKTYPE.PPP_HDLC, dissectPpp);
  d.linkTypes.set(LINKTYPE.C_HDLC, dissectCiscoHdlc);
  d.linkTypes.set(LINKTYPE.FRELAY, dissectFrameRelay);
  d.linkTypes.set(LINKTYPE.IPNET, dissectIpnet);
  d.linkTypes.set(LINKTYPE.NFLOG, dissectNflog);
  d.linkTypes.set(LINKTYPE.IPOIB, dissectIpoib);
  d.linkTypes.set(LINKTYPE_ATM_RFC1483, dissectLlc);
  d.linkTypes.set(LINKTYPE_IEEE802_11_RADIOTAP, dissectRadiotap);
  d.linkTypes.set(LINKTYPE_IEEE802_11, dissectWlan);
  d.linkTypes.set(LINKTYPE_PKTAP, dissectPktap);
  for (let user = LINKTYPE_USER0; user <= LINKTYPE_USER15; user++) d.linkTypes.set(user, (dd, p, data, o, e) => dissectUserDlt(dd, p, data, o, e, user));

  d.ethertypes.set(0x0800, dissectIpv4);
  d.ethertypes.set(0x86dd, dissectIpv6);
  d.ethertypes.set(0x0806, dissectArp);
  d.ethertypes.set(0x8035, dissectArp);
  d.ethertypes.set(0x8100, dissectVlan);
  d.ethertypes.set(0x88a8, dissectVlan);
  d.ethertypes.set(0x9100, dissectVlan);
  d.ethertypes.set(0x8864, dissectPppoeSession);
  d.ethertypes.set(ETHERTYPE_ERSPAN_II, dissectErspan);
  d.ethertypes.set(0x8847, dissectMpls);
  d.ethertypes.set(0x8848, dissectMpls);
  d.ethertypes.set(ETHERTYPE_ARISTA, dissectArista);
  d.ethertypes.set(ETHERTYPE_CMD, dissectCmd);
  d.ethertypes.set(ETHERTYPE_LLDP, dissectLldp);
  d.ethertypes.set(ETHERTYPE_SLOW, dissectSlow);
  d.ethertypes.set(ETHERTYPE_EAPOL, dissectEapol);
  d.ethertypes.set(ETHERTYPE_ERSPAN_III, dissectErspan);
  d.ethertypes.set(ETHERTYPE_PTP, dissectPtpEthertype);
  d.ethertypes.set(ETHERTYPE_AOE, dissectAoe);
  d.ethertypes.set(ETHERTYPE_LOOP, dissectLoop);
  d.ethertypes.set(ETHERTYPE_DEC_DNA, dissectDecDna);
  d.ethertypes.set(ETHERTYPE_GEONW, dissectGeonw);

  d.ipProtocols.set(1, dissectIcmp);
  d.ipProtocols.set(6, dissectTcp);
  d.ipProtocols.set(17, dissectUdp);
  d.ipProtocols.set(47, dissectGre);
  d.ipProtocols.set(IPPROTO_NHRP, dissectNhrp);
  d.ipProtocols.set(58, dissectIcmpv6);
  d.ipProtocols.set(4, dissectIpv4);
  d.ipProtocols.set(41, dissectIpv6);

  d.ipProtocols.set(IP_PROTO_ESP, dissectEsp);
  d.ipProtocols.set(51, dissectAh);
  d.ipProtocols.set(103, dissectPim);
  d.ipProtocols.set(89, dissectOspf);
  d.ipProtocols.set(112, dissectVrrp);
  d.ipProtocols.set(IP_PROTO_EIGRP, dissectEigrp);
  d.ipProtocols.set(IP_PROTO_PGM, dissectPgm);
  d.ipProtocols.set(2, dissectIgmp);
  d.ipProtocols.set(132, dissectSctp);
  d.ipProtocols.set(108, dissectIpcomp);
  d.ipProtocols.set(IP_PROTO_DCCP, dissectDccp);
  d.ipProtocols.set(IP_PROTO_MIPV6, dissectMipv6);
  d.ipProtocols.set(IP_PROTO_MIPV6_OLD, dissectMipv6);
  d.udpTunnels.set(4789, dissectVxlan);
  d.udpTunnels.set(6081, dissectGeneve);
  // RFC 7510 MPLS in UDP (Wireshark's mpls-udp port).
  d.udpTunnels.set(6635, dissectMpls);
  d.udpTunnels.set(L2TP_PORT, dissectL2tp);
  d.udpTunnels.set(UDPENCAP_PORT, dissectUdpEncap);
}
