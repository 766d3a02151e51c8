// Batch memory shared between the capture helper and its client: a sealed memfd the client creates
// and hands to the helper it starts as a child (an inherited descriptor). The helper's reader writes
// each batch's records straight into a slot of it and tells the client where (offset, length) over
// the socket; the client writes them to its file from its own mapping and hands the slot back. The
// batch bytes then never pass through the socket: two copies fewer per byte.
//
// Safety of the privileged side: the helper maps only a memfd whose size is sealed (F_SEAL_SHRINK
// and F_SEAL_GROW, set by the client before the helper sees it, with F_SEAL_SEAL so they stay), so
// no truncation can fault it; it only ever writes into the mapping, never reads what the client
// may have put there.
#pragma once

#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace sievecap {

// A MAP_SHARED mapping of the arena memfd, unmapped when the last owner lets go.
struct ArenaMapping {
  uint8_t* base = nullptr;
  size_t size = 0;
  ~ArenaMapping();
};

// The arena cut into equal slots, one batch each; the reader takes a free slot (waiting while none
// is: the kernel ring fills meanwhile and its drops are counted), JavaScript frees it.
class ArenaSlots {
 public:
  ArenaSlots(std::shared_ptr<ArenaMapping> mapping, size_t slotSize);
  size_t slotSize() const { return slotSize_; }
  size_t count() const { return free_.size(); }
  uint8_t* base() const { return mapping_->base; }
  // A free slot's index, or -1 once `abort` is set.
  int Acquire(const std::atomic<bool>& abort);
  // Frees the slot at this byte offset (-1: every slot). False for an offset that is no slot's.
  bool Release(int64_t offset);
  // Frees one slot by index (the reader's own, when a batch left it).
  void ReleaseIndex(int index);
  // Wakes a reader waiting in Acquire (to see an abort).
  void Wake() { available_.notify_all(); }

 private:
  std::shared_ptr<ArenaMapping> mapping_;
  size_t slotSize_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<bool> free_;
};

// The JavaScript value wrapping a helper's arena mapping (openBatchArena's result).
std::shared_ptr<ArenaMapping> ArenaFromValue(Napi::Env env, Napi::Value value);

void InitBatchArena(Napi::Env env, Napi::Object exports);

}  // namespace sievecap
