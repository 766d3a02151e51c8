// class PacketSocket: an AF_PACKET socket with a TPACKET_V3 ring and a reader thread.
// packet_socket.cc holds the socket setup and the JavaScript methods; packet_reader.cc the
// reader thread and the hand-over of batches to JavaScript.
#pragma once

#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ring_records.h"

namespace sievecap {

constexpr int kMaxBatchesInFlight = 4;
constexpr int kPollTimeoutMs = 250;
// How often the reader checks that the interface still exists, and how long after the kernel said
// ENETDOWN it waits to tell "went down" from "disappeared" (deleting a device first takes it down).
constexpr int kInterfaceCheckMs = 250;
constexpr int kDownGraceMs = 250;

class PacketSocket;

// One delivery to the JS thread: a batch of records, or an error the reader hit (ENODEV: the
// interface disappeared; ENETDOWN: it went down; else a socket error).
struct Delivery {
  uint8_t* bytes = nullptr;
  size_t size = 0;
  size_t capacity = 0;
  uint32_t packets = 0;
  int error = 0;
};

// Batch memory used again instead of freed: a batch's bytes come back once JavaScript is done with
// them, by recycle() (the helper: when the socket write completed) or else by the Buffer's
// finalizer, and the reader fills them next. Reused memory is already faulted in, so a long
// capture costs no page faults for its batches. Shared by the socket and every Buffer it handed
// out, so a Buffer collected after the socket is gone still finds it.
class BatchPool {
 public:
  ~BatchPool();
  // Gives `batch` spare memory, if any is free.
  void Take(Batch& batch);
  // Puts back memory `batch` took but did not hand on.
  void Restore(Batch& batch);
  // A batch handed to JavaScript as a Buffer over `data` (not a copy); returns the lending's
  // number, which the Buffer's finalizer gives back to Finalized.
  uint64_t Lend(uint8_t* data, size_t capacity);
  // JavaScript is done with the Buffer over `data`: its memory is free again. False for memory
  // this pool did not lend (a copy, or a Buffer already given back).
  bool GiveBack(const uint8_t* data);
  // The Buffer of lending `lending` over `data` was collected, or copied and dropped (a runtime
  // without external buffers). The same memory may have been given back and lent again since
  // (a later batch at the same address): only the current lending's own finalizer frees it.
  void Finalized(uint8_t* data, size_t capacity, uint64_t lending);

 private:
  void Keep(uint8_t* data, size_t capacity);  // caller holds mutex_
  static constexpr size_t kMaxFree = kMaxBatchesInFlight + 4;
  std::mutex mutex_;
  std::vector<std::pair<uint8_t*, size_t>> free_;
  struct Lent {
    size_t capacity;
    uint64_t lending;
  };
  std::unordered_map<const uint8_t*, Lent> lent_;
  uint64_t lendings_ = 0;
};

void CallJs(Napi::Env env, Napi::Function onBatch, PacketSocket* socket, Delivery* delivery);
using BatchTsfn = Napi::TypedThreadSafeFunction<PacketSocket, Delivery, CallJs>;

class PacketSocket : public Napi::ObjectWrap<PacketSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PacketSocket",
                       {
                           InstanceAccessor<&PacketSocket::LinkType>("linkType"),
                           InstanceAccessor<&PacketSocket::Ifindex>("ifindex"),
                           InstanceMethod<&PacketSocket::AttachBpf>("attachBpf"),
                           InstanceMethod<&PacketSocket::Start>("start"),
                           InstanceMethod<&PacketSocket::Stats>("stats"),
                           InstanceMethod<&PacketSocket::Pause>("pause"),
                           InstanceMethod<&PacketSocket::Resume>("resume"),
                           InstanceMethod<&PacketSocket::Recycle>("recycle"),
                           InstanceMethod<&PacketSocket::Close>("close"),
                       });
  }

  explicit PacketSocket(const Napi::CallbackInfo& info);
  ~PacketSocket() override;

  // Called on the JS thread for each delivery (see CallJs).
  void Deliver(Napi::Env env, Napi::Function onBatch, Delivery* delivery);

 private:
  Napi::Value LinkType(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), linkType_); }
  Napi::Value Ifindex(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ifindex_); }
  Napi::Value AttachBpf(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Pause(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value Recycle(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void OpenSocket(Napi::Env env);
  void SetUpRing(Napi::Env env);
  void ReaderLoop();
  bool Send(Delivery* delivery);
  bool WaitForRoom();
  bool SendError(int err);
  bool InterfaceGone();
  void Wake();
  void DrainWake();
  Napi::Error CaptureError(Napi::Env env, int err);
  void StopThread(bool abort);
  void ReadKernelStats();
  void ReleaseResources();
  static void OnTsfnFinalized(Napi::Env env, void* data, PacketSocket* self);
  void ThrowIfClosed(Napi::Env env, const char* method);

  // Configuration.
  std::string interface_;
  bool any_ = false;
  uint32_t snapLen_ = 0;
  uint32_t blockSize_ = 1u << 20;
  uint32_t blockCount_ = 8;
  uint32_t retireTimeoutMs_ = 100;
  bool promiscuous_ = true;
  uint32_t linkType_ = 1;  // DLT_EN10MB
  int ifindex_ = 0;
  RecordOptions recordOptions_;

  // Kernel resources.
  int fd_ = -1;
  int wakeFd_ = -1;
  uint8_t* ring_ = nullptr;
  size_t ringSize_ = 0;

  // Thread state.
  enum class State { Open, Running, Closing, Closed } state_ = State::Open;
  std::thread thread_;
  BatchTsfn tsfn_;
  std::atomic<bool> stopRequested_{false};
  std::atomic<bool> abortRequested_{false};
  std::atomic<bool> paused_{false};  // the reader leaves retired blocks in the ring (the kernel drops)
  std::mutex mutex_;  // guards inFlight_, tsfnFinalizing_
  std::condition_variable roomAvailable_;
  int inFlight_ = 0;
  std::shared_ptr<BatchPool> pool_ = std::make_shared<BatchPool>();
  bool tsfnFinalizing_ = false;
  Napi::FunctionReference onError_;
  std::unique_ptr<Napi::Promise::Deferred> closed_;
  Napi::ObjectReference closedPromise_;  // the same promise for every close() while closing

  // Accumulated PACKET_STATISTICS (clear-on-read in the kernel).
  std::mutex statsMutex_;
  uint64_t packets_ = 0, drops_ = 0, freezes_ = 0;
};

}  // namespace sievecap
