/** Capture files: pcap and pcapng reading and writing, link types, native batch walking. */
export { CaptureReader, readAllPackets } from './reader';
export { PacketBatch } from './packet-batch';
export { CaptureFileError } from './errors';
export type { CaptureFileInfo, CaptureFormat, CaptureInterface, CapturePacket, CaptureReaderOptions, CustomBlockInfo, PacketView, TimestampResolution } from './packet';
export { PcapWriter, type PcapWriterOptions, type PacketToWrite } from './pcap-writer';
export {
  PcapngWriter,
  EPB_FLAG_INBOUND,
  EPB_FLAG_OUTBOUND,
  type PcapngWriterOptions,
  type PcapngInterfaceOptions,
  type PcapngPacketToWrite,
} from './pcapng-writer';
export { FdWriter, type WriteTarget } from './fd-writer';
export { forEachEpb, forEachPcapRecord, tsNsFromParts, tsMsFromParts, type EpbVisitor, type PcapRecordVisitor } from './batch';
export * from './linktype';
