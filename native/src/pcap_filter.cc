// libpcap in its own translation unit: pcap.h's `struct bpf_insn` clashes with <linux/bpf.h>.
//
// pcapCompile turns a tcpdump filter expression into classic BPF exactly as libpcap does (on a dead
// handle, or on a live activated one so libpcap uses the Linux VLAN ancillary loads as tcpdump
// does); pcapFilter / pcapFilterRecords run libpcap's own bpf_filter, the reference interpreter
// other code is tested against. ClassicFilter (classic_filter.cc) runs it over batches.
#include <pcap/pcap.h>

#include <cstring>
#include <string>
#include <vector>

#include "classic_program.h"
#include "errors.h"
#include "exports.h"

namespace sievecap {
namespace {

// Closes a pcap_t and frees a bpf_program on every exit path (errors are C++ exceptions).
struct PcapHandle {
  pcap_t* p = nullptr;
  ~PcapHandle() {
    if (p) pcap_close(p);
  }
};
struct CompiledProgram {
  bpf_program prog{};
  bool compiled = false;
  ~CompiledProgram() {
    if (compiled) pcap_freecode(&prog);
  }
};

// pcap_activate's result codes mapped to errno so callers get the same `code` as from our own
// syscalls.
int ActivateErrno(int status) {
  switch (status) {
    case PCAP_ERROR_NO_SUCH_DEVICE: return ENODEV;
    case PCAP_ERROR_PERM_DENIED: return EPERM;
    case PCAP_ERROR_IFACE_NOT_UP: return ENETDOWN;
    default: return EINVAL;
  }
}

pcap_t* OpenLive(Napi::Env env, const std::string& device, uint32_t snapLen) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t* p = pcap_create(device.c_str(), errbuf);
  if (!p) throw Napi::Error::New(env, "pcap_create on '" + device + "' failed: " + errbuf);
  pcap_set_snaplen(p, static_cast<int>(snapLen));
  // The handle only lives long enough to compile; keep its ring small.
  pcap_set_buffer_size(p, 256 * 1024);
  int status = pcap_activate(p);
  if (status < 0) {
    std::string detail = pcap_geterr(p);
    std::string statusText = pcap_statustostr(status);
    pcap_close(p);
    int err = ActivateErrno(status);
    bool addDetail = !detail.empty() && detail != statusText;
    throw SyscallError(env, err, "pcap_activate",
                       "opening '" + device + "' to compile the filter as a live capture would (" + statusText +
                           (addDetail ? ": " + detail : "") + ")",
                       device);
  }
  return p;
}

Napi::Array InsnsToJs(Napi::Env env, const bpf_program& prog) {
  Napi::Array out = Napi::Array::New(env, prog.bf_len);
  for (u_int i = 0; i < prog.bf_len; i++) {
    const bpf_insn& in = prog.bf_insns[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("code", Napi::Number::New(env, in.code));
    o.Set("jt", Napi::Number::New(env, in.jt));
    o.Set("jf", Napi::Number::New(env, in.jf));
    o.Set("k", Napi::Number::New(env, in.k));
    out.Set(i, o);
  }
  return out;
}

Napi::Value PcapCompile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = RequireObject(info, 0, "pcapCompile options");
  std::string filter = RequireString(opts.Get("filter"), "options.filter");
  Napi::Value linkTypeValue = opts.Get("linkType");
  bool haveLinkType = !linkTypeValue.IsUndefined() && !linkTypeValue.IsNull();
  uint32_t linkType = haveLinkType ? RequireUint32(linkTypeValue, "options.linkType") : 1;
  uint32_t snapLen = RequireUint32(opts.Get("snapLen"), "options.snapLen");
  if (snapLen == 0 || snapLen > 262144)
    ThrowTypeError(env, "options.snapLen must be between 1 and 262144 (got " + std::to_string(snapLen) + ")");
  bool optimize = OptionalBool(opts, "optimize", true, "options");
  uint32_t netmask = OptionalUint32(opts, "netmask", 0, "options");
  std::string liveDevice = OptionalString(opts, "liveDevice", "", "options");

  PcapHandle handle;
  if (liveDevice.empty()) {
    handle.p = pcap_open_dead(static_cast<int>(linkType), static_cast<int>(snapLen));
    if (!handle.p) throw Napi::Error::New(env, "pcap_open_dead failed (out of memory?)");
  } else {
    handle.p = OpenLive(env, liveDevice, snapLen);
    // 'any' comes up as LINUX_SLL; ask for the caller's link type (e.g. LINUX_SLL2) when it differs.
    if (haveLinkType && pcap_datalink(handle.p) != static_cast<int>(linkType) &&
        pcap_set_datalink(handle.p, static_cast<int>(linkType)) != 0) {
      throw Napi::Error::New(env, "interface '" + liveDevice + "' does not support link type " +
                                      std::to_string(linkType) + ": " + pcap_geterr(handle.p));
    }
  }

  CompiledProgram compiled;
  if (pcap_compile(handle.p, &compiled.prog, filter.c_str(), optimize ? 1 : 0, netmask) != 0) {
    Napi::Error error = Napi::Error::New(env, pcap_geterr(handle.p));
    error.Set("code", Napi::String::New(env, "EFILTER"));
    error.Set("filter", Napi::String::New(env, filter));
    throw error;
  }
  compiled.compiled = true;
  return InsnsToJs(env, compiled.prog);
}

Napi::Value PcapFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<bpf_insn> insns = ProgramFromJs(env, info[0]);
  Napi::Buffer<uint8_t> packet = RequireBuffer(info[1], "packet");
  uint32_t wireLength = RequireUint32(info[2], "wireLength");
  if (wireLength < packet.Length())
    ThrowTypeError(env, "wireLength (" + std::to_string(wireLength) + ") is less than the packet length (" +
                            std::to_string(packet.Length()) + ")");
  u_int verdict = bpf_filter(insns.data(), packet.Data(), wireLength, static_cast<u_int>(packet.Length()));
  return Napi::Number::New(env, verdict);
}

uint32_t ReadLe32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

Napi::Value PcapFilterRecords(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<bpf_insn> insns = ProgramFromJs(env, info[0]);
  Napi::Buffer<uint8_t> records = RequireBuffer(info[1], "records");
  const uint8_t* data = records.Data();
  size_t size = records.Length();

  std::vector<uint32_t> verdicts;
  size_t offset = 0;
  while (offset < size) {
    if (size - offset < 16)
      throw Napi::Error::New(env, "records: truncated pcap record header at byte " + std::to_string(offset));
    uint32_t caplen = ReadLe32(data + offset + 8);
    uint32_t len = ReadLe32(data + offset + 12);
    if (caplen > size - offset - 16)
      throw Napi::Error::New(env, "records: record at byte " + std::to_string(offset) + " has caplen " +
                                      std::to_string(caplen) + " past the end of the buffer");
    if (len < caplen) len = caplen;  // bpf_filter requires wirelen >= buflen
    verdicts.push_back(bpf_filter(insns.data(), data + offset + 16, len, caplen));
    offset += 16 + caplen;
  }
  Napi::Uint32Array out = Napi::Uint32Array::New(env, verdicts.size());
  if (!verdicts.empty()) std::memcpy(out.Data(), verdicts.data(), verdicts.size() * sizeof(uint32_t));
  return out;
}

Napi::Value PcapLibVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), pcap_lib_version());
}

}  // namespace

std::vector<bpf_insn> ProgramFromJs(Napi::Env env, const Napi::Value& value) {
  if (!value.IsArray()) ThrowTypeError(env, "program must be an array of {code, jt, jf, k}");
  Napi::Array array = value.As<Napi::Array>();
  uint32_t n = array.Length();
  if (n == 0) ThrowTypeError(env, "program is empty (a classic BPF program needs at least a ret)");
  std::vector<bpf_insn> insns(n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value item = array.Get(i);
    std::string where = "program[" + std::to_string(i) + "]";
    if (!item.IsObject()) ThrowTypeError(env, where + " must be an object {code, jt, jf, k}");
    Napi::Object o = item.As<Napi::Object>();
    uint32_t code = RequireUint32(o.Get("code"), where + ".code");
    uint32_t jt = RequireUint32(o.Get("jt"), where + ".jt");
    uint32_t jf = RequireUint32(o.Get("jf"), where + ".jf");
    uint32_t k = RequireUint32(o.Get("k"), where + ".k");
    if (code > 0xffff || jt > 0xff || jf > 0xff)
      ThrowTypeError(env, where + ": code must fit 16 bits and jt/jf 8 bits");
    insns[i] = bpf_insn{static_cast<u_short>(code), static_cast<u_char>(jt), static_cast<u_char>(jf), k};
  }
  if (!bpf_validate(insns.data(), static_cast<int>(n))) {
    Napi::Error error = Napi::Error::New(env, "invalid classic BPF program (rejected by libpcap's bpf_validate)");
    error.Set("code", Napi::String::New(env, "EINVAL"));
    throw error;
  }
  return insns;
}

void InitPcapFilter(Napi::Env env, Napi::Object exports) {
  exports.Set("pcapCompile", Napi::Function::New(env, PcapCompile, "pcapCompile"));
  exports.Set("pcapFilter", Napi::Function::New(env, PcapFilter, "pcapFilter"));
  exports.Set("pcapFilterRecords", Napi::Function::New(env, PcapFilterRecords, "pcapFilterRecords"));
  exports.Set("pcapLibVersion", Napi::Function::New(env, PcapLibVersion, "pcapLibVersion"));
}

}  // namespace sievecap
