// Errors and argument checks shared by every part of the addon.
//
// A failed syscall becomes an Error carrying `code` (EPERM, ENODEV, ...), `errno`, `syscall` and a
// sentence the user can act on; a bad argument becomes a TypeError naming the argument.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace sievecap {

// Builds the Error for a failed syscall. `what` says what we were doing ("opening a capture
// socket on 'eth0'"); `interfaceName` (may be empty) is used for ENODEV/ENETDOWN hints.
Napi::Error SyscallError(Napi::Env env, int err, const std::string& syscall, const std::string& what,
                         const std::string& interfaceName = "");

[[noreturn]] void ThrowSyscallError(Napi::Env env, int err, const std::string& syscall,
                                    const std::string& what, const std::string& interfaceName = "");

[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& message);

// "EPERM", "ENODEV", ... ("E<number>" when unknown).
std::string ErrnoName(int err);

// Argument helpers: each throws a TypeError naming `name` when the value has the wrong type.
Napi::Object RequireObject(const Napi::CallbackInfo& info, size_t index, const char* name);
Napi::Buffer<uint8_t> RequireBuffer(const Napi::Value& value, const std::string& name);
uint32_t RequireUint32(const Napi::Value& value, const std::string& name);
int32_t RequireFd(const Napi::Value& value, const std::string& name);
std::string RequireString(const Napi::Value& value, const std::string& name);

// Optional object properties: `fallback` when the property is undefined or null.
uint32_t OptionalUint32(const Napi::Object& obj, const char* key, uint32_t fallback, const std::string& where);
bool OptionalBool(const Napi::Object& obj, const char* key, bool fallback, const std::string& where);
std::string OptionalString(const Napi::Object& obj, const char* key, const std::string& fallback,
                           const std::string& where);

}  // namespace sievecap
