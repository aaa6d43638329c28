#!/bin/sh
# Makes `python3 -m venv` work: Debian's python3 ships without ensurepip (package python3-venv),
# so `.ci/run`'s venv step fails on a stock Debian machine. Installs it when missing (root and
# apt-get; otherwise says so, and under CI=true fails: .ci/apt-install.sh).
set -eu
python3 -c "import ensurepip, venv" >/dev/null 2>&1 && exit 0
exec "$(dirname "$0")/apt-install.sh" setup-python "python3 -m venv will fail" python3-venv
