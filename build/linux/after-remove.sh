#!/bin/bash
# electron-builder's own after-remove steps (app-builder-lib/templates/linux/after-remove.tpl,
# which this file replaces), then Sievecap's capture helper at the end. electron-builder expands
# the ${executable} and ${sanitizedProductName} macros, and fails on any other macro of that form:
# write other shell variables as $name.
#
# Every path is under $DPKG_ROOT (dpkg --root; empty for a normal removal), as in after-install.sh.
root="${DPKG_ROOT:-}"

# Delete the link to the binary
# update-alternatives --remove <name> <path>: 'path' must be the registered alternative binary,
# not the generic symlink — see https://man7.org/linux/man-pages/man1/update-alternatives.1.html
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f "$root"'/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST="$root"'/etc/apparmor.d/${executable}'

# Remove and unload apparmor profile.
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  # Unload the profile from the running kernel before deleting the file so the
  # policy is not left enforced until the next reboot.  Mirror the chroot guard
  # used in the after-install script — live AppArmor operations are not
  # meaningful inside a chroot.
  # https://wiki.debian.org/AppArmor/HowToUse
  if [ -z "$root" ] && apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi

# --- Sievecap's capture helper ----------------------------------------------------------------
# Remove what after-install.sh had the app's installer write (app/helper/install.ts, default
# paths) — by name, since the app's files are gone by now. Not on upgrade: the new version's
# after-install writes them again. The group sievecap stays, as Wireshark's group does: files
# and rules elsewhere may name it.
case "$1" in
    remove|purge)
        rm -f "$root/usr/lib/sievecap/sievecap-helper" \
              "$root/usr/share/polkit-1/actions/org.sievecap.helper.policy" \
              "$root/usr/share/polkit-1/rules.d/50-sievecap.rules" \
              "$root/usr/share/man/man1/sievecap.1.gz"
        rmdir "$root/usr/lib/sievecap" 2>/dev/null || true
        ;;
esac
