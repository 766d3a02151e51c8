// Classic BPF programs handed in from JavaScript, for the libpcap translation units only: this
// header pulls in <pcap/pcap.h>, whose `struct bpf_insn` clashes with <linux/bpf.h>'s.
#pragma once

#include <napi.h>
#include <pcap/pcap.h>

#include <vector>

namespace sievecap {

// ClassicInsn[] ({code, jt, jf, k} objects, as pcapCompile returns them) → struct bpf_insn[],
// checked by libpcap's bpf_validate so that bpf_filter never runs a program that could jump
// outside itself. A value of the wrong shape throws TypeError; a program bpf_validate rejects
// throws an Error with code 'EINVAL'.
std::vector<bpf_insn> ProgramFromJs(Napi::Env env, const Napi::Value& value);

}  // namespace sievecap
