// Entry point of the sievecap_native addon: see app/capture/native.ts for the typed contract.
#include <malloc.h>
#include <napi.h>

#include "exports.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // The processes that load the addon capture: the helper fills batches of a few MiB, the client
  // receives them. glibc's defaults hand such memory back to the kernel as soon as it is freed
  // (munmap, or trimming the heap above 128 KiB) and fault fresh zeroed pages in for the next batch;
  // at a few hundred thousand packets per second that churn cost a quarter of a capture's CPU
  // (bench/README.md, "2026-12-03 (evening)"). Keep freed memory for reuse instead: blocks below
  // 32 MiB (glibc's largest mmap threshold) come from the heap, which is trimmed only beyond 256 MiB.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
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
