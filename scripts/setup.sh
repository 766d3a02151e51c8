#!/usr/bin/env bash
# Idempotent set-up on Debian 12 as root: system packages when missing, npm packages, build.
# Used by the README's Quick start, by `npm test` and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libpcap-dev tcpdump tshark tcpreplay iproute2 iputils-ping bpftool curl openssl util-linux bsdutils openssh-client python3 python3-pyftpdlib snmpd snmptrapd snmp slapd ldap-utils krb5-kdc krb5-admin-server krb5-user coturn wireguard-tools wireguard-go openvpn python3-impacket sip-tester groff-base make g++ polkitd pkexec dbus desktop-file-utils chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

stamp=node_modules/.sievecap-install-stamp
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ]; then
  npm install --no-audit --no-fund
  touch "$stamp"
fi

if [ ! -f native/build/Release/sievecap_native.node ] || [ -n "$(find native/src native/binding.gyp -newer native/build/Release/sievecap_native.node -print -quit)" ]; then
  npm run build:native
fi
npm run build:ts
npm run build:renderer
