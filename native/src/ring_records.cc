#include "ring_records.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace sievecap {
namespace {

constexpr uint32_t kSll2HeaderLength = 20;
constexpr uint32_t kVlanTagLength = 4;
constexpr uint32_t kEpbFixedLength = 28;  // type, length, interface, ts high, ts low, caplen, origlen
constexpr uint32_t kEpbTrailerLength = 8 /* epb_flags */ + 4 /* opt_endofopt */ + 4 /* length */;
constexpr uint32_t kPcapRecordHeaderLength = 16;

inline void PutLe32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }  // the addon only builds on LE hosts
inline void PutBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline uint32_t Pad4(uint32_t n) { return (n + 3) & ~3u; }

// Copies pieces of the presented packet into `out`, stopping at `budget` bytes (the snap length).
struct CappedWriter {
  uint8_t* out;
  uint32_t budget;
  void Put(const void* src, uint32_t n) {
    uint32_t take = std::min(n, budget);
    std::memcpy(out, src, take);
    out += take;
    budget -= take;
  }
};

void AppendPacket(Batch& batch, const RecordOptions& options, const tpacket3_hdr* hdr, const sockaddr_ll* sll,
                  const uint8_t* frame) {
  uint32_t capturedFromKernel = hdr->tp_snaplen;
  uint32_t caplen = capturedFromKernel;
  uint32_t len = hdr->tp_len;

  uint8_t sll2[kSll2HeaderLength];
  if (options.cookedSll2) {
    std::memcpy(sll2, &sll->sll_protocol, 2);  // already network byte order
    std::memset(sll2 + 2, 0, 2);
    uint32_t ifindex = htonl(static_cast<uint32_t>(sll->sll_ifindex));
    std::memcpy(sll2 + 4, &ifindex, 4);
    PutBe16(sll2 + 8, sll->sll_hatype);
    sll2[10] = sll->sll_pkttype;
    sll2[11] = sll->sll_halen;
    std::memcpy(sll2 + 12, sll->sll_addr, 8);
    caplen += kSll2HeaderLength;
    len += kSll2HeaderLength;
  }

  // libpcap: VLAN_VALID(hdr, hv) and VLAN_TPID(hdr, hv), and only when the frame is long enough.
  bool vlanValid = hdr->hv1.tp_vlan_tci != 0 || (hdr->tp_status & TP_STATUS_VLAN_VALID);
  bool insertVlan = vlanValid && options.vlanOffset >= 0 && capturedFromKernel >= uint32_t(options.vlanOffset);
  uint8_t tag[kVlanTagLength];
  if (insertVlan) {
    bool tpidValid = hdr->hv1.tp_vlan_tpid != 0 || (hdr->tp_status & TP_STATUS_VLAN_TPID_VALID);
    PutBe16(tag, tpidValid ? hdr->hv1.tp_vlan_tpid : ETH_P_8021Q);
    PutBe16(tag + 2, static_cast<uint16_t>(hdr->hv1.tp_vlan_tci));
    caplen += kVlanTagLength;
    len += kVlanTagLength;
  }
  if (caplen > options.snapLen) caplen = options.snapLen;

  uint64_t ns = uint64_t(hdr->tp_sec) * 1000000000ull + hdr->tp_nsec;
  bool pcapng = options.format == RecordFormat::Pcapng;
  uint32_t recordLength = pcapng ? kEpbFixedLength + Pad4(caplen) + kEpbTrailerLength : kPcapRecordHeaderLength + caplen;
  batch.Reserve(recordLength);
  uint8_t* record = batch.data + batch.size;

  uint8_t* body;
  if (pcapng) {
    PutLe32(record, 6);  // Enhanced Packet Block
    PutLe32(record + 4, recordLength);
    PutLe32(record + 8, 0);  // interface id
    PutLe32(record + 12, static_cast<uint32_t>(ns >> 32));
    PutLe32(record + 16, static_cast<uint32_t>(ns));
    PutLe32(record + 20, caplen);
    PutLe32(record + 24, len);
    body = record + kEpbFixedLength;
  } else {
    PutLe32(record, hdr->tp_sec);
    PutLe32(record + 4, options.format == RecordFormat::PcapMicro ? hdr->tp_nsec / 1000 : hdr->tp_nsec);
    PutLe32(record + 8, caplen);
    PutLe32(record + 12, len);
    body = record + kPcapRecordHeaderLength;
  }

  // Presented packet = [SLL2 header] + frame, with the tag inserted at vlanOffset of that.
  CappedWriter writer{body, caplen};
  if (options.cookedSll2) {
    if (insertVlan && options.vlanOffset < int(kSll2HeaderLength)) {
      writer.Put(sll2, options.vlanOffset);
      writer.Put(tag, kVlanTagLength);
      writer.Put(sll2 + options.vlanOffset, kSll2HeaderLength - options.vlanOffset);
      insertVlan = false;
    } else {
      writer.Put(sll2, kSll2HeaderLength);
    }
  }
  if (insertVlan) {
    uint32_t split = uint32_t(options.vlanOffset) - (options.cookedSll2 ? kSll2HeaderLength : 0);
    writer.Put(frame, split);
    writer.Put(tag, kVlanTagLength);
    writer.Put(frame + split, capturedFromKernel - split);
  } else {
    writer.Put(frame, capturedFromKernel);
  }

  if (pcapng) {
    uint8_t* after = body + caplen;
    uint32_t padding = Pad4(caplen) - caplen;
    std::memset(after, 0, padding);
    after += padding;
    PutLe32(after, 2 | (4u << 16));  // option epb_flags, length 4
    PutLe32(after + 4, sll->sll_pkttype == PACKET_OUTGOING ? 2u : 1u);
    PutLe32(after + 8, 0);  // opt_endofopt
    PutLe32(after + 12, recordLength);
  }
  batch.size += recordLength;
  batch.packets++;
}

}  // namespace

Batch::~Batch() { std::free(data); }

void Batch::Reserve(size_t extra) {
  if (size + extra <= capacity) return;
  size_t wanted = std::max(capacity * 2, size + extra);
  auto* grown = static_cast<uint8_t*>(std::realloc(data, wanted));
  if (!grown) throw std::bad_alloc();
  data = grown;
  capacity = wanted;
}

uint8_t* Batch::Release() {
  uint8_t* out = data;
  data = nullptr;
  size = capacity = 0;
  packets = 0;
  return out;
}

uint32_t AppendBlock(Batch& batch, const RecordOptions& options, const tpacket_block_desc* block, size_t blockSize) {
  const auto* base = reinterpret_cast<const uint8_t*>(block);
  uint32_t count = block->hdr.bh1.num_pkts;
  size_t offset = block->hdr.bh1.offset_to_first_pkt;
  uint32_t appended = 0;
  // Worst case per packet: record header + SLL2 + VLAN tag + padding + trailer.
  batch.Reserve(block->hdr.bh1.blk_len + size_t(count) * 96);
  for (uint32_t i = 0; i < count; i++) {
    if (offset + sizeof(tpacket3_hdr) > blockSize) break;  // corrupt block: never read past it
    const auto* hdr = reinterpret_cast<const tpacket3_hdr*>(base + offset);
    const auto* sll = reinterpret_cast<const sockaddr_ll*>(base + offset + TPACKET_ALIGN(sizeof(tpacket3_hdr)));
    if (offset + hdr->tp_mac + hdr->tp_snaplen > blockSize) break;
    // libpcap's linux_check_direction: loopback shows every packet twice; keep the inbound copy.
    bool duplicate = sll->sll_pkttype == PACKET_OUTGOING && sll->sll_ifindex == options.loopbackIfindex;
    if (!duplicate) {
      AppendPacket(batch, options, hdr, sll, base + offset + hdr->tp_mac);
      appended++;
    }
    if (hdr->tp_next_offset == 0) break;
    offset += hdr->tp_next_offset;
  }
  return appended;
}

}  // namespace sievecap
