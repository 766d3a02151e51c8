#!/usr/bin/env bash
# `npm start [-- FILE]`: sets everything up (scripts/setup.sh), then opens Sievecap — the Electron app
# when it can run here (a display, and the Electron binary present and starting), else
# `bin/sievecap serve`, which serves the same UI to a browser, after saying why.
#
#   SIEVECAP_START=serve           serve mode even where Electron could run
#   SIEVECAP_SKIP_SETUP=1          do not run scripts/setup.sh first
#   SIEVECAP_START_DRY_RUN=1       print the command instead of running it
#   ELECTRON_OVERRIDE_DIST_PATH    a folder holding an Electron binary to use
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf 'start: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

if [ "${SIEVECAP_SKIP_SETUP:-}" != 1 ]; then
  (cd "$root" && bash scripts/setup.sh) || fail "set-up failed (scripts/setup.sh, above); fix that and run npm start again"
fi
[ -f "$root/dist/app/main/start-choice.js" ] || fail "dist/app/main/start-choice.js is missing: the TypeScript is not built (npm run build:ts)"
if [ ! -f "$root/dist/renderer/index.html" ]; then
  if node -e 'process.exit(require(process.argv[1]).scripts?.["build:renderer"] ? 0 : 1)' "$root/package.json"; then
    (cd "$root" && npm run build:renderer) || fail "building the user interface failed (npm run build:renderer, above)"
  fi
  [ -f "$root/dist/renderer/index.html" ] || fail "the user interface is not built: dist/renderer/index.html is missing (npm run build:renderer)"
fi

# Files are named relative to where npm start was run; nothing below changes directory.
choice="$(cd "$root" && node dist/app/main/start-choice.js)" || fail "could not decide how to start (node dist/app/main/start-choice.js failed)"
kind="${choice%%$'\t'*}"
rest="${choice#*$'\t'}"

run() {
  if [ "${SIEVECAP_START_DRY_RUN:-}" = 1 ]; then
    printf '%q ' "$@"
    printf '\n'
    exit 0
  fi
  exec "$@"
}

case "$kind" in
  electron)
    binary="${rest%%$'\t'*}"
    args="${rest#*$'\t'}"
    say "starting the desktop app ($binary)"
    # shellcheck disable=SC2086 # args: switches with no spaces (start-choice.ts)
    run "$binary" "$root" $args "$@"
    ;;
  serve)
    say "Electron cannot run here: $rest."
    say "starting bin/sievecap serve instead: open the address it prints in a browser (Ctrl-C stops it)"
    run "$root/bin/sievecap" serve "$@"
    ;;
  *)
    fail "unexpected answer from start-choice.js: $choice"
    ;;
esac
