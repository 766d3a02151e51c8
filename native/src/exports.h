// Each translation unit registers its own functions on the addon's exports.
#pragma once

#include <napi.h>

namespace sievecap {
void InitPcapFilter(Napi::Env env, Napi::Object exports);
void InitClassicFilter(Napi::Env env, Napi::Object exports);
void InitBpfSyscalls(Napi::Env env, Napi::Object exports);
void InitInterfaces(Napi::Env env, Napi::Object exports);
void InitPacketSocket(Napi::Env env, Napi::Object exports);
void InitPrivileges(Napi::Env env, Napi::Object exports);
}  // namespace sievecap
