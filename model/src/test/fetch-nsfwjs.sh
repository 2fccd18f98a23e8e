#!/usr/bin/env bash
# Puts the nsfwjs npm tarball (MIT; real pretrained MobileNetV2 and InceptionV3 in TF.js layers format)
# into DIR for the weights tests, so that no test touches the network. Maven runs it in
# generate-test-resources (model/pom.xml). Order: DIR already has it -> ~/.cache/imgstream has it -> npm pack.
# Without npm, or when npm cannot reach the registry, it logs why and exits 0: the tests that need the
# tarball then skip with that reason.
#
# Usage: fetch-nsfwjs.sh DIR
set -euo pipefail

readonly PACKAGE="nsfwjs@4.4.0"
readonly TARBALL="nsfwjs-4.4.0.tgz"
# sha1 ("shasum") that the npm registry publishes for nsfwjs@4.4.0 (npm view nsfwjs@4.4.0 dist.shasum).
readonly SHA1="706017d11e44de0803b73a568819f800a50ae470"

dir="${1:?usage: fetch-nsfwjs.sh DIR}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/imgstream"
mkdir -p "$dir"

verified() {
  [ -f "$1" ] && [ "$(sha1sum "$1" | cut -d' ' -f1)" = "$SHA1" ]
}

if verified "$dir/$TARBALL"; then
  exit 0
fi
if verified "$cache/$TARBALL"; then
  cp "$cache/$TARBALL" "$dir/$TARBALL"
  echo "[fetch-nsfwjs] copied $TARBALL from $cache"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "[fetch-nsfwjs] npm not found: skipping $PACKAGE; the pretrained-network tests will be skipped"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack "$PACKAGE" --silent >/dev/null 2>"$tmp/npm.log"); then
  echo "[fetch-nsfwjs] npm pack $PACKAGE failed: $(tail -n 3 "$tmp/npm.log"); the pretrained-network tests will be skipped"
  exit 0
fi
if ! verified "$tmp/$TARBALL"; then
  echo "[fetch-nsfwjs] $TARBALL from npm does not have sha1 $SHA1: not using it"
  exit 0
fi
mkdir -p "$cache"
cp "$tmp/$TARBALL" "$cache/$TARBALL"
mv "$tmp/$TARBALL" "$dir/$TARBALL"
echo "[fetch-nsfwjs] fetched $PACKAGE into $dir (cached in $cache)"
