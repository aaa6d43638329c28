#!/bin/sh
# `apt-install.sh WHO SKIPS PACKAGE...`: installs PACKAGEs for a .ci/setup-*.sh script (WHO in its
# messages). Without root or apt-get it installs nothing and says so (SKIPS: which tests skip
# then), except under CI=true, where that is an error (exit 1): CI must run every test.
set -eu
who=$1
skips=$2
shift 2
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        echo "$who: cannot install $* (not root or no apt-get), and CI=true" >&2
        exit 1
    fi
    echo "$who: cannot install $* (not root or no apt-get); $skips" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
# Package lists that an earlier setup script fetched are reused; a fresh image has none (or
# stale ones), so the first try fails and one `apt-get update` follows.
if ! install "$@" 2>/dev/null; then
    apt-get update -qq >/dev/null
    install "$@"
fi
echo "$who: installed $*"
