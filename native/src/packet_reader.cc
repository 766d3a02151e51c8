// The PacketSocket reader thread: poll, turn retired blocks into records, give the blocks back,
// hand batches to JavaScript (bounded: at most kMaxBatchesInFlight wait for the JS thread; none
// taken while paused), and watch that the interface is still there.
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "errors.h"
#include "packet_socket.h"

namespace sievecap {

// ---- reader thread ---------------------------------------------------------------------------

bool PacketSocket::WaitForRoom() {
  std::unique_lock<std::mutex> lock(mutex_);
  roomAvailable_.wait(lock, [this] { return inFlight_ < kMaxBatchesInFlight || abortRequested_.load(); });
  return !abortRequested_.load();
}

bool PacketSocket::Send(Delivery* delivery) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (abortRequested_.load() || tsfnFinalizing_) return false;
  if (tsfn_.BlockingCall(delivery) != napi_ok) return false;
  inFlight_++;
  return true;
}

bool PacketSocket::SendError(int err) {
  if (!WaitForRoom()) return false;
  auto* delivery = new Delivery{nullptr, 0, 0, 0, err};
  if (Send(delivery)) return true;
  delete delivery;
  return false;
}

// True once the bound interface no longer exists. On NETDEV_UNREGISTER the kernel unbinds the
// socket (its ifindex reads back as -1), which also covers a move to another network namespace
// and cannot be fooled by a new interface that reuses the index.
bool PacketSocket::InterfaceGone() {
  sockaddr_ll sll;
  std::memset(&sll, 0, sizeof(sll));
  socklen_t length = sizeof(sll);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&sll), &length) == 0) return sll.sll_ifindex != ifindex_;
  char name[IF_NAMESIZE];
  return if_indextoname(unsigned(ifindex_), name) == nullptr && (errno == ENXIO || errno == ENODEV);
}

void PacketSocket::DrainWake() {
  uint64_t value;
  ssize_t ignored = read(wakeFd_, &value, sizeof(value));  // non-blocking eventfd
  (void)ignored;
}

void PacketSocket::ReaderLoop() {
  using Clock = std::chrono::steady_clock;
  uint32_t current = 0;
  auto blockAt = [this](uint32_t i) { return reinterpret_cast<tpacket_block_desc*>(ring_ + size_t(i) * blockSize_); };
  auto ready = [&](uint32_t i) {
    return (__atomic_load_n(&blockAt(i)->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) != 0;
  };
  // The block the kernel is filling holds nothing, or the kernel has just retired it.
  auto openBlockEmpty = [&] {
    return __atomic_load_n(&blockAt(current)->hdr.bh1.num_pkts, __ATOMIC_ACQUIRE) == 0 && !ready(current);
  };
  auto flush = [this](Batch& batch) {
    if (batch.packets == 0) return true;
    if (!WaitForRoom()) return false;
    auto* delivery = new Delivery{nullptr, batch.size, batch.capacity, batch.packets, 0};
    delivery->bytes = batch.Release();
    if (!Send(delivery)) {
      std::free(delivery->bytes);
      delete delivery;
      return false;
    }
    return true;
  };
  // The kernel retires a block that holds packets within the retire timeout.
  const auto retireWait = std::chrono::milliseconds(2 * retireTimeoutMs_ + 50);

  bool stopping = false;
  Clock::time_point stopDeadline;
  // Watching the interface (not for 'any'): an ENETDOWN not yet told apart from a deletion, an
  // error waiting for the ring to be drained, and whether the interface is gone for good.
  const bool watchInterface = ifindex_ > 0;
  bool downSeen = false, vanished = false;
  Clock::time_point downSince, nextCheck = Clock::now() + std::chrono::milliseconds(kInterfaceCheckMs);
  int pendingError = 0;
  Clock::time_point pendingDeadline;
  while (!abortRequested_.load()) {
    const bool paused = paused_.load() && !stopRequested_.load();
    if (!paused) {
      Batch batch;
      pool_->Take(batch);
      // Take every retired block, but flush every few blocks so one batch stays bounded.
      while (ready(current) && !abortRequested_.load()) {
        tpacket_block_desc* block = blockAt(current);
        AppendBlock(batch, recordOptions_, block, blockSize_);
        __atomic_store_n(&block->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        current = (current + 1) % blockCount_;
        if (batch.size >= 2 * size_t(blockSize_)) {
          if (!flush(batch)) return;
          pool_->Take(batch);
        }
      }
      if (!flush(batch)) break;
      pool_->Restore(batch);  // memory taken for a batch that stayed empty
    }

    if (stopRequested_.load()) {
      // Deliver what is in the block the kernel is still filling: it retires it within the
      // retire timeout when it holds packets. An empty open block has nothing to wait for.
      if (!stopping) {
        stopping = true;
        stopDeadline = Clock::now() + retireWait;
      }
      if (openBlockEmpty() || Clock::now() >= stopDeadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }

    if (paused) {
      // Only close(), resume() or teardown wake a paused reader; the ring fills meanwhile.
      pollfd wake = {wakeFd_, POLLIN, 0};
      if (poll(&wake, 1, kPollTimeoutMs) > 0) DrainWake();
      continue;
    }

    if (pendingError != 0) {
      // The error comes after every packet still in the ring (bounded, so it is not late).
      if (openBlockEmpty() || Clock::now() >= pendingDeadline) {
        if (!SendError(pendingError)) break;
        pendingError = 0;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      continue;
    }

    pollfd fds[2] = {{fd_, POLLIN | POLLERR, 0}, {wakeFd_, POLLIN, 0}};
    int n = poll(fds, 2, downSeen ? 20 : kPollTimeoutMs);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && (fds[1].revents & POLLIN)) DrainWake();
    if (n > 0 && (fds[0].revents & POLLERR)) {
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);  // reading clears it
      if (err == ENETDOWN && watchInterface) {
        if (!downSeen && !vanished) downSince = Clock::now();
        downSeen = !vanished;
      } else if (err != 0) {
        if (!SendError(err)) break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // never spin
      }
    }
    if (watchInterface && !vanished && (downSeen || Clock::now() >= nextCheck)) {
      Clock::time_point now = Clock::now();
      nextCheck = now + std::chrono::milliseconds(kInterfaceCheckMs);
      if (InterfaceGone()) {
        vanished = true;  // nothing more can arrive: report once and stop watching
        downSeen = false;
        pendingError = ENODEV;
      } else if (downSeen && now - downSince >= std::chrono::milliseconds(kDownGraceMs)) {
        downSeen = false;  // the kernel reports the next down again, once the interface was up
        pendingError = ENETDOWN;
      }
      if (pendingError != 0) pendingDeadline = now + std::min(retireWait, std::chrono::milliseconds(700));
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!tsfnFinalizing_) tsfn_.Release();
}

// ---- JS thread -------------------------------------------------------------------------------

void CallJs(Napi::Env env, Napi::Function onBatch, PacketSocket* socket, Delivery* delivery) {
  socket->Deliver(env, onBatch, delivery);
}

void PacketSocket::Deliver(Napi::Env env, Napi::Function onBatch, Delivery* delivery) {
  std::unique_ptr<Delivery> owned(delivery);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    inFlight_--;
  }
  roomAvailable_.notify_all();
  if (env == nullptr || onBatch.IsEmpty()) {  // environment shutting down: drop
    std::free(owned->bytes);
    return;
  }
  if (owned->error != 0) {
    if (!onError_.IsEmpty()) onError_.Call({CaptureError(env, owned->error).Value()});
    return;
  }
  uint8_t* bytes = owned->bytes;
  uint64_t lending = pool_->Lend(bytes, owned->capacity);
  auto* pool = new std::shared_ptr<BatchPool>(pool_);
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::NewOrCopy(
      env, bytes, owned->size,
      [capacity = owned->capacity, lending](Napi::Env, uint8_t* data, std::shared_ptr<BatchPool>* hint) {
        (*hint)->Finalized(data, capacity, lending);
        delete hint;
      },
      pool);
  onBatch.Call({buffer, Napi::Number::New(env, owned->packets)});
}

// ---- batch memory ----------------------------------------------------------------------------

BatchPool::~BatchPool() {
  for (auto& f : free_) std::free(f.first);
}

void BatchPool::Take(Batch& batch) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.empty() || batch.data != nullptr) return;
  batch.data = free_.back().first;
  batch.capacity = free_.back().second;
  free_.pop_back();
}

void BatchPool::Restore(Batch& batch) {
  if (batch.data == nullptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  Keep(batch.data, batch.capacity);
  batch.data = nullptr;
  batch.size = batch.capacity = 0;
  batch.packets = 0;
}

uint64_t BatchPool::Lend(uint8_t* data, size_t capacity) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t lending = ++lendings_;
  lent_[data] = Lent{capacity, lending};
  return lending;
}

bool BatchPool::GiveBack(const uint8_t* data) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = lent_.find(data);
  if (it == lent_.end()) return false;
  Keep(const_cast<uint8_t*>(it->first), it->second.capacity);
  lent_.erase(it);
  return true;
}

void BatchPool::Finalized(uint8_t* data, size_t capacity, uint64_t lending) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = lent_.find(data);
  // Given back already (the pool owns or reused it), or lent again since to a later batch whose
  // Buffer is still alive (a socket write may still be reading it): not this finalizer's to free.
  if (it == lent_.end() || it->second.lending != lending) return;
  lent_.erase(it);
  Keep(data, capacity);
}

void BatchPool::Keep(uint8_t* data, size_t capacity) {
  if (free_.size() < kMaxFree) free_.emplace_back(data, capacity);
  else std::free(data);
}

// The error handed to onError: tcpdump's words for a vanished or downed interface.
Napi::Error PacketSocket::CaptureError(Napi::Env env, int err) {
  std::string message;
  if (err == ENODEV)
    message = "capturing on '" + interface_ + "': The interface disappeared (it was deleted or moved to another "
              "network namespace); no more packets can arrive: close the capture";
  else if (err == ENETDOWN)
    message = "capturing on '" + interface_ + "': The interface went down; the capture goes on when it is up "
              "again (`ip link set " + interface_ + " up`)";
  else
    return SyscallError(env, err, "poll", "capturing on '" + interface_ + "'", interface_);
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, ErrnoName(err)));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, "poll"));
  return error;
}

void PacketSocket::StopThread(bool abort) {
  if (abort) abortRequested_.store(true);
  stopRequested_.store(true);
  roomAvailable_.notify_all();
  Wake();
  if (thread_.joinable()) thread_.join();
}


}  // namespace sievecap
