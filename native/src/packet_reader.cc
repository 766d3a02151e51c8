// The PacketSocket reader thread: poll, turn retired blocks into records, give the blocks back,
// hand batches to JavaScript (bounded: at most kMaxBatchesInFlight wait for the JS thread).
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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

void PacketSocket::ReaderLoop() {
  uint32_t current = 0;
  auto blockAt = [this](uint32_t i) { return reinterpret_cast<tpacket_block_desc*>(ring_ + size_t(i) * blockSize_); };
  auto ready = [&](uint32_t i) {
    return (__atomic_load_n(&blockAt(i)->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) != 0;
  };
  auto flush = [this](Batch& batch) {
    if (batch.packets == 0) return true;
    if (!WaitForRoom()) return false;
    auto* delivery = new Delivery{nullptr, batch.size, batch.packets, 0};
    delivery->bytes = batch.Release();
    if (!Send(delivery)) {
      std::free(delivery->bytes);
      delete delivery;
      return false;
    }
    return true;
  };

  bool stopping = false;
  std::chrono::steady_clock::time_point stopDeadline;
  while (!abortRequested_.load()) {
    Batch batch;
    // Take every retired block, but flush every few blocks so one batch stays bounded.
    while (ready(current) && !abortRequested_.load()) {
      tpacket_block_desc* block = blockAt(current);
      AppendBlock(batch, recordOptions_, block, blockSize_);
      __atomic_store_n(&block->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
      current = (current + 1) % blockCount_;
      if (batch.size >= 2 * size_t(blockSize_) && !flush(batch)) return;
    }
    if (!flush(batch)) break;

    if (stopRequested_.load()) {
      // Deliver what is in the block the kernel is still filling: it retires it within the
      // retire timeout when it holds packets. An empty open block has nothing to wait for.
      if (!stopping) {
        stopping = true;
        stopDeadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(2 * retireTimeoutMs_ + 50);
      }
      uint32_t pendingPackets = __atomic_load_n(&blockAt(current)->hdr.bh1.num_pkts, __ATOMIC_ACQUIRE);
      if ((pendingPackets == 0 && !ready(current)) || std::chrono::steady_clock::now() >= stopDeadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }

    pollfd fds[2] = {{fd_, POLLIN | POLLERR, 0}, {wakeFd_, POLLIN, 0}};
    int n = poll(fds, 2, kPollTimeoutMs);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && (fds[0].revents & POLLERR)) {
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);  // reading clears it
      if (err != 0 && WaitForRoom()) {
        auto* delivery = new Delivery{nullptr, 0, 0, err};
        if (!Send(delivery)) delete delivery;
      }
      if (err == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // never spin
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
    if (!onError_.IsEmpty())
      onError_.Call({SyscallError(env, owned->error, "poll", "capturing on '" + interface_ + "'", interface_).Value()});
    return;
  }
  uint8_t* bytes = owned->bytes;
  Napi::Buffer<uint8_t> buffer =
      Napi::Buffer<uint8_t>::NewOrCopy(env, bytes, owned->size, [](Napi::Env, uint8_t* data) { std::free(data); });
  onBatch.Call({buffer, Napi::Number::New(env, owned->packets)});
}

void PacketSocket::StopThread(bool abort) {
  if (abort) abortRequested_.store(true);
  stopRequested_.store(true);
  roomAvailable_.notify_all();
  if (wakeFd_ >= 0) {
    uint64_t one = 1;
    ssize_t ignored = write(wakeFd_, &one, sizeof(one));
    (void)ignored;
  }
  if (thread_.joinable()) thread_.join();
}


}  // namespace sievecap
