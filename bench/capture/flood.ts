/** The flood for bench/capture: small, valid UDP/IPv4 Ethernet frames in a pcap file for tcpreplay. */
import { udpFrames, writePcap, type UdpFrameSpec } from '../../tests/support/frames';

export function writeUdpFlood(file: string, spec: UdpFrameSpec): void {
  writePcap(file, udpFrames(spec));
}
