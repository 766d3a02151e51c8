// What the privileged helper needs from the OS that Node cannot do itself: give up root while
// keeping a few capabilities (dropPrivileges), learn who is on the other end of a Unix socket
// (peerCredentials), and look users up in the password database (lookupUser).
//
// Capabilities are per thread in Linux, and a Node process is never one thread, not even with
// `--single-threaded` (that V8 flag only stops background compilation): Node 20 keeps its V8
// platform workers, their delayed-task thread and the inspector's SIGUSR1 start-up thread, which
// blocks every signal it can. glibc carries set*id calls to every thread (its SIGSETXID
// broadcast, a signal pthread_sigmask cannot block), but capset, the bounding set and
// no_new_privs it leaves to the calling thread. So the per-thread steps are carried to the other
// threads the same way glibc does it (as libcap's psx does): a queued signal on glibc's SIGSETXID
// number, whose handler runs the step on the thread that receives it; our handler is installed
// only for the broadcast, and passes glibc's own signals on to glibc. Afterwards every thread's
// /proc status is read back and anything held beyond the kept set is an error (fail closed).
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "errors.h"
#include "exports.h"

namespace sievecap {
namespace {

// ---- capability names ---------------------------------------------------------------------------

// Index = capability number (<linux/capability.h>; numbers are ABI and never change).
const char* const kCapabilityNames[] = {
    "CAP_CHOWN",          "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",         "CAP_KILL",         "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",        "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",      "CAP_NET_RAW",      "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",     "CAP_SYS_RAWIO",    "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",      "CAP_SYS_ADMIN",    "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",   "CAP_SYS_TIME",     "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",          "CAP_AUDIT_WRITE",  "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",   "CAP_MAC_ADMIN",    "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",   "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
constexpr int kKnownCapabilities = sizeof(kCapabilityNames) / sizeof(kCapabilityNames[0]);

std::string CapabilityName(int cap) {
  return cap < kKnownCapabilities ? kCapabilityNames[cap] : "capability " + std::to_string(cap);
}

std::string DescribeSet(uint64_t set) {
  std::string out;
  for (int cap = 0; cap < 64; cap++) {
    if (!(set & (uint64_t(1) << cap))) continue;
    if (!out.empty()) out += ", ";
    out += CapabilityName(cap);
  }
  return out.empty() ? "none" : out;
}

// The highest capability this kernel knows (it may know more than our table).
int LastCapability() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int last = -1;
  if (in >> last && last >= 0 && last < 64) return last;
  return kKnownCapabilities - 1;
}

// ---- the per-thread steps ---------------------------------------------------------------------
// Raw syscalls only: they also run inside a signal handler on other threads. Each returns 0 or an
// errno value.

struct Step {
  enum Kind { kRestrict, kClearCapabilities } kind;
  uint64_t keep;
  int lastCap;
};

int LastErrno() { return errno ? errno : EIO; }

// Bounding set down to `keep`, no ambient capabilities, no_new_privs: what a thread must have
// before the set*id calls (it still needs CAP_SETPCAP, CAP_SETUID, CAP_SETGID for them).
int RestrictThread(const Step& step) {
  for (int cap = 0; cap <= step.lastCap; cap++) {
    if (step.keep & (uint64_t(1) << cap)) continue;
    long inSet = syscall(SYS_prctl, PR_CAPBSET_READ, cap, 0, 0, 0);
    if (inSet < 0) {
      if (errno == EINVAL) break;  // beyond what this kernel knows
      return LastErrno();
    }
    if (inSet == 1 && syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return LastErrno();
  }
  if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) return LastErrno();
  if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return LastErrno();
  return 0;
}

// Sets permitted = effective = `set`, inheritable empty, on the calling thread.
int SetCapabilities(uint64_t set) {
  __user_cap_header_struct header;
  std::memset(&header, 0, sizeof(header));
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  std::memset(data, 0, sizeof(data));
  data[0].permitted = data[0].effective = uint32_t(set);
  data[1].permitted = data[1].effective = uint32_t(set >> 32);
  if (syscall(SYS_capset, &header, data) != 0) return LastErrno();
  return 0;
}

int RunStep(const Step& step) {
  return step.kind == Step::kRestrict ? RestrictThread(step) : SetCapabilities(0);
}

// ---- carrying a step to every other thread -----------------------------------------------------

// glibc's SIGSETXID (__SIGRTMIN + 1): the one signal no thread can block with pthread_sigmask.
constexpr int kBroadcastSignal = 33;
constexpr int kBroadcastMagic = 0x5ca95ca9;
constexpr int kBroadcastTimeoutMs = 2000;

// The kernel's struct sigaction for rt_sigaction (x86_64, arm64 and the generic layout).
struct KernelSigaction {
  union {
    void (*action)(int, siginfo_t*, void*);  // with SA_SIGINFO
    void (*handler)(int);                     // without; also SIG_DFL, SIG_IGN
  };
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

KernelSigaction gPrevious;          // glibc's handler, restored after each broadcast
Step gStep;                         // written before the signals are sent
std::atomic<int> gAnswered{0};
std::atomic<int> gFirstError{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");

void OnBroadcastSignal(int sig, siginfo_t* info, void* context) {
  if (info == nullptr || info->si_code != SI_QUEUE || info->si_value.sival_int != kBroadcastMagic ||
      info->si_pid != getpid()) {
    // glibc's own set*id broadcast (SI_TKILL): hand it to glibc's handler.
    if (gPrevious.flags & SA_SIGINFO)
      gPrevious.action(sig, info, context);
    else if (gPrevious.handler != SIG_DFL && gPrevious.handler != SIG_IGN)
      gPrevious.handler(sig);
    return;
  }
  int savedErrno = errno;
  int err = RunStep(gStep);
  if (err != 0) {
    int none = 0;
    gFirstError.compare_exchange_strong(none, err);
  }
  gAnswered.fetch_add(1, std::memory_order_release);
  errno = savedErrno;
}

long RtSigaction(int sig, const KernelSigaction* act, KernelSigaction* old) {
  return syscall(SYS_rt_sigaction, sig, act, old, sizeof(uint64_t));
}

std::vector<pid_t> ListThreads() {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc/self/task");
  if (!dir) return out;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    out.push_back(pid_t(std::strtol(entry->d_name, nullptr, 10)));
  }
  closedir(dir);
  return out;
}

struct BroadcastFailure {
  int err = 0;
  std::string syscall, what;
};

// Runs `step` on every thread of the process except the calling one. Returns the failure, if any.
BroadcastFailure Broadcast(const Step& step) {
  BroadcastFailure failure;
  KernelSigaction previous;
  if (RtSigaction(kBroadcastSignal, nullptr, &previous) != 0)
    return {LastErrno(), "rt_sigaction", "reading glibc's thread signal handler"};
#if defined(__x86_64__)
  // x86_64 returns from a handler through sa_restorer; borrow glibc's.
  if (!(previous.flags & SA_RESTORER))
    return {ENOTSUP, "rt_sigaction", "glibc's thread signal handler is not installed, so other threads cannot be reached"};
#endif
  // After a broadcast that timed out ours is still installed: keep passing on to glibc's.
  if (previous.action != OnBroadcastSignal) gPrevious = previous;
  gStep = step;
  gAnswered.store(0);
  gFirstError.store(0);
  KernelSigaction ours = gPrevious;
  ours.action = OnBroadcastSignal;
  ours.flags = gPrevious.flags | SA_SIGINFO | SA_RESTART;
  if (RtSigaction(kBroadcastSignal, &ours, nullptr) != 0)
    return {LastErrno(), "rt_sigaction", "installing the thread signal handler"};

  const pid_t pid = getpid();
  const pid_t self = pid_t(syscall(SYS_gettid));
  int sent = 0;
  for (pid_t tid : ListThreads()) {
    if (tid == self) continue;
    siginfo_t info;
    std::memset(&info, 0, sizeof(info));
    info.si_signo = kBroadcastSignal;
    info.si_code = SI_QUEUE;
    info.si_pid = pid;
    info.si_uid = getuid();
    info.si_value.sival_int = kBroadcastMagic;
    if (syscall(SYS_rt_tgsigqueueinfo, pid, tid, kBroadcastSignal, &info) == 0) {
      sent++;
    } else if (errno != ESRCH) {  // ESRCH: the thread has exited meanwhile
      failure = {LastErrno(), "rt_tgsigqueueinfo", "signalling thread " + std::to_string(tid)};
      break;
    }
  }
  // Wait for every answer: glibc's handler, once back, would ignore a late signal of ours.
  timespec tick{0, 1000000};
  int waitedMs = 0;
  while (gAnswered.load(std::memory_order_acquire) < sent && waitedMs < kBroadcastTimeoutMs) {
    nanosleep(&tick, nullptr);
    waitedMs++;
  }
  if (gAnswered.load(std::memory_order_acquire) < sent) {
    // Leave our handler in place (it passes glibc's signals on): a late answer must find it.
    return {ETIMEDOUT, "rt_tgsigqueueinfo",
            std::to_string(sent - gAnswered.load()) + " of " + std::to_string(sent) +
                " other threads did not answer within 2 s"};
  }
  RtSigaction(kBroadcastSignal, &gPrevious, nullptr);
  if (failure.err == 0 && gFirstError.load() != 0)
    failure = {gFirstError.load(), step.kind == Step::kRestrict ? "prctl" : "capset",
               "restricting the other threads of the process"};
  return failure;
}

// ---- reading the result back ------------------------------------------------------------------

struct ThreadCredentials {
  bool complete = false;
  uint64_t uids[4] = {}, gids[4] = {};
  std::string groups;
  uint64_t inheritable = 0, permitted = 0, effective = 0, bounding = 0, ambient = 0;
  int noNewPrivs = -1;
};

ThreadCredentials ReadStatus(const std::string& file) {
  ThreadCredentials out;
  std::ifstream in(file);
  std::string line;
  int seen = 0;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    std::istringstream value(line.substr(colon + 1));
    auto hex = [&](uint64_t& into) {
      value >> std::hex >> into;
      seen++;
    };
    if (key == "Uid") {
      for (auto& u : out.uids) value >> u;
      seen++;
    } else if (key == "Gid") {
      for (auto& g : out.gids) value >> g;
      seen++;
    } else if (key == "Groups") {
      std::getline(value >> std::ws, out.groups);
      seen++;
    } else if (key == "CapInh") hex(out.inheritable);
    else if (key == "CapPrm") hex(out.permitted);
    else if (key == "CapEff") hex(out.effective);
    else if (key == "CapBnd") hex(out.bounding);
    else if (key == "CapAmb") hex(out.ambient);
    else if (key == "NoNewPrivs") {
      value >> out.noNewPrivs;
      seen++;
    }
  }
  out.complete = seen == 9;
  return out;
}

// Empty when the thread holds nothing beyond `keep` and runs as uid/gid; else what is wrong.
std::string CheckThread(const ThreadCredentials& c, uint64_t keep, uint32_t uid, uint32_t gid) {
  if (!c.complete) return "its status could not be read";
  for (uint64_t u : c.uids)
    if (u != uid) return "a user id is still " + std::to_string(u);
  for (uint64_t g : c.gids)
    if (g != gid) return "a group id is still " + std::to_string(g);
  if (!c.groups.empty()) return "supplementary groups remain (" + c.groups + ")";
  const struct {
    const char* name;
    uint64_t set, allowed;
  } sets[] = {{"permitted", c.permitted, keep},
              {"effective", c.effective, keep},
              {"bounding", c.bounding, keep},
              {"inheritable", c.inheritable, 0},
              {"ambient", c.ambient, 0}};
  for (const auto& s : sets)
    if (s.set & ~s.allowed) return std::string("its ") + s.name + " set still holds " + DescribeSet(s.set & ~s.allowed);
  if (c.noNewPrivs != 1) return "no_new_privs is not set";
  return "";
}

// ---- JavaScript functions ---------------------------------------------------------------------

Napi::Error StepError(Napi::Env env, int err, const std::string& syscall, const std::string& what) {
  Napi::Error error = Napi::Error::New(
      env, "dropPrivileges(): " + what + ": " + std::strerror(err) + " (" + syscall +
               "); the process may now hold some privileges and not others: exit instead of continuing");
  error.Set("code", Napi::String::New(env, ErrnoName(err)));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

uint32_t RequireId(const Napi::Object& opts, const char* key) {
  uint32_t id = RequireUint32(opts.Get(key), std::string("options.") + key);
  if (id == UINT32_MAX)  // (uid_t)-1 means "leave unchanged" to setresuid
    ThrowTypeError(opts.Env(), std::string("options.") + key + " must not be 4294967295 (-1)");
  return id;
}

Napi::Value DropPrivileges(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = RequireObject(info, 0, "dropPrivileges options");
  const uint32_t uid = RequireId(opts, "uid");
  const uint32_t gid = RequireId(opts, "gid");
  Napi::Value keepValue = opts.Get("keepCapabilities");
  if (!keepValue.IsArray()) ThrowTypeError(env, "options.keepCapabilities must be an array of capability names");
  Napi::Array keepArray = keepValue.As<Napi::Array>();
  uint64_t keep = 0;
  for (uint32_t i = 0; i < keepArray.Length(); i++) {
    std::string name = RequireString(keepArray.Get(i), "options.keepCapabilities[" + std::to_string(i) + "]");
    int cap = -1;
    for (int c = 0; c < kKnownCapabilities; c++)
      if (name == kCapabilityNames[c]) cap = c;
    if (cap < 0)
      ThrowTypeError(env, "options.keepCapabilities[" + std::to_string(i) + "]: unknown capability '" + name +
                              "' (expected a name like 'CAP_NET_RAW', 'CAP_BPF' or 'CAP_NET_ADMIN')");
    keep |= uint64_t(1) << cap;
  }
  const int lastCap = LastCapability();
  for (int cap = lastCap + 1; cap < kKnownCapabilities; cap++)
    if (keep & (uint64_t(1) << cap))
      ThrowTypeError(env, "options.keepCapabilities: this kernel does not know " + CapabilityName(cap));

  if (geteuid() != 0) {
    Napi::Error error = Napi::Error::New(
        env, "dropPrivileges() must be called as root (the process runs with euid " + std::to_string(geteuid()) +
                 "): start the helper with sudo or pkexec, or do not drop privileges");
    error.Set("code", Napi::String::New(env, "EPERM"));
    error.Set("errno", Napi::Number::New(env, EPERM));
    error.Set("syscall", Napi::String::New(env, "geteuid"));
    throw error;
  }

  // 1. Bounding set, ambient set, no_new_privs: here and on every other thread.
  Step restrict{Step::kRestrict, keep, lastCap};
  if (int err = RestrictThread(restrict))
    throw StepError(env, err, "prctl", "restricting the bounding set of the calling thread");
  BroadcastFailure failure = Broadcast(restrict);
  if (failure.err) throw StepError(env, failure.err, failure.syscall, failure.what);

  // 2. Identity. glibc carries each of these to every thread; other threads keep no capability
  // across the uid change (their keepcaps is 0), this one keeps its permitted set.
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    throw StepError(env, LastErrno(), "prctl(PR_SET_KEEPCAPS)", "keeping capabilities across the uid change");
  if (setgroups(0, nullptr) != 0)
    throw StepError(env, LastErrno(), "setgroups", "clearing the supplementary groups");
  if (setresgid(gid, gid, gid) != 0)
    throw StepError(env, LastErrno(), "setresgid", "switching to group " + std::to_string(gid));
  if (setresuid(uid, uid, uid) != 0)
    throw StepError(env, LastErrno(), "setresuid", "switching to user " + std::to_string(uid));

  // 3. This thread: exactly the kept capabilities. Other threads: none (also when uid is 0).
  if (int err = SetCapabilities(keep))
    throw StepError(env, err, "capset",
                    "keeping " + DescribeSet(keep) + (err == EPERM ? " (the process did not have them all)" : ""));
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
    throw StepError(env, LastErrno(), "prctl(PR_CAP_AMBIENT)", "clearing the ambient capabilities");
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
    throw StepError(env, LastErrno(), "prctl(PR_SET_KEEPCAPS)", "resetting keepcaps");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    throw StepError(env, LastErrno(), "prctl(PR_SET_NO_NEW_PRIVS)", "setting no_new_privs");
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    throw StepError(env, LastErrno(), "prctl(PR_SET_DUMPABLE)", "making the process undumpable");
  failure = Broadcast(Step{Step::kClearCapabilities, keep, lastCap});
  if (failure.err) throw StepError(env, failure.err, failure.syscall, failure.what);

  // 4. Read it all back (fail closed).
  auto fail = [&](const std::string& what) {
    Napi::Error error = Napi::Error::New(env, "dropPrivileges(): " + what +
                                                  "; the privileges were not dropped completely: exit instead of "
                                                  "continuing");
    error.Set("code", Napi::String::New(env, "EPRIVILEGED"));
    return error;
  };
  ThreadCredentials self = ReadStatus("/proc/thread-self/status");
  std::string problem = CheckThread(self, keep, uid, gid);
  if (!problem.empty()) throw fail("the calling thread: " + problem);
  if (self.permitted != keep || self.effective != keep)
    throw fail("the calling thread holds " + DescribeSet(self.effective) + " instead of " + DescribeSet(keep));
  std::vector<pid_t> threads = ListThreads();
  if (threads.empty()) throw fail("/proc/self/task could not be read");
  for (const std::string& file : {std::string("/proc/self/status")}) {
    problem = CheckThread(ReadStatus(file), keep, uid, gid);
    if (!problem.empty()) throw fail("the main thread: " + problem);
  }
  for (pid_t tid : threads) {
    problem = CheckThread(ReadStatus("/proc/self/task/" + std::to_string(tid) + "/status"), keep, uid, gid);
    if (!problem.empty()) throw fail("thread " + std::to_string(tid) + ": " + problem);
  }

  Napi::Array kept = Napi::Array::New(env);
  for (int cap = 0; cap < 64; cap++)
    if (self.effective & (uint64_t(1) << cap)) kept.Set(kept.Length(), Napi::String::New(env, CapabilityName(cap)));
  Napi::Object out = Napi::Object::New(env);
  out.Set("keptCapabilities", kept);
  return out;
}

Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = RequireFd(info[0], "fd");
  int domain = 0;
  socklen_t length = sizeof(domain);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0)
    ThrowSyscallError(env, errno, "getsockopt(SO_DOMAIN)", "reading the peer of fd " + std::to_string(fd));
  if (domain != AF_UNIX) {
    Napi::Error error = Napi::Error::New(
        env, "reading the peer of fd " + std::to_string(fd) + ": it is not a Unix socket (address family " +
                 std::to_string(domain) + "); peer credentials exist only for connected AF_UNIX sockets");
    error.Set("code", Napi::String::New(env, "EAFNOSUPPORT"));
    error.Set("errno", Napi::Number::New(env, EAFNOSUPPORT));
    error.Set("syscall", Napi::String::New(env, "getsockopt(SO_PEERCRED)"));
    throw error;
  }
  ucred peer;
  std::memset(&peer, 0, sizeof(peer));
  length = sizeof(peer);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0)
    ThrowSyscallError(env, errno, "getsockopt(SO_PEERCRED)", "reading the peer of fd " + std::to_string(fd));
  if (peer.pid == 0) {  // a listening or unconnected socket has no peer: the kernel says pid 0, uid -1
    Napi::Error error = Napi::Error::New(env, "reading the peer of fd " + std::to_string(fd) +
                                                  ": the socket is not connected, so it has no peer");
    error.Set("code", Napi::String::New(env, "ENOTCONN"));
    error.Set("errno", Napi::Number::New(env, ENOTCONN));
    error.Set("syscall", Napi::String::New(env, "getsockopt(SO_PEERCRED)"));
    throw error;
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, peer.pid));
  out.Set("uid", Napi::Number::New(env, peer.uid));
  out.Set("gid", Napi::Number::New(env, peer.gid));
  return out;
}

// getpwnam_r / getpwuid_r with a buffer that grows on ERANGE. Returns false when there is no such
// user; throws on a real failure of the password database.
bool GetPassword(Napi::Env env, const std::string* name, uid_t uid, passwd& entry, std::vector<char>& buffer) {
  long suggested = sysconf(_SC_GETPW_R_SIZE_MAX);
  buffer.resize(suggested > 0 ? size_t(suggested) : 16384);
  for (;;) {
    passwd* result = nullptr;
    int err = name ? getpwnam_r(name->c_str(), &entry, buffer.data(), buffer.size(), &result)
                   : getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result);
    if (err == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (result) return true;
    // POSIX lets "not found" come back as 0 or as one of these.
    if (err == 0 || err == ENOENT || err == ESRCH || err == EBADF || err == EPERM) return false;
    ThrowSyscallError(env, err, name ? "getpwnam_r" : "getpwuid_r",
                      "looking up user " + (name ? "'" + *name + "'" : std::to_string(uid)) +
                          " in the password database");
  }
}

Napi::Value LookupUser(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !(info[0].IsString() || info[0].IsNumber()))
    ThrowTypeError(env, "lookupUser(user): user must be a user name or a numeric uid");
  passwd entry;
  std::vector<char> buffer;
  bool found = false;
  if (info[0].IsNumber()) {
    found = GetPassword(env, nullptr, RequireUint32(info[0], "user"), entry, buffer);
  } else {
    std::string name = info[0].As<Napi::String>().Utf8Value();
    if (name.empty() || name.find('\0') != std::string::npos)
      ThrowTypeError(env, "lookupUser(user): user must be a non-empty user name or a numeric uid");
    found = GetPassword(env, &name, 0, entry, buffer);
    // As tcpdump -Z and chown do: a name that is all digits and no user's name is a uid.
    bool digits = name.size() <= 10 && name.find_first_not_of("0123456789") == std::string::npos;
    if (!found && digits) {
      uint64_t uid = std::stoull(name);
      if (uid < UINT32_MAX) found = GetPassword(env, nullptr, uid_t(uid), entry, buffer);
    }
  }
  if (!found) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("name", Napi::String::New(env, entry.pw_name ? entry.pw_name : ""));
  out.Set("uid", Napi::Number::New(env, entry.pw_uid));
  out.Set("gid", Napi::Number::New(env, entry.pw_gid));
  out.Set("home", Napi::String::New(env, entry.pw_dir ? entry.pw_dir : ""));
  return out;
}

}  // namespace

void InitPrivileges(Napi::Env env, Napi::Object exports) {
  exports.Set("dropPrivileges", Napi::Function::New(env, DropPrivileges, "dropPrivileges"));
  exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials, "peerCredentials"));
  exports.Set("lookupUser", Napi::Function::New(env, LookupUser, "lookupUser"));
}

}  // namespace sievecap
