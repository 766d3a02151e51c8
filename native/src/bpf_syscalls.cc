// The bpf() syscall: program load (with the verifier log), maps, test runs.
// <linux/bpf.h> lives here only: its `struct bpf_insn` clashes with libpcap's.
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "errors.h"
#include "exports.h"

namespace sievecap {
namespace {

long Bpf(int cmd, bpf_attr* attr) {
  return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

uint64_t Ptr(const void* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

// Kernel object names: at most 15 characters of [A-Za-z0-9_.] (BPF_OBJ_NAME_LEN - 1).
void CopyObjectName(Napi::Env env, const std::string& name, char (&dest)[BPF_OBJ_NAME_LEN], const char* what) {
  if (name.size() >= BPF_OBJ_NAME_LEN)
    ThrowTypeError(env, std::string(what) + " name '" + name + "' is longer than 15 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) ThrowTypeError(env, std::string(what) + " name '" + name + "' may only contain [A-Za-z0-9_.]");
  }
  std::memset(dest, 0, sizeof(dest));
  std::memcpy(dest, name.data(), name.size());
}

// The last `count` non-empty lines of the verifier log: where it gave up and why.
std::string LastLines(const std::string& log, size_t count) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  size_t from = lines.size() > count ? lines.size() - count : 0;
  std::string out;
  for (size_t i = from; i < lines.size(); i++) out += (out.empty() ? "" : "\n") + lines[i];
  return out;
}

struct LoadAttempt {
  int fd;
  int err;
  std::string log;
};

LoadAttempt TryLoad(const Napi::Buffer<uint8_t>& insns, uint32_t progType, const std::string& license,
                    const char (&name)[BPF_OBJ_NAME_LEN], uint32_t logLevel) {
  // Kernels >= 6.4 fail with ENOSPC when the log does not fit, even for a valid program: grow it.
  size_t logSize = logLevel ? (4u << 20) : 0;
  // The verifier gives up with EAGAIN when a signal arrives while it works (a profiler's SIGPROF,
  // a timer); libbpf retries such a load up to five times, and so do we.
  int interrupted = 0;
  for (;;) {
    std::vector<char> logBuf(logSize ? logSize : 1, '\0');
    bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.prog_type = progType;
    attr.insn_cnt = static_cast<uint32_t>(insns.Length() / 8);
    attr.insns = Ptr(insns.Data());
    attr.license = Ptr(license.c_str());
    attr.log_level = logLevel;
    attr.log_size = static_cast<uint32_t>(logSize);
    attr.log_buf = logSize ? Ptr(logBuf.data()) : 0;
    std::memcpy(attr.prog_name, name, sizeof(attr.prog_name));
    int fd = static_cast<int>(Bpf(BPF_PROG_LOAD, &attr));
    int err = fd < 0 ? errno : 0;
    if (fd < 0 && err == EAGAIN && ++interrupted < 5) continue;
    if (fd < 0 && err == ENOSPC && logSize && logSize < (256u << 20)) {
      logSize *= 4;
      continue;
    }
    return LoadAttempt{fd, err, logSize ? std::string(logBuf.data()) : std::string()};
  }
}

Napi::Value ProgLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = RequireObject(info, 0, "bpfProgLoad options");
  Napi::Buffer<uint8_t> insns = RequireBuffer(opts.Get("insns"), "options.insns");
  if (insns.Length() == 0 || insns.Length() % 8 != 0)
    ThrowTypeError(env, "options.insns must hold whole 8-byte eBPF instructions (got " +
                            std::to_string(insns.Length()) + " bytes)");
  uint32_t progType = RequireUint32(opts.Get("progType"), "options.progType");
  std::string license = RequireString(opts.Get("license"), "options.license");
  std::string name = OptionalString(opts, "name", "", "options");
  uint32_t logLevel = OptionalUint32(opts, "logLevel", 0, "options");
  if (logLevel > 2) ThrowTypeError(env, "options.logLevel must be 0, 1 or 2");
  char progName[BPF_OBJ_NAME_LEN];
  CopyObjectName(env, name, progName, "program");

  LoadAttempt attempt = TryLoad(insns, progType, license, progName, logLevel);
  if (attempt.fd < 0 && logLevel == 0) {
    LoadAttempt withLog = TryLoad(insns, progType, license, progName, 1);
    if (withLog.fd >= 0) close(withLog.fd);  // should not happen; keep the first error
    else attempt = withLog;
  }
  if (attempt.fd < 0) {
    std::string what = "loading the eBPF program" + (name.empty() ? std::string() : " '" + name + "'") + " failed";
    if (!attempt.log.empty()) what = "the kernel verifier rejected the eBPF program" +
                                     (name.empty() ? std::string() : " '" + name + "'");
    Napi::Error error = SyscallError(env, attempt.err, "bpf(BPF_PROG_LOAD)", what);
    if (!attempt.log.empty()) {
      std::string message = error.Get("message").As<Napi::String>().Utf8Value();
      error.Set("message", Napi::String::New(env, message + "\n" + LastLines(attempt.log, 6)));
    }
    error.Set("verifierLog", Napi::String::New(env, attempt.log));
    throw error;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("fd", Napi::Number::New(env, attempt.fd));
  result.Set("log", Napi::String::New(env, attempt.log));
  return result;
}

Napi::Value MapCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = RequireObject(info, 0, "bpfMapCreate options");
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.map_type = RequireUint32(opts.Get("mapType"), "options.mapType");
  attr.key_size = RequireUint32(opts.Get("keySize"), "options.keySize");
  attr.value_size = RequireUint32(opts.Get("valueSize"), "options.valueSize");
  attr.max_entries = RequireUint32(opts.Get("maxEntries"), "options.maxEntries");
  attr.map_flags = OptionalUint32(opts, "flags", 0, "options");
  std::string name = OptionalString(opts, "name", "", "options");
  CopyObjectName(env, name, attr.map_name, "map");
  int fd = static_cast<int>(Bpf(BPF_MAP_CREATE, &attr));
  if (fd < 0)
    ThrowSyscallError(env, errno, "bpf(BPF_MAP_CREATE)",
                      "creating the eBPF map" + (name.empty() ? std::string() : " '" + name + "'") + " failed");
  return Napi::Number::New(env, fd);
}

Napi::Value MapLookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = RequireFd(info[0], "mapFd");
  Napi::Buffer<uint8_t> key = RequireBuffer(info[1], "key");
  uint32_t valueSize = RequireUint32(info[2], "valueSize");
  if (valueSize == 0) ThrowTypeError(env, "valueSize must be greater than 0");
  Napi::Buffer<uint8_t> value = Napi::Buffer<uint8_t>::New(env, valueSize);
  std::memset(value.Data(), 0, valueSize);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.map_fd = fd;
  attr.key = Ptr(key.Data());
  attr.value = Ptr(value.Data());
  if (Bpf(BPF_MAP_LOOKUP_ELEM, &attr) != 0) {
    if (errno == ENOENT) return env.Null();
    ThrowSyscallError(env, errno, "bpf(BPF_MAP_LOOKUP_ELEM)", "looking up a key in eBPF map fd " + std::to_string(fd));
  }
  return value;
}

Napi::Value MapUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = RequireFd(info[0], "mapFd");
  Napi::Buffer<uint8_t> key = RequireBuffer(info[1], "key");
  Napi::Buffer<uint8_t> value = RequireBuffer(info[2], "value");
  uint32_t flags = info.Length() > 3 && !info[3].IsUndefined() ? RequireUint32(info[3], "flags") : static_cast<uint32_t>(BPF_ANY);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.map_fd = fd;
  attr.key = Ptr(key.Data());
  attr.value = Ptr(value.Data());
  attr.flags = flags;
  if (Bpf(BPF_MAP_UPDATE_ELEM, &attr) != 0)
    ThrowSyscallError(env, errno, "bpf(BPF_MAP_UPDATE_ELEM)", "updating a key in eBPF map fd " + std::to_string(fd));
  return env.Undefined();
}

Napi::Value MapDelete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = RequireFd(info[0], "mapFd");
  Napi::Buffer<uint8_t> key = RequireBuffer(info[1], "key");
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.map_fd = fd;
  attr.key = Ptr(key.Data());
  if (Bpf(BPF_MAP_DELETE_ELEM, &attr) != 0) {
    if (errno == ENOENT) return Napi::Boolean::New(env, false);
    ThrowSyscallError(env, errno, "bpf(BPF_MAP_DELETE_ELEM)", "deleting a key from eBPF map fd " + std::to_string(fd));
  }
  return Napi::Boolean::New(env, true);
}

Napi::Value MapNextKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = RequireFd(info[0], "mapFd");
  const uint8_t* keyData = nullptr;
  if (!info[1].IsNull() && !info[1].IsUndefined()) keyData = RequireBuffer(info[1], "key").Data();
  uint32_t keySize = RequireUint32(info[2], "keySize");
  if (keySize == 0) ThrowTypeError(env, "keySize must be greater than 0");
  Napi::Buffer<uint8_t> next = Napi::Buffer<uint8_t>::New(env, keySize);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.map_fd = fd;
  attr.key = Ptr(keyData);
  attr.next_key = Ptr(next.Data());
  if (Bpf(BPF_MAP_GET_NEXT_KEY, &attr) != 0) {
    if (errno == ENOENT) return env.Null();
    ThrowSyscallError(env, errno, "bpf(BPF_MAP_GET_NEXT_KEY)", "iterating eBPF map fd " + std::to_string(fd));
  }
  return next;
}

Napi::Value ProgTestRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = RequireFd(info[0], "progFd");
  Napi::Buffer<uint8_t> data = RequireBuffer(info[1], "data");
  uint32_t repeat = info.Length() > 2 && !info[2].IsUndefined() ? RequireUint32(info[2], "repeat") : 1;
  // A socket filter can grow the packet only through helpers we do not use; leave generous room.
  std::vector<uint8_t> out(data.Length() + 4096);
  for (;;) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.test.prog_fd = fd;
    attr.test.data_in = Ptr(data.Data());
    attr.test.data_size_in = static_cast<uint32_t>(data.Length());
    attr.test.data_out = Ptr(out.data());
    attr.test.data_size_out = static_cast<uint32_t>(out.size());
    attr.test.repeat = repeat;
    if (Bpf(BPF_PROG_TEST_RUN, &attr) != 0) {
      if (errno == ENOSPC && attr.test.data_size_out > out.size()) {
        out.resize(attr.test.data_size_out);
        continue;
      }
      ThrowSyscallError(env, errno, "bpf(BPF_PROG_TEST_RUN)", "test-running eBPF program fd " + std::to_string(fd));
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("retval", Napi::Number::New(env, attr.test.retval));
    result.Set("duration", Napi::Number::New(env, attr.test.duration));
    size_t outSize = std::min<size_t>(attr.test.data_size_out, out.size());
    result.Set("dataOut", Napi::Buffer<uint8_t>::Copy(env, out.data(), outSize));
    return result;
  }
}

// "0-1", "0,2-3": the count of CPUs listed, as libbpf_num_possible_cpus() counts them.
Napi::Value PossibleCpus(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* file = "/sys/devices/system/cpu/possible";
  std::ifstream in(file);
  std::string text;
  if (!in || !std::getline(in, text))
    ThrowSyscallError(env, errno ? errno : EIO, "open", std::string("reading ") + file);
  uint32_t count = 0;
  std::istringstream ranges(text);
  for (std::string range; std::getline(ranges, range, ',');) {
    unsigned first = 0, last = 0;
    int n = std::sscanf(range.c_str(), "%u-%u", &first, &last);
    if (n == 1) last = first;
    if (n < 1 || last < first) throw Napi::Error::New(env, std::string("cannot parse ") + file + ": '" + text + "'");
    count += last - first + 1;
  }
  return Napi::Number::New(env, count);
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = RequireFd(info[0], "fd");
  if (close(fd) != 0 && errno != EINTR) ThrowSyscallError(env, errno, "close", "closing fd " + std::to_string(fd));
  return env.Undefined();
}

}  // namespace

void InitBpfSyscalls(Napi::Env env, Napi::Object exports) {
  exports.Set("bpfProgLoad", Napi::Function::New(env, ProgLoad, "bpfProgLoad"));
  exports.Set("bpfMapCreate", Napi::Function::New(env, MapCreate, "bpfMapCreate"));
  exports.Set("bpfMapLookup", Napi::Function::New(env, MapLookup, "bpfMapLookup"));
  exports.Set("bpfMapUpdate", Napi::Function::New(env, MapUpdate, "bpfMapUpdate"));
  exports.Set("bpfMapDelete", Napi::Function::New(env, MapDelete, "bpfMapDelete"));
  exports.Set("bpfMapNextKey", Napi::Function::New(env, MapNextKey, "bpfMapNextKey"));
  exports.Set("bpfProgTestRun", Napi::Function::New(env, ProgTestRun, "bpfProgTestRun"));
  exports.Set("possibleCpus", Napi::Function::New(env, PossibleCpus, "possibleCpus"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
}

}  // namespace sievecap
