// Turning the packets of one retired TPACKET_V3 block into pcapng EPB or pcap records, the way
// libpcap 1.10 (pcap-linux.c, pcap_handle_packet_mmap) presents them: cooked SLL2 header for 'any',
// stripped VLAN tag re-inserted after the MAC addresses, loopback's outgoing copy skipped.
#pragma once

#include <linux/if_packet.h>

#include <cstddef>
#include <cstdint>

namespace sievecap {

// Pcap: nanosecond records (magic 0xa1b23c4d); PcapMicro: microsecond records, as tcpdump writes.
enum class RecordFormat { Pcapng, Pcap, PcapMicro };

struct RecordOptions {
  RecordFormat format = RecordFormat::Pcapng;
  bool cookedSll2 = false;   // 'any': SOCK_DGRAM, build the 20-byte LINUX_SLL2 header
  int vlanOffset = -1;       // where a stripped VLAN tag goes back in (-1: not for this link type)
  uint32_t snapLen = 262144;
  int loopbackIfindex = -1;  // outgoing packets on this interface are skipped (seen again inbound)
};

// A growable malloc'd byte buffer of records, handed to JavaScript without another copy.
struct Batch {
  uint8_t* data = nullptr;
  size_t size = 0;
  size_t capacity = 0;
  uint32_t packets = 0;

  Batch() = default;
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;
  ~Batch();
  void Reserve(size_t extra);
  // Gives up ownership of the bytes (the caller frees them with free()).
  uint8_t* Release();
};

// Appends every packet of a block the kernel has handed to user space (TP_STATUS_USER).
// Returns the number of records appended.
uint32_t AppendBlock(Batch& batch, const RecordOptions& options, const tpacket_block_desc* block, size_t blockSize);

}  // namespace sievecap
