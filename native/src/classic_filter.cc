// ClassicFilter: a capture filter compiled once and run by libpcap's bpf_filter over many packets
// per call, as tcpdump runs it on each packet of a file (pcap_offline_filter).
//
// libpcap in its own translation unit: pcap.h's `struct bpf_insn` clashes with <linux/bpf.h>.
//
// Made from the instruction array pcapCompile returns; the program is converted and checked by
// bpf_validate once, in the constructor. run() takes one buffer holding many packets and, for
// each, its start, captured length and length on the wire, in typed arrays (a reader's batch, as
// it lies in the reader's buffer), and fills one verdict byte per packet. Every range is checked
// against the buffer before anything runs, so bpf_filter never reads outside it.
#include "classic_program.h"
#include "errors.h"
#include "exports.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sievecap {
namespace {

template <typename T>
Napi::TypedArrayOf<T> RequireTypedArray(const Napi::Value& value, napi_typedarray_type type, const char* typeName,
                                        const std::string& name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type)
    ThrowTypeError(value.Env(), name + " must be a " + typeName);
  return value.As<Napi::TypedArrayOf<T>>();
}

[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

class ClassicFilter : public Napi::ObjectWrap<ClassicFilter> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ClassicFilter",
                       {
                           InstanceMethod<&ClassicFilter::Run>("run"),
                           InstanceAccessor<&ClassicFilter::Length>("length"),
                       });
  }

  explicit ClassicFilter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ClassicFilter>(info) {
    if (!info.IsConstructCall()) ThrowTypeError(info.Env(), "ClassicFilter must be called with new");
    insns_ = ProgramFromJs(info.Env(), info[0]);
  }

 private:
  Napi::Value Length(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), insns_.size()); }

  // run(packets, start, capLen, origLen, verdicts, first = 0, count = start.length - first)
  // → how many of packets first .. first + count - 1 the program accepted.
  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto packets = RequireTypedArray<uint8_t>(info[0], napi_uint8_array, "Uint8Array (or Buffer)", "packets");
    auto start = RequireTypedArray<uint32_t>(info[1], napi_uint32_array, "Uint32Array", "start");
    auto capLen = RequireTypedArray<uint32_t>(info[2], napi_uint32_array, "Uint32Array", "capLen");
    auto origLen = RequireTypedArray<uint32_t>(info[3], napi_uint32_array, "Uint32Array", "origLen");
    auto verdicts = RequireTypedArray<uint8_t>(info[4], napi_uint8_array, "Uint8Array", "verdicts");
    const bool haveFirst = info.Length() > 5 && !info[5].IsUndefined();
    const bool haveCount = info.Length() > 6 && !info[6].IsUndefined();
    const uint64_t first = haveFirst ? RequireUint32(info[5], "first") : 0;
    if (first > start.ElementLength())
      ThrowRangeError(env, "first (" + std::to_string(first) + ") is past the end of start (" +
                               std::to_string(start.ElementLength()) + " entries)");
    const uint64_t count = haveCount ? RequireUint32(info[6], "count") : start.ElementLength() - first;
    const uint64_t end = first + count;
    const struct {
      const char* name;
      size_t length;
    } columns[] = {{"start", start.ElementLength()},
                   {"capLen", capLen.ElementLength()},
                   {"origLen", origLen.ElementLength()},
                   {"verdicts", verdicts.ElementLength()}};
    for (const auto& column : columns) {
      if (end > column.length)
        ThrowRangeError(env, std::to_string(count) + " packets from first " + std::to_string(first) + " need " +
                                 std::to_string(end) + " entries in " + column.name + ", which has " +
                                 std::to_string(column.length));
    }

    const uint8_t* data = packets.Data();
    const uint64_t size = packets.ElementLength();
    const uint32_t* starts = start.Data();
    const uint32_t* capLens = capLen.Data();
    const uint32_t* origLens = origLen.Data();
    // Every range first, so that a bad one throws before any verdict is written.
    for (uint64_t i = first; i < end; i++) {
      if (uint64_t(starts[i]) + capLens[i] > size)
        ThrowRangeError(env, "packet " + std::to_string(i) + " (start " + std::to_string(starts[i]) + ", capLen " +
                                 std::to_string(capLens[i]) + ") runs past the end of packets (" +
                                 std::to_string(size) + " bytes)");
    }
    uint8_t* out = verdicts.Data();
    uint32_t accepted = 0;
    for (uint64_t i = first; i < end; i++) {
      // wirelen is passed as the file says, as pcap_offline_filter does: bpf_filter bounds every
      // load by buflen (capLen) and uses wirelen only for `len`.
      const bool keep = bpf_filter(insns_.data(), data + starts[i], origLens[i], capLens[i]) != 0;
      out[i] = keep ? 1 : 0;
      accepted += keep;
    }
    return Napi::Number::New(env, accepted);
  }

  std::vector<bpf_insn> insns_;
};

}  // namespace

void InitClassicFilter(Napi::Env env, Napi::Object exports) {
  exports.Set("ClassicFilter", ClassicFilter::Define(env));
}

}  // namespace sievecap
