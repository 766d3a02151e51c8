#!/bin/bash
# electron-builder's own after-install steps (app-builder-lib/templates/linux/after-install.tpl,
# which this file replaces), then Sievecap's capture helper at the end. electron-builder expands
# the ${executable} and ${sanitizedProductName} macros, and fails on any other macro of that form:
# write other shell variables as $name.
#
# Every path is under $DPKG_ROOT, which dpkg sets for maintainer scripts when it installs into
# another root (dpkg --root): empty for a normal install. Tests run this script with DPKG_ROOT set to
# a scratch directory (tests/desktop-packaging.test.ts); nothing then touches the running system.
root="${DPKG_ROOT:-}"

# (update-alternatives reads DPKG_ROOT itself: its arguments are paths as installed.)
if type update-alternatives >/dev/null 2>&1; then
    # Remove previous link if it doesn't use update-alternatives
    if [ -L "$root"'/usr/bin/${executable}' -a -e "$root"'/usr/bin/${executable}' -a "`readlink "$root"'/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f "$root"'/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' "$root"'/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' "$root"'/usr/bin/${executable}'
fi

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 "$root"'/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 "$root"'/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null && [ -d "$root/usr/share/mime" ]; then
    update-mime-database "$root/usr/share/mime" || true
fi

if hash update-desktop-database 2>/dev/null && [ -d "$root/usr/share/applications" ]; then
    update-desktop-database "$root/usr/share/applications" || true
fi

# Install apparmor profile. (Ubuntu 24+)
# First check if the version of AppArmor running on the device supports our profile.
# This is in order to keep backwards compatibility with Ubuntu 22.04 which does not support abi/4.0.
# In that case, we just skip installing the profile since the app runs fine without it on 22.04.
#
# Those apparmor_parser flags are akin to performing a dry run of loading a profile.
# https://wiki.debian.org/AppArmor/HowToUse#Dumping_profiles
#
# Unfortunately, at the moment AppArmor doesn't have a good story for backwards compatibility.
# https://askubuntu.com/questions/1517272/writing-a-backwards-compatible-apparmor-profile
# Not into another root: the running kernel's AppArmor is not that root's.
if [ -z "$root" ] && apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"

    # Updating the current AppArmor profile is not possible and probably not meaningful in a chroot'ed environment.
    # Use cases are for example environments where images for clients are maintained.
    # There, AppArmor might correctly be installed, but live updating makes no sense.
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      # Extra flags taken from dh_apparmor:
      # > By using '-W -T' we ensure that any abstraction updates are also pulled in.
      # https://wiki.debian.org/AppArmor/Contribute/FirstTimeProfileImport
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi

# --- Sievecap's capture helper ----------------------------------------------------------------
# Live capture runs in a small privileged helper, as in Wireshark (dumpcap). pkexec starts it as
# root through a root-owned launcher of fixed contents, /usr/lib/sievecap/sievecap-helper; the
# polkit action org.sievecap.helper asks for an administrator's password, and a polkit rule lets
# members of the group sievecap run it without one (sudo usermod -aG sievecap USER).
if [ -z "$root" ]; then
    getent group sievecap >/dev/null || groupadd --system sievecap
elif ! grep -q '^sievecap:' "$root/etc/group" 2>/dev/null; then
    groupadd --prefix "$root" --system sievecap
fi
# The launcher, the action and the rule are written by the app's own installer, run by the app's
# own binary as Node, with nothing of this script's environment but PATH. The helper runs from the
# unpacked app files (electron-builder.yml: asarUnpack), which root can read.
# The binary and install.js are run from under the root; --lib-dir and --node name them as installed.
if ! /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ELECTRON_RUN_AS_NODE=1 \
    "$root"'/opt/${sanitizedProductName}/${executable}' \
    "$root"'/opt/${sanitizedProductName}/resources/app.asar.unpacked/dist/app/helper/install.js' \
    --root "${root:-/}" --lib-dir '/opt/${sanitizedProductName}/resources/app.asar.unpacked' --no-copy \
    --node '/opt/${sanitizedProductName}/${executable}' --electron --no-group; then
    # Not fatal: the app opens and saves captures without it; live capture then needs root.
    echo "Sievecap: could not install the capture helper (see above); reinstall the package to try again." >&2
fi

# --- The manual page sievecap(1) ---------------------------------------------------------------
# Made at build time from the option table of `sievecap --help` (scripts/bundle.mjs).
man_source="$root"'/opt/${sanitizedProductName}/resources/app.asar.unpacked/dist/man/sievecap.1'
if [ -f "$man_source" ]; then
    mkdir -p "$root/usr/share/man/man1"
    gzip -9nc "$man_source" > "$root/usr/share/man/man1/sievecap.1.gz"
    chmod 0644 "$root/usr/share/man/man1/sievecap.1.gz"
fi
