#!/usr/bin/env bash
# Prepares the Debian 13 (trixie) chroot in which src/server/rust-core-sdk.interop.test.ts runs the
# official Rust-core Node SDKs (longport 4.x, longbridge 4.x/5.x): their native code needs glibc
# 2.39, newer than Debian 12's. Idempotent: each step runs only when its stamp is missing or stale.
#
#   sudo tools/sdk-chroot.sh [DIR]        DIR defaults to $CAPFLOW_SDK_CHROOT or /var/cache/capflow-sdk/trixie
#
# Needs root (debootstrap, chroot), debootstrap (installed with apt-get when missing), the host's
# npm, and the Debian and npm package registries. Optional: CAPFLOW_DEBIAN_MIRROR (debootstrap's
# mirror argument; default: debootstrap's own). Nothing is mounted into the chroot: the SDKs need
# neither /proc nor /dev beyond the device nodes debootstrap creates, and the chroot shares the
# host's network, so the test's server on 127.0.0.1 is reachable from inside.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:-${CAPFLOW_SDK_CHROOT:-/var/cache/capflow-sdk/trixie}}
SDK_DIR=$ROOT/opt/capflow-sdk

case "$ROOT" in /*/*) ;; *) echo "sdk-chroot: refusing chroot directory '$ROOT' (give an absolute path two levels deep or more)" >&2; exit 1 ;; esac
if [ "$(id -u)" -ne 0 ]; then echo "sdk-chroot: must run as root (debootstrap and chroot)" >&2; exit 1; fi
step() { printf 'sdk-chroot: %s\n' "$*"; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

if [ ! -f "$ROOT/.capflow-base" ]; then
  if ! command -v debootstrap >/dev/null; then
    t=$(now)
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    step "installed debootstrap in $(took "$t")"
  fi
  t=$(now)
  rm -rf "$ROOT.partial"
  mkdir -p "$(dirname "$ROOT")"
  # minbase + Debian's Node.js (20.x in trixie): the SDKs are loaded straight from their .node files.
  debootstrap --variant=minbase --include=nodejs,ca-certificates trixie "$ROOT.partial" ${CAPFLOW_DEBIAN_MIRROR:-} \
    >"$(dirname "$ROOT")/debootstrap.log" 2>&1 || { echo "sdk-chroot: debootstrap failed, see $(dirname "$ROOT")/debootstrap.log" >&2; exit 1; }
  rm -rf "$ROOT" && mv "$ROOT.partial" "$ROOT"
  chroot "$ROOT" node --version >"$ROOT/.capflow-base"
  step "created $ROOT (Debian trixie, Node $(cat "$ROOT/.capflow-base")) in $(took "$t")"
fi

# The SDK packages, pinned with integrity hashes in tools/sdk-chroot/package-lock.json.
stamp=$(cat "$HERE/sdk-chroot/package.json" "$HERE/sdk-chroot/package-lock.json" | sha256sum | cut -c1-16)
if [ "$(cat "$SDK_DIR/.capflow-sdk" 2>/dev/null)" != "$stamp" ]; then
  t=$(now)
  rm -rf "$SDK_DIR" && mkdir -p "$SDK_DIR"
  cp "$HERE/sdk-chroot/package.json" "$HERE/sdk-chroot/package-lock.json" "$SDK_DIR/"
  (cd "$SDK_DIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  # Each native package must load inside the chroot, or the test would fail for the wrong reason.
  for pkg in "$SDK_DIR"/node_modules/*/; do
    name=$(basename "$pkg")
    chroot "$ROOT" node -e "if (typeof require('/opt/capflow-sdk/node_modules/$name').QuoteContext.new !== 'function') process.exit(1)" ||
      { echo "sdk-chroot: $name does not load inside the chroot" >&2; exit 1; }
  done
  echo "$stamp" >"$SDK_DIR/.capflow-sdk"
  step "installed $(ls "$SDK_DIR/node_modules" | tr '\n' ' ')in $(took "$t")"
fi
step "ready: $ROOT"
