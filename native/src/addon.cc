// Entry point of the sievecap_native addon: see app/capture/native.ts for the typed contract.
#include <napi.h>

#include "exports.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  sievecap::InitPcapFilter(env, exports);
  sievecap::InitClassicFilter(env, exports);
  sievecap::InitBpfSyscalls(env, exports);
  sievecap::InitInterfaces(env, exports);
  sievecap::InitPacketSocket(env, exports);
  sievecap::InitPrivileges(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(sievecap_native, Init)
