// class PacketSocket: an AF_PACKET socket with a TPACKET_V3 ring and a reader thread.
//
// The thread waits in poll() (socket + an eventfd that close() uses to wake it), turns each
// retired block into records (ring_records.cc), gives the block back to the kernel and hands
// whole batches to JavaScript through a thread-safe function. At most kMaxBatchesInFlight batches
// wait for JavaScript; beyond that the thread stops taking blocks, the ring fills and the kernel
// drops (counted in PACKET_STATISTICS), so memory cannot grow without bound. pause() does the same
// on purpose: a slow consumer makes the kernel drop, and the drops are counted where tcpdump's are.
//
// The reader also watches the interface: the kernel reports ENETDOWN on the socket both when the
// interface goes down and when it is deleted (deleting takes it down first), and after deletion
// the socket's bound ifindex reads back as -1. The reader tells the two apart and reports ENODEV
// ("The interface disappeared") or ENETDOWN ("The interface went down") once, after the packets
// still in the ring.
//
// Lifetime: while started, the JS object is strongly referenced (so GC cannot pull it away from
// the thread). close() asks the thread to drain and exit; the thread releases the thread-safe
// function; its finalizer (JS thread, after the last batch callback) joins the thread, unmaps the
// ring, closes the socket and resolves close()'s promise. On environment teardown Node runs the
// same finalizer; there the thread is told to abort instead of draining.
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "errors.h"
#include "exports.h"
#include "packet_socket.h"
#include "ring_records.h"

namespace sievecap {
namespace {

constexpr uint32_t kDltEn10mb = 1;
constexpr uint32_t kDltLinuxSll2 = 276;
constexpr uint32_t kMaximumSnaplen = 262144;  // libpcap's MAXIMUM_SNAPLEN, also its V3 tp_frame_size

bool IsPowerOfTwo(uint32_t v) { return v && !(v & (v - 1)); }

}  // namespace

PacketSocket::PacketSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PacketSocket>(info) {
  Napi::Env env = info.Env();
  Napi::Object opts = RequireObject(info, 0, "PacketSocket options");
  interface_ = RequireString(opts.Get("interface"), "options.interface");
  if (interface_.empty() || interface_.size() >= IFNAMSIZ)
    ThrowTypeError(env, "options.interface must be an interface name of 1 to 15 characters (got '" + interface_ + "')");
  any_ = interface_ == "any";
  snapLen_ = RequireUint32(opts.Get("snapLen"), "options.snapLen");
  if (snapLen_ == 0 || snapLen_ > kMaximumSnaplen)
    ThrowTypeError(env, "options.snapLen must be between 1 and 262144 (got " + std::to_string(snapLen_) + ")");
  blockSize_ = OptionalUint32(opts, "blockSize", blockSize_, "options");
  long page = sysconf(_SC_PAGESIZE);
  if (!IsPowerOfTwo(blockSize_) || blockSize_ < uint32_t(page))
    ThrowTypeError(env, "options.blockSize must be a power of two of at least the page size (" +
                            std::to_string(page) + "), got " + std::to_string(blockSize_));
  blockCount_ = OptionalUint32(opts, "blockCount", blockCount_, "options");
  if (blockCount_ == 0 || uint64_t(blockCount_) * blockSize_ > (1ull << 32))
    ThrowTypeError(env, "options.blockCount must be at least 1 and blockSize * blockCount at most 4 GiB");
  retireTimeoutMs_ = OptionalUint32(opts, "retireTimeoutMs", retireTimeoutMs_, "options");
  if (retireTimeoutMs_ == 0 || retireTimeoutMs_ > 60000)
    ThrowTypeError(env, "options.retireTimeoutMs must be between 1 and 60000");
  promiscuous_ = OptionalBool(opts, "promiscuous", true, "options");
  std::string format = OptionalString(opts, "recordFormat", "pcapng", "options");
  if (format != "pcapng" && format != "pcap" && format != "pcap-us")
    ThrowTypeError(env, "options.recordFormat must be 'pcapng', 'pcap' or 'pcap-us' (got '" + format + "')");
  recordOptions_.format = format == "pcap"      ? RecordFormat::Pcap
                          : format == "pcap-us" ? RecordFormat::PcapMicro
                                                : RecordFormat::Pcapng;
  recordOptions_.snapLen = snapLen_;

  try {
    OpenSocket(env);
    SetUpRing(env);
  } catch (...) {
    ReleaseResources();
    throw;
  }
}

PacketSocket::~PacketSocket() {
  StopThread(/*abort=*/true);
  ReleaseResources();
}

void PacketSocket::OpenSocket(Napi::Env env) {
  int type = any_ ? SOCK_DGRAM : SOCK_RAW;
  // Protocol 0: nothing is received until start() binds with ETH_P_ALL, after attachBpf().
  fd_ = socket(AF_PACKET, type | SOCK_CLOEXEC, 0);
  if (fd_ < 0) ThrowSyscallError(env, errno, "socket(AF_PACKET)", "opening a capture socket", interface_);
  wakeFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakeFd_ < 0) ThrowSyscallError(env, errno, "eventfd", "creating the reader's wake-up descriptor");

  unsigned lo = if_nametoindex("lo");
  recordOptions_.loopbackIfindex = lo ? int(lo) : -1;
  if (any_) {
    ifindex_ = 0;
    linkType_ = kDltLinuxSll2;
    recordOptions_.cookedSll2 = true;
    recordOptions_.vlanOffset = -1;  // libpcap 1.10 set_vlan_offset(): no re-insertion for LINUX_SLL2
    return;
  }
  ifreq ifr;
  std::memset(&ifr, 0, sizeof(ifr));
  std::strncpy(ifr.ifr_name, interface_.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd_, SIOCGIFINDEX, &ifr) != 0)
    ThrowSyscallError(env, errno, "ioctl(SIOCGIFINDEX)", "looking up interface '" + interface_ + "'", interface_);
  ifindex_ = ifr.ifr_ifindex;
  if (ioctl(fd_, SIOCGIFHWADDR, &ifr) != 0)
    ThrowSyscallError(env, errno, "ioctl(SIOCGIFHWADDR)", "reading the link type of '" + interface_ + "'", interface_);
  int arphrd = ifr.ifr_hwaddr.sa_family;
  if (arphrd != ARPHRD_ETHER && arphrd != ARPHRD_LOOPBACK) {
    Napi::Error error = Napi::Error::New(
        env, "capturing on '" + interface_ + "' is not supported yet: its hardware type (ARPHRD " +
                 std::to_string(arphrd) + ") is not Ethernet or loopback; capture on 'any' instead");
    error.Set("code", Napi::String::New(env, "ENOTSUP"));
    throw error;
  }
  linkType_ = kDltEn10mb;
  recordOptions_.vlanOffset = 2 * ETH_ALEN;  // the tag goes back in after destination and source MAC
}

void PacketSocket::SetUpRing(Napi::Env env) {
  int version = TPACKET_V3;
  if (setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) != 0)
    ThrowSyscallError(env, errno, "setsockopt(PACKET_VERSION)", "selecting TPACKET_V3", interface_);
  tpacket_req3 req;
  std::memset(&req, 0, sizeof(req));
  req.tp_block_size = blockSize_;
  req.tp_block_nr = blockCount_;
  req.tp_frame_size = std::min(kMaximumSnaplen, blockSize_);
  req.tp_frame_nr = (blockSize_ / req.tp_frame_size) * blockCount_;
  req.tp_retire_blk_tov = retireTimeoutMs_;
  if (setsockopt(fd_, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0)
    ThrowSyscallError(env, errno, "setsockopt(PACKET_RX_RING)",
                      "creating a " + std::to_string(blockCount_) + " x " + std::to_string(blockSize_) +
                          "-byte capture ring",
                      interface_);
  ringSize_ = size_t(blockSize_) * blockCount_;
  void* ring = mmap(nullptr, ringSize_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (ring == MAP_FAILED) {
    ringSize_ = 0;
    ThrowSyscallError(env, errno, "mmap", "mapping the capture ring", interface_);
  }
  ring_ = static_cast<uint8_t*>(ring);
  if (promiscuous_ && !any_) {
    packet_mreq mreq;
    std::memset(&mreq, 0, sizeof(mreq));
    mreq.mr_ifindex = ifindex_;
    mreq.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) != 0)
      ThrowSyscallError(env, errno, "setsockopt(PACKET_ADD_MEMBERSHIP)",
                        "putting '" + interface_ + "' into promiscuous mode", interface_);
  }
}

void PacketSocket::ThrowIfClosed(Napi::Env env, const char* method) {
  if (state_ == State::Closing || state_ == State::Closed) {
    Napi::Error error = Napi::Error::New(env, std::string("PacketSocket.") + method + "(): the socket on '" +
                                                  interface_ + "' is closed");
    error.Set("code", Napi::String::New(env, "EBADF"));
    throw error;
  }
}

Napi::Value PacketSocket::AttachBpf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThrowIfClosed(env, "attachBpf");
  int progFd = RequireFd(info[0], "progFd");
  if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_BPF, &progFd, sizeof(progFd)) != 0)
    ThrowSyscallError(env, errno, "setsockopt(SO_ATTACH_BPF)",
                      "attaching eBPF program fd " + std::to_string(progFd) + " to the capture socket", interface_);
  return env.Undefined();
}

Napi::Value PacketSocket::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThrowIfClosed(env, "start");
  if (state_ == State::Running) throw Napi::Error::New(env, "PacketSocket.start(): already started");
  if (!info[0].IsFunction()) ThrowTypeError(env, "start(onBatch, onError?): onBatch must be a function");
  if (info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsFunction())
    ThrowTypeError(env, "start(onBatch, onError?): onError must be a function when given");

  sockaddr_ll sll;
  std::memset(&sll, 0, sizeof(sll));
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = ifindex_;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) != 0)
    ThrowSyscallError(env, errno, "bind(AF_PACKET)", "binding the capture socket to '" + interface_ + "'", interface_);
  int pending = 0;
  socklen_t pendingLength = sizeof(pending);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &pending, &pendingLength) == 0 && pending != 0)
    ThrowSyscallError(env, pending, "bind(AF_PACKET)", "binding the capture socket to '" + interface_ + "'", interface_);

  if (info.Length() > 1 && info[1].IsFunction()) onError_ = Napi::Persistent(info[1].As<Napi::Function>());
  tsfn_ = BatchTsfn::New(env, info[0].As<Napi::Function>(), "sievecap.PacketSocket", 0, 1, this,
                         &PacketSocket::OnTsfnFinalized, static_cast<void*>(nullptr));
  Ref();  // keep the JS object (and so `this`) alive while the thread runs
  state_ = State::Running;
  thread_ = std::thread([this] { ReaderLoop(); });
  return env.Undefined();
}

void PacketSocket::OnTsfnFinalized(Napi::Env env, void*, PacketSocket* self) {
  {
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->tsfnFinalizing_ = true;
  }
  // Normally the thread has already released and is exiting; on teardown it must not wait for JS.
  self->StopThread(/*abort=*/self->state_ != State::Closing);
  self->ReadKernelStats();
  self->ReleaseResources();
  self->state_ = State::Closed;
  self->onError_.Reset();
  self->closedPromise_.Reset();
  if (self->closed_) {
    try {
      self->closed_->Resolve(env.Undefined());
    } catch (...) {  // environment tearing down: nobody is waiting any more
    }
  }
  self->Unref();
}

void PacketSocket::ReadKernelStats() {
  if (fd_ < 0) return;
  tpacket_stats_v3 st;
  std::memset(&st, 0, sizeof(st));
  socklen_t len = sizeof(st);
  if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) return;
  std::lock_guard<std::mutex> lock(statsMutex_);
  packets_ += st.tp_packets;
  drops_ += st.tp_drops;
  freezes_ += st.tp_freeze_q_cnt;
}

void PacketSocket::ReleaseResources() {
  if (ring_) munmap(ring_, ringSize_);
  ring_ = nullptr;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (wakeFd_ >= 0) close(wakeFd_);
  wakeFd_ = -1;
}

Napi::Value PacketSocket::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ >= 0) {  // open until the TSFN finalizer releases it, also while closing
    tpacket_stats_v3 st;
    std::memset(&st, 0, sizeof(st));
    socklen_t len = sizeof(st);
    if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0)
      ThrowSyscallError(env, errno, "getsockopt(PACKET_STATISTICS)", "reading capture statistics", interface_);
    std::lock_guard<std::mutex> lock(statsMutex_);
    packets_ += st.tp_packets;
    drops_ += st.tp_drops;
    freezes_ += st.tp_freeze_q_cnt;
  }
  std::lock_guard<std::mutex> lock(statsMutex_);
  Napi::Object out = Napi::Object::New(env);
  out.Set("packets", Napi::Number::New(env, double(packets_)));
  out.Set("drops", Napi::Number::New(env, double(drops_)));
  out.Set("freezes", Napi::Number::New(env, double(freezes_)));
  return out;
}

Napi::Value PacketSocket::Pause(const Napi::CallbackInfo& info) {
  ThrowIfClosed(info.Env(), "pause");
  paused_.store(true);  // the reader sees it before it takes the next block
  return info.Env().Undefined();
}

Napi::Value PacketSocket::Resume(const Napi::CallbackInfo& info) {
  ThrowIfClosed(info.Env(), "resume");
  if (paused_.exchange(false) && state_ == State::Running) Wake();
  return info.Env().Undefined();
}

Napi::Value PacketSocket::Recycle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) ThrowTypeError(env, "recycle(batch): batch must be a Buffer this socket delivered");
  Napi::TypedArray view = info[0].As<Napi::TypedArray>();
  const uint8_t* data = static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
  return Napi::Boolean::New(env, pool_->GiveBack(data));
}

void PacketSocket::Wake() {
  if (wakeFd_ < 0) return;
  uint64_t one = 1;
  ssize_t ignored = write(wakeFd_, &one, sizeof(one));
  (void)ignored;
}

Napi::Value PacketSocket::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  switch (state_) {
    case State::Open: {
      ReadKernelStats();
      ReleaseResources();
      state_ = State::Closed;
      break;
    }
    case State::Running: {
      state_ = State::Closing;
      closed_ = std::make_unique<Napi::Promise::Deferred>(env);
      closedPromise_ = Napi::Persistent(closed_->Promise().As<Napi::Object>());
      stopRequested_.store(true);  // a paused reader resumes to drain the ring
      Wake();
      return closedPromise_.Value();  // resolved by OnTsfnFinalized after the last batch callback
    }
    case State::Closing:
      return closedPromise_.Value();
    case State::Closed:
      break;
  }
  Napi::Promise::Deferred done = Napi::Promise::Deferred::New(env);
  done.Resolve(env.Undefined());
  return done.Promise();
}

void InitPacketSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("PacketSocket", PacketSocket::Define(env));
}

}  // namespace sievecap