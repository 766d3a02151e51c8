// Shared batch memory: see batch_arena.h.
#include "batch_arena.h"

#include <fcntl.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "errors.h"
#include "exports.h"

namespace sievecap {
namespace {

constexpr size_t kMinArenaBytes = 1u << 20;
constexpr size_t kMaxArenaBytes = 1ull << 30;
constexpr int kRequiredSeals = F_SEAL_SHRINK | F_SEAL_GROW;

// createBatchArena(bytes) -> { fd, buffer }: the client's side. A memfd of `bytes` whose size is
// sealed, and a read-only view of it (unmapped when the Buffer is collected). The descriptor is
// close-on-exec; child_process hands it to the helper as an extra stdio descriptor.
Napi::Value CreateBatchArena(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t bytes = RequireUint32(info[0], "bytes");
  if (bytes < kMinArenaBytes || bytes > kMaxArenaBytes) ThrowTypeError(env, "bytes must be between 1 MiB and 1 GiB");
  int fd = static_cast<int>(syscall(SYS_memfd_create, "sievecap-batches", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (fd < 0) ThrowSyscallError(env, errno, "memfd_create", "creating the batch memory shared with the capture helper");
  if (ftruncate(fd, bytes) != 0 || fcntl(fd, F_ADD_SEALS, kRequiredSeals | F_SEAL_SEAL) != 0) {
    int err = errno;
    close(fd);
    ThrowSyscallError(env, err, "ftruncate/fcntl", "sizing and sealing the batch memory shared with the capture helper");
  }
  void* base = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    int err = errno;
    close(fd);
    ThrowSyscallError(env, err, "mmap", "mapping the batch memory shared with the capture helper");
  }
  Napi::Buffer<uint8_t> view = Napi::Buffer<uint8_t>::New(
      env, static_cast<uint8_t*>(base), bytes, [bytes](Napi::Env, uint8_t* data) { munmap(data, bytes); });
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", Napi::Number::New(env, fd));
  out.Set("buffer", view);
  return out;
}

// openBatchArena(fd) -> handle: the helper's side. Maps the descriptor it inherited, only if it is
// a memfd whose size cannot change, and then closes it; a descriptor that is no memfd is left alone
// (it is not the arena, and may be something of the process's own).
Napi::Value OpenBatchArena(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = RequireFd(info[0], "fd");
  struct stat st;
  int seals = fcntl(fd, F_GET_SEALS);
  int err = seals < 0 ? errno : 0;
  if (seals >= 0 && fstat(fd, &st) != 0) err = errno;
  if (seals < 0) ThrowSyscallError(env, err, "fcntl(F_GET_SEALS)", "the batch memory descriptor is not a sealed memfd");
  if (err != 0) {
    close(fd);
    ThrowSyscallError(env, err, "fstat", "the batch memory descriptor cannot be examined");
  }
  if ((seals & kRequiredSeals) != kRequiredSeals || !S_ISREG(st.st_mode) || size_t(st.st_size) < kMinArenaBytes ||
      size_t(st.st_size) > kMaxArenaBytes) {
    close(fd);
    ThrowTypeError(env, "the batch memory must be a memfd of 1 MiB to 1 GiB with its size sealed (F_SEAL_SHRINK, F_SEAL_GROW)");
  }
  size_t size = size_t(st.st_size);
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  err = base == MAP_FAILED ? errno : 0;
  close(fd);
  if (err != 0) ThrowSyscallError(env, err, "mmap", "mapping the batch memory shared with the client");
  auto* mapping = new std::shared_ptr<ArenaMapping>(std::make_shared<ArenaMapping>());
  (*mapping)->base = static_cast<uint8_t*>(base);
  (*mapping)->size = size;
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("bytes", Napi::Number::New(env, double(size)));
  handle.Set("mapping", Napi::External<std::shared_ptr<ArenaMapping>>::New(
                            env, mapping, [](Napi::Env, std::shared_ptr<ArenaMapping>* m) { delete m; }));
  return handle;
}

}  // namespace

ArenaMapping::~ArenaMapping() {
  if (base) munmap(base, size);
}

ArenaSlots::ArenaSlots(std::shared_ptr<ArenaMapping> mapping, size_t slotSize)
    : mapping_(std::move(mapping)), slotSize_(slotSize), free_(mapping_->size / slotSize, true) {}

int ArenaSlots::Acquire(const std::atomic<bool>& abort) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    for (size_t i = 0; i < free_.size(); i++) {
      if (free_[i]) {
        free_[i] = false;
        return int(i);
      }
    }
    if (abort.load()) return -1;
    available_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

bool ArenaSlots::Release(int64_t offset) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (offset < 0) {
      free_.assign(free_.size(), true);
    } else {
      if (size_t(offset) % slotSize_ != 0 || size_t(offset) / slotSize_ >= free_.size()) return false;
      free_[size_t(offset) / slotSize_] = true;
    }
  }
  available_.notify_all();
  return true;
}

void ArenaSlots::ReleaseIndex(int index) { Release(int64_t(index) * int64_t(slotSize_)); }

std::shared_ptr<ArenaMapping> ArenaFromValue(Napi::Env env, Napi::Value value) {
  if (!value.IsObject()) ThrowTypeError(env, "options.arena must be what openBatchArena returned");
  Napi::Value mapping = value.As<Napi::Object>().Get("mapping");
  if (!mapping.IsExternal()) ThrowTypeError(env, "options.arena must be what openBatchArena returned");
  return *mapping.As<Napi::External<std::shared_ptr<ArenaMapping>>>().Data();
}

void InitBatchArena(Napi::Env env, Napi::Object exports) {
  exports.Set("createBatchArena", Napi::Function::New(env, CreateBatchArena, "createBatchArena"));
  exports.Set("openBatchArena", Napi::Function::New(env, OpenBatchArena, "openBatchArena"));
}

}  // namespace sievecap
