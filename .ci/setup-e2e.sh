#!/bin/sh
# Installs what tests/e2e needs (sshd, ssh client, tmux) when missing. Needs root (CI runs as root);
# without root or apt-get it does nothing and the e2e tests skip with the reason, except under
# CI=true, where that is an error (and the e2e tests fail rather than skip).
set -eu
missing=""
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v ssh >/dev/null 2>&1 || missing="$missing openssh-client"
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        echo "setup-e2e: cannot install$missing (not root or no apt-get), and CI=true" >&2
        exit 1
    fi
    echo "setup-e2e: cannot install$missing (not root or no apt-get); e2e tests will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "setup-e2e: installed$missing"
