#!/bin/sh
# Installs what tests/e2e and tests/web need (sshd, ssh client, tmux, nginx, Chromium) when missing. Needs root (CI runs as root);
# without root or apt-get it does nothing and the e2e tests skip with the reason, except under
# CI=true, where that is an error (and the e2e tests fail rather than skip).
set -eu
missing=""
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v ssh >/dev/null 2>&1 || missing="$missing openssh-client"
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
[ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086
exec "$(dirname "$0")/apt-install.sh" setup-e2e "e2e tests will skip" $missing
