/**
 * Link-layer header types: the LINKTYPE_* values stored in pcap and pcapng files, the DLT_* values
 * libpcap uses in memory, and the names tcpdump prints ("EN10MB (Ethernet)").
 *
 * Files store LINKTYPE_* values. For most types LINKTYPE_* == DLT_*; the exceptions are a few
 * low numbers whose DLT_* value differs between operating systems (LINKTYPE_RAW is 101 in files,
 * DLT_RAW is 12 on Linux and 14 on OpenBSD). linkTypeToDlt() maps them as libpcap's
 * linktype_to_dlt() does on Linux, so names match what tcpdump prints here.
 */

export const DLT_NULL = 0;
export const DLT_EN10MB = 1;
export const DLT_IEEE802 = 6;
export const DLT_PPP = 9;
export const DLT_FDDI = 10;
/** Raw IP as DLT_RAW on Linux; files store LINKTYPE_RAW (101). */
export const DLT_RAW = 12;
/** Raw IP as DLT_RAW on OpenBSD (tcpdump on Linux does not name it: it prints "14"). */
export const DLT_RAW_OPENBSD = 14;
export const DLT_PPP_SERIAL = 50;
export const LINKTYPE_RAW = 101;
export const DLT_C_HDLC = 104;
export const DLT_IEEE802_11 = 105;
export const DLT_LOOP = 108;
export const DLT_LINUX_SLL = 113;
export const DLT_PFLOG = 117;
export const DLT_IEEE802_11_RADIO = 127;
export const DLT_USB_LINUX = 189;
export const DLT_PPI = 192;
export const DLT_USB_LINUX_MMAPPED = 220;
export const DLT_IPV4 = 228;
export const DLT_IPV6 = 229;
export const DLT_DBUS = 231;
export const DLT_NFLOG = 239;
export const DLT_USBPCAP = 249;
export const DLT_NETLINK = 253;
export const DLT_LINUX_SLL2 = 276;
export const DLT_EBHSCR = 279;

/** LINKTYPE_* values (as stored in files) whose DLT_* value differs, as libpcap maps them on Linux. */
const LINKTYPE_TO_DLT: ReadonlyMap<number, number> = new Map([
  [100, 11], // LINKTYPE_ATM_RFC1483 -> DLT_ATM_RFC1483
  [101, 12], // LINKTYPE_RAW -> DLT_RAW
  [102, 15], // LINKTYPE_SLIP_BSDOS -> DLT_SLIP_BSDOS
  [103, 16], // LINKTYPE_PPP_BSDOS -> DLT_PPP_BSDOS
  [106, 19], // LINKTYPE_ATM_CLIP -> DLT_ATM_CLIP
]);

/** Maps a LINKTYPE_* value from a file to the DLT_* value libpcap on Linux would report. */
export function linkTypeToDlt(linkType: number): number {
  return LINKTYPE_TO_DLT.get(linkType) ?? linkType;
}

/**
 * [name, description] per DLT_* value, exactly as libpcap 1.10 (pcap_datalink_val_to_name and
 * pcap_datalink_val_to_description) reports them on Linux; tcpdump prints "NAME (description)".
 */
const DLT_NAMES: ReadonlyMap<number, readonly [string, string]> = new Map<number, readonly [string, string]>([
  [0, ['NULL', 'BSD loopback']],
  [1, ['EN10MB', 'Ethernet']],
  [6, ['IEEE802', 'Token ring']],
  [7, ['ARCNET', 'BSD ARCNET']],
  [8, ['SLIP', 'SLIP']],
  [9, ['PPP', 'PPP']],
  [10, ['FDDI', 'FDDI']],
  [11, ['ATM_RFC1483', 'RFC 1483 LLC-encapsulated ATM']],
  [12, ['RAW', 'Raw IP']],
  [15, ['SLIP_BSDOS', 'BSD/OS SLIP']],
  [16, ['PPP_BSDOS', 'BSD/OS PPP']],
  [19, ['ATM_CLIP', 'Linux Classical IP over ATM']],
  [50, ['PPP_SERIAL', 'PPP over serial']],
  [51, ['PPP_ETHER', 'PPPoE']],
  [99, ['SYMANTEC_FIREWALL', 'Symantec Firewall']],
  [104, ['C_HDLC', 'Cisco HDLC']],
  [105, ['IEEE802_11', '802.11']],
  [107, ['FRELAY', 'Frame Relay']],
  [108, ['LOOP', 'OpenBSD loopback']],
  [109, ['ENC', 'OpenBSD encapsulated IP']],
  [113, ['LINUX_SLL', 'Linux cooked v1']],
  [114, ['LTALK', 'Localtalk']],
  [117, ['PFLOG', 'OpenBSD pflog file']],
  [119, ['PRISM_HEADER', '802.11 plus Prism header']],
  [122, ['IP_OVER_FC', 'RFC 2625 IP-over-Fibre Channel']],
  [123, ['SUNATM', 'Sun raw ATM']],
  [127, ['IEEE802_11_RADIO', '802.11 plus radiotap header']],
  [129, ['ARCNET_LINUX', 'Linux ARCNET']],
  [130, ['JUNIPER_MLPPP', 'Juniper Multi-Link PPP']],
  [131, ['JUNIPER_MLFR', 'Juniper Multi-Link Frame Relay']],
  [132, ['JUNIPER_ES', 'Juniper Encryption Services PIC']],
  [133, ['JUNIPER_GGSN', 'Juniper GGSN PIC']],
  [134, ['JUNIPER_MFR', 'Juniper FRF.16 Frame Relay']],
  [135, ['JUNIPER_ATM2', 'Juniper ATM2 PIC']],
  [136, ['JUNIPER_SERVICES', 'Juniper Advanced Services PIC']],
  [137, ['JUNIPER_ATM1', 'Juniper ATM1 PIC']],
  [138, ['APPLE_IP_OVER_IEEE1394', 'Apple IP-over-IEEE 1394']],
  [139, ['MTP2_WITH_PHDR', 'SS7 MTP2 with Pseudo-header']],
  [140, ['MTP2', 'SS7 MTP2']],
  [141, ['MTP3', 'SS7 MTP3']],
  [142, ['SCCP', 'SS7 SCCP']],
  [143, ['DOCSIS', 'DOCSIS']],
  [144, ['LINUX_IRDA', 'Linux IrDA']],
  [163, ['IEEE802_11_RADIO_AVS', '802.11 plus AVS radio information header']],
  [164, ['JUNIPER_MONITOR', 'Juniper Passive Monitor PIC']],
  [165, ['BACNET_MS_TP', 'BACnet MS/TP']],
  [166, ['PPP_PPPD', 'PPP for pppd, with direction flag']],
  [167, ['JUNIPER_PPPOE', 'Juniper PPPoE']],
  [168, ['JUNIPER_PPPOE_ATM', 'Juniper PPPoE/ATM']],
  [169, ['GPRS_LLC', 'GPRS LLC']],
  [170, ['GPF_T', 'GPF-T']],
  [171, ['GPF_F', 'GPF-F']],
  [174, ['JUNIPER_PIC_PEER', 'Juniper PIC Peer']],
  [175, ['ERF_ETH', 'Ethernet with Endace ERF header']],
  [176, ['ERF_POS', 'Packet-over-SONET with Endace ERF header']],
  [177, ['LINUX_LAPD', 'Linux vISDN LAPD']],
  [178, ['JUNIPER_ETHER', 'Juniper Ethernet']],
  [179, ['JUNIPER_PPP', 'Juniper PPP']],
  [180, ['JUNIPER_FRELAY', 'Juniper Frame Relay']],
  [181, ['JUNIPER_CHDLC', 'Juniper C-HDLC']],
  [182, ['MFR', 'FRF.16 Frame Relay']],
  [183, ['JUNIPER_VP', 'Juniper Voice PIC']],
  [184, ['A429', 'Arinc 429']],
  [185, ['A653_ICM', 'Arinc 653 Interpartition Communication']],
  [186, ['USB_FREEBSD', 'USB with FreeBSD header']],
  [187, ['BLUETOOTH_HCI_H4', 'Bluetooth HCI UART transport layer']],
  [188, ['IEEE802_16_MAC_CPS', 'IEEE 802.16 MAC Common Part Sublayer']],
  [189, ['USB_LINUX', 'USB with Linux header']],
  [190, ['CAN20B', 'Controller Area Network (CAN) v. 2.0B']],
  [191, ['IEEE802_15_4_LINUX', 'IEEE 802.15.4 with Linux padding']],
  [192, ['PPI', 'Per-Packet Information']],
  [193, ['IEEE802_16_MAC_CPS_RADIO', 'IEEE 802.16 MAC Common Part Sublayer plus radiotap header']],
  [194, ['JUNIPER_ISM', 'Juniper Integrated Service Module']],
  [195, ['IEEE802_15_4', 'IEEE 802.15.4 with FCS']],
  [196, ['SITA', 'SITA pseudo-header']],
  [197, ['ERF', 'Endace ERF header']],
  [198, ['RAIF1', 'Ethernet with u10 Networks pseudo-header']],
  [199, ['IPMB_KONTRON', 'IPMB with Kontron pseudo-header']],
  [200, ['JUNIPER_ST', 'Juniper Secure Tunnel']],
  [201, ['BLUETOOTH_HCI_H4_WITH_PHDR', 'Bluetooth HCI UART transport layer plus pseudo-header']],
  [202, ['AX25_KISS', 'AX.25 with KISS header']],
  [209, ['IPMB_LINUX', 'IPMB with Linux/Pigeon Point pseudo-header']],
  [215, ['IEEE802_15_4_NONASK_PHY', 'IEEE 802.15.4 with non-ASK PHY data']],
  [216, ['LINUX_EVDEV', 'Linux evdev events']],
  [219, ['MPLS', 'MPLS with label as link-layer header']],
  [220, ['USB_LINUX_MMAPPED', 'USB with padded Linux header']],
  [221, ['DECT', 'DECT']],
  [222, ['AOS', 'AOS Space Data Link protocol']],
  [223, ['WIHART', 'Wireless HART']],
  [224, ['FC_2', 'Fibre Channel FC-2']],
  [225, ['FC_2_WITH_FRAME_DELIMS', 'Fibre Channel FC-2 with frame delimiters']],
  [226, ['IPNET', 'Solaris ipnet']],
  [227, ['CAN_SOCKETCAN', 'CAN-bus with SocketCAN headers']],
  [228, ['IPV4', 'Raw IPv4']],
  [229, ['IPV6', 'Raw IPv6']],
  [230, ['IEEE802_15_4_NOFCS', 'IEEE 802.15.4 without FCS']],
  [231, ['DBUS', 'D-Bus']],
  [232, ['JUNIPER_VS', 'Juniper Virtual Server']],
  [233, ['JUNIPER_SRX_E2E', 'Juniper SRX E2E']],
  [234, ['JUNIPER_FIBRECHANNEL', 'Juniper Fibre Channel']],
  [235, ['DVB_CI', 'DVB-CI']],
  [236, ['MUX27010', 'MUX27010']],
  [237, ['STANAG_5066_D_PDU', 'STANAG 5066 D_PDUs']],
  [238, ['JUNIPER_ATM_CEMIC', 'Juniper ATM CEMIC']],
  [239, ['NFLOG', 'Linux netfilter log messages']],
  [240, ['NETANALYZER', 'Ethernet with Hilscher netANALYZER pseudo-header']],
  [241, ['NETANALYZER_TRANSPARENT', 'Ethernet with Hilscher netANALYZER pseudo-header and with preamble and SFD']],
  [242, ['IPOIB', 'RFC 4391 IP-over-Infiniband']],
  [243, ['MPEG_2_TS', 'MPEG-2 transport stream']],
  [244, ['NG40', 'ng40 protocol tester Iub/Iur']],
  [245, ['NFC_LLCP', 'NFC LLCP PDUs with pseudo-header']],
  [246, ['PFSYNC', 'Packet filter state syncing']],
  [247, ['INFINIBAND', 'InfiniBand']],
  [248, ['SCTP', 'SCTP']],
  [249, ['USBPCAP', 'USB with USBPcap header']],
  [250, ['RTAC_SERIAL', 'Schweitzer Engineering Laboratories RTAC packets']],
  [251, ['BLUETOOTH_LE_LL', 'Bluetooth Low Energy air interface']],
  [253, ['NETLINK', 'Linux netlink']],
  [254, ['BLUETOOTH_LINUX_MONITOR', 'Bluetooth Linux Monitor']],
  [255, ['BLUETOOTH_BREDR_BB', 'Bluetooth Basic Rate/Enhanced Data Rate baseband packets']],
  [256, ['BLUETOOTH_LE_LL_WITH_PHDR', 'Bluetooth Low Energy air interface with pseudo-header']],
  [257, ['PROFIBUS_DL', 'PROFIBUS data link layer']],
  [258, ['PKTAP', 'Apple DLT_PKTAP']],
  [259, ['EPON', 'Ethernet with 802.3 Clause 65 EPON preamble']],
  [260, ['IPMI_HPM_2', 'IPMI trace packets']],
  [261, ['ZWAVE_R1_R2', 'Z-Wave RF profile R1 and R2 packets']],
  [262, ['ZWAVE_R3', 'Z-Wave RF profile R3 packets']],
  [263, ['WATTSTOPPER_DLM', 'WattStopper Digital Lighting Management (DLM) and Legrand Nitoo Open protocol']],
  [264, ['ISO_14443', 'ISO 14443 messages']],
  [265, ['RDS', 'IEC 62106 Radio Data System groups']],
  [266, ['USB_DARWIN', 'USB with Darwin header']],
  [267, ['OPENFLOW', 'OpenBSD DLT_OPENFLOW']],
  [268, ['SDLC', 'IBM SDLC frames']],
  [269, ['TI_LLN_SNIFFER', 'TI LLN sniffer frames']],
  [271, ['VSOCK', 'Linux vsock']],
  [272, ['NORDIC_BLE', 'Nordic Semiconductor Bluetooth LE sniffer frames']],
  [273, ['DOCSIS31_XRA31', 'Excentis XRA-31 DOCSIS 3.1 RF sniffer frames']],
  [274, ['ETHERNET_MPACKET', '802.3br mPackets']],
  [275, ['DISPLAYPORT_AUX', 'DisplayPort AUX channel monitoring data']],
  [276, ['LINUX_SLL2', 'Linux cooked v2']],
  [278, ['OPENVIZSLA', 'OpenVizsla USB']],
  [279, ['EBHSCR', 'Elektrobit High Speed Capture and Replay (EBHSCR)']],
  [280, ['VPP_DISPATCH', 'VPP graph dispatch tracer']],
  [281, ['DSA_TAG_BRCM', 'Broadcom tag']],
  [282, ['DSA_TAG_BRCM_PREPEND', 'Broadcom tag (prepended)']],
  [283, ['IEEE802_15_4_TAP', 'IEEE 802.15.4 with pseudo-header']],
  [284, ['DSA_TAG_DSA', 'Marvell DSA']],
  [285, ['DSA_TAG_EDSA', 'Marvell EDSA']],
  [286, ['ELEE', 'ELEE lawful intercept packets']],
  [287, ['Z_WAVE_SERIAL', 'Z-Wave serial frames between host and chip']],
  [288, ['USB_2_0', 'USB 2.0/1.1/1.0 as transmitted over the cable']],
  [289, ['ATSC_ALP', 'ATSC Link-Layer Protocol packets']],
]);

/** Raw IP without a link-layer header: LINKTYPE_RAW (101) in files, DLT_RAW 12 (Linux) or 14 (OpenBSD). */
export function isRawIpLinkType(linkType: number): boolean {
  return linkType === LINKTYPE_RAW || linkType === DLT_RAW || linkType === DLT_RAW_OPENBSD;
}

/** Short pcap name of a link type ("EN10MB"), or "DLT_<n>" for a type libpcap does not name. */
export function linkTypeShortName(linkType: number): string {
  return DLT_NAMES.get(linkTypeToDlt(linkType))?.[0] ?? `DLT_${linkType}`;
}

/** Description of a link type ("Ethernet"), or '' when unknown. */
export function linkTypeDescription(linkType: number): string {
  return DLT_NAMES.get(linkTypeToDlt(linkType))?.[1] ?? '';
}

/**
 * The link type as tcpdump prints it after "link-type ": "EN10MB (Ethernet)",
 * "LINUX_SLL2 (Linux cooked v2)"; for a type libpcap does not know, just the number, as tcpdump does.
 */
export function linkTypeName(linkType: number): string {
  const entry = DLT_NAMES.get(linkTypeToDlt(linkType));
  return entry ? `${entry[0]} (${entry[1]})` : String(linkType);
}

/** Looks a link type up by its short name ("EN10MB", case-insensitive, "DLT_" prefix allowed). */
export function linkTypeFromName(name: string): number | undefined {
  const wanted = name.toUpperCase().replace(/^DLT_|^LINKTYPE_/, '');
  for (const [value, [short]] of DLT_NAMES) if (short === wanted) return value;
  return undefined;
}

/**
 * Largest caplen libpcap accepts for a link type (max_snaplen_for_dlt in libpcap's pcap-common.c):
 * a packet record claiming more is treated as damage, not as a reason to allocate.
 */
export function maxSnapLenForLinkType(linkType: number): number {
  switch (linkTypeToDlt(linkType)) {
    case DLT_DBUS:
      return 128 * 1024 * 1024;
    case DLT_EBHSCR:
      return 8 * 1024 * 1024;
    case DLT_USBPCAP:
      return 1024 * 1024;
    default:
      return 262144;
  }
}
