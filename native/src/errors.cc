#include "errors.h"

#include <cerrno>
#include <cmath>
#include <cstring>

namespace sievecap {

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);  // glibc >= 2.32
  return name ? std::string(name) : "E" + std::to_string(err);
}

namespace {

bool IsPacketSocketCall(const std::string& syscall) {
  return syscall.rfind("socket", 0) == 0 || syscall.rfind("setsockopt", 0) == 0 ||
         syscall.rfind("bind", 0) == 0 || syscall.rfind("pcap", 0) == 0;
}

// The sentence that tells the user what to do about a given failure.
std::string Hint(int err, const std::string& syscall, const std::string& interfaceName) {
  const bool isBpf = syscall.rfind("bpf", 0) == 0;
  switch (err) {
    case EPERM:
    case EACCES:
      if (isBpf && err == EACCES) return "";  // verifier rejection: the log says why
      if (isBpf)
        return "loading eBPF programs and maps needs CAP_BPF (or CAP_SYS_ADMIN): run as root or via the "
               "Sievecap helper";
      if (IsPacketSocketCall(syscall))
        return "capturing needs CAP_NET_RAW (run as root or via the Sievecap helper)";
      return "permission denied: run as root or via the Sievecap helper";
    case ENODEV:
    case ENXIO:
      if (!interfaceName.empty())
        return "no such interface '" + interfaceName + "' (list interfaces with `sievecap -D`)";
      return "no such device";
    case ENETDOWN:
      if (!interfaceName.empty())
        return "interface '" + interfaceName + "' is down (bring it up with `ip link set " + interfaceName +
               " up`)";
      return "the interface is down";
    case ENOMEM:
      return "the kernel could not allocate memory (try a smaller ring: fewer or smaller blocks)";
    case EBADF:
      return "the file descriptor is not open (was it closed already?)";
    default:
      return "";
  }
}

}  // namespace

Napi::Error SyscallError(Napi::Env env, int err, const std::string& syscall, const std::string& what,
                         const std::string& interfaceName) {
  std::string hint = Hint(err, syscall, interfaceName);
  std::string message = what + ": " + std::strerror(err) + " (" + syscall + ")";
  if (!hint.empty()) message += "; " + hint;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, ErrnoName(err)));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

void ThrowSyscallError(Napi::Env env, int err, const std::string& syscall, const std::string& what,
                       const std::string& interfaceName) {
  throw SyscallError(env, err, syscall, what, interfaceName);
}

void ThrowTypeError(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

Napi::Object RequireObject(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsObject() || info[index].IsArray())
    ThrowTypeError(info.Env(), std::string(name) + " must be an object");
  return info[index].As<Napi::Object>();
}

Napi::Buffer<uint8_t> RequireBuffer(const Napi::Value& value, const std::string& name) {
  if (!value.IsBuffer()) ThrowTypeError(value.Env(), name + " must be a Buffer");
  return value.As<Napi::Buffer<uint8_t>>();
}

uint32_t RequireUint32(const Napi::Value& value, const std::string& name) {
  if (!value.IsNumber()) ThrowTypeError(value.Env(), name + " must be a number");
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || std::floor(d) != d)
    ThrowTypeError(value.Env(), name + " must be an integer between 0 and 4294967295 (got " +
                                    value.ToString().Utf8Value() + ")");
  return static_cast<uint32_t>(d);
}

int32_t RequireFd(const Napi::Value& value, const std::string& name) {
  if (!value.IsNumber()) ThrowTypeError(value.Env(), name + " must be a file descriptor (a number)");
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 2147483647.0) || std::floor(d) != d)
    ThrowTypeError(value.Env(), name + " must be a non-negative integer file descriptor");
  return static_cast<int32_t>(d);
}

std::string RequireString(const Napi::Value& value, const std::string& name) {
  if (!value.IsString()) ThrowTypeError(value.Env(), name + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

uint32_t OptionalUint32(const Napi::Object& obj, const char* key, uint32_t fallback, const std::string& where) {
  Napi::Value v = obj.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return RequireUint32(v, where + "." + key);
}

bool OptionalBool(const Napi::Object& obj, const char* key, bool fallback, const std::string& where) {
  Napi::Value v = obj.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsBoolean()) ThrowTypeError(obj.Env(), where + "." + key + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string OptionalString(const Napi::Object& obj, const char* key, const std::string& fallback,
                           const std::string& where) {
  Napi::Value v = obj.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return RequireString(v, where + "." + key);
}

}  // namespace sievecap
