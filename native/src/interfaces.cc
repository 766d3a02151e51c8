// listInterfaces: getifaddrs (links, MACs, addresses) + SIOCGIFMTU + sysfs ARPHRD type.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "errors.h"
#include "exports.h"

namespace sievecap {
namespace {

struct Address {
  std::string family, address, netmask, broadcast;
};

struct Interface {
  std::string name;
  unsigned index = 0;
  unsigned flags = 0;
  int mtu = 0;
  int hardwareType = -1;
  std::string mac;
  std::vector<Address> addresses;
};

std::string SockaddrToString(const sockaddr* sa) {
  if (!sa) return "";
  char buf[INET6_ADDRSTRLEN] = "";
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof(buf));
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof(buf));
  return buf;
}

std::string FormatMac(const unsigned char* addr, int len) {
  std::string out;
  char part[4];
  for (int i = 0; i < len; i++) {
    std::snprintf(part, sizeof(part), i ? ":%02x" : "%02x", addr[i]);
    out += part;
  }
  return out;
}

int ReadSysfsInt(const std::string& name, const char* attribute) {
  std::ifstream in("/sys/class/net/" + name + "/" + attribute);
  int value = -1;
  if (in) in >> value;
  return in ? value : -1;
}

// An IPv4 alias label ("eth0:1") belongs to its base interface.
std::string BaseName(const char* label) {
  std::string name(label);
  size_t colon = name.find(':');
  return colon == std::string::npos ? name : name.substr(0, colon);
}

Napi::Value ListInterfaces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) ThrowSyscallError(env, errno, "getifaddrs", "listing network interfaces");

  std::map<std::string, Interface> byName;
  for (ifaddrs* ifa = list; ifa; ifa = ifa->ifa_next) {
    std::string name = BaseName(ifa->ifa_name);
    Interface& itf = byName[name];
    itf.name = name;
    if (!ifa->ifa_addr) continue;
    int family = ifa->ifa_addr->sa_family;
    if (family == AF_PACKET) {
      const auto* ll = reinterpret_cast<const sockaddr_ll*>(ifa->ifa_addr);
      itf.index = static_cast<unsigned>(ll->sll_ifindex);
      itf.flags = ifa->ifa_flags;
      itf.hardwareType = ll->sll_hatype;
      if (ll->sll_halen > 0) itf.mac = FormatMac(ll->sll_addr, std::min<int>(ll->sll_halen, 8));
    } else if (family == AF_INET || family == AF_INET6) {
      Address a;
      a.family = family == AF_INET ? "inet" : "inet6";
      a.address = SockaddrToString(ifa->ifa_addr);
      a.netmask = SockaddrToString(ifa->ifa_netmask);
      if (family == AF_INET && (ifa->ifa_flags & IFF_BROADCAST)) a.broadcast = SockaddrToString(ifa->ifa_broadaddr);
      itf.addresses.push_back(a);
      if (!itf.flags) itf.flags = ifa->ifa_flags;
    }
  }
  freeifaddrs(list);

  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  std::vector<Interface> sorted;
  for (auto& entry : byName) {
    Interface& itf = entry.second;
    if (!itf.index) itf.index = if_nametoindex(itf.name.c_str());
    if (!itf.index) continue;  // vanished while we were listing
    ifreq ifr;
    std::memset(&ifr, 0, sizeof(ifr));
    std::strncpy(ifr.ifr_name, itf.name.c_str(), IFNAMSIZ - 1);
    if (sock >= 0 && ioctl(sock, SIOCGIFMTU, &ifr) == 0) itf.mtu = ifr.ifr_mtu;
    else itf.mtu = ReadSysfsInt(itf.name, "mtu");
    int sysfsType = ReadSysfsInt(itf.name, "type");
    if (sysfsType >= 0) itf.hardwareType = sysfsType;
    sorted.push_back(itf);
  }
  if (sock >= 0) close(sock);
  std::sort(sorted.begin(), sorted.end(), [](const Interface& a, const Interface& b) { return a.index < b.index; });

  Napi::Array out = Napi::Array::New(env, sorted.size());
  auto nullable = [&](const std::string& s) -> Napi::Value {
    return s.empty() ? env.Null() : Napi::String::New(env, s);
  };
  for (size_t i = 0; i < sorted.size(); i++) {
    const Interface& itf = sorted[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", itf.name);
    o.Set("index", Napi::Number::New(env, itf.index));
    o.Set("up", Napi::Boolean::New(env, itf.flags & IFF_UP));
    o.Set("running", Napi::Boolean::New(env, itf.flags & IFF_RUNNING));
    o.Set("loopback", Napi::Boolean::New(env, itf.flags & IFF_LOOPBACK));
    o.Set("promiscuous", Napi::Boolean::New(env, itf.flags & IFF_PROMISC));
    o.Set("mtu", Napi::Number::New(env, itf.mtu));
    o.Set("hardwareType", Napi::Number::New(env, itf.hardwareType));
    o.Set("mac", nullable(itf.mac));
    Napi::Array addrs = Napi::Array::New(env, itf.addresses.size());
    for (size_t j = 0; j < itf.addresses.size(); j++) {
      const Address& a = itf.addresses[j];
      Napi::Object ao = Napi::Object::New(env);
      ao.Set("family", a.family);
      ao.Set("address", a.address);
      ao.Set("netmask", nullable(a.netmask));
      ao.Set("broadcast", nullable(a.broadcast));
      addrs.Set(j, ao);
    }
    o.Set("addresses", addrs);
    out.Set(i, o);
  }
  return out;
}

}  // namespace

void InitInterfaces(Napi::Env env, Napi::Object exports) {
  exports.Set("listInterfaces", Napi::Function::New(env, ListInterfaces, "listInterfaces"));
}

}  // namespace sievecap
