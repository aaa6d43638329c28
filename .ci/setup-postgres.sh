#!/bin/sh
# Installs PostgreSQL's server binaries (Debian's `postgresql`) when missing, so the PostgreSQL
# variants of the store, CLI and concurrency tests run: their fixture (tests/pg_cluster.py)
# starts a throwaway cluster of its own, so CI needs the binaries and nothing else — no service,
# no cluster. Already installed, it returns at once. Needs root and apt-get; without them it does
# nothing and those tests skip with the reason, except under CI=true, where that is an error
# (and the tests fail rather than skip), as in .ci/setup-e2e.sh.
set -eu

have_postgres() {
    for bin in /usr/lib/postgresql/*/bin; do
        [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && return 0
    done
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
}

have_postgres && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        echo "setup-postgres: cannot install postgresql (not root or no apt-get), and CI=true" >&2
        exit 1
    fi
    echo "setup-postgres: cannot install postgresql (not root or no apt-get); the PostgreSQL tests will skip" >&2
    exit 0
fi
# Debian's package would create and start a "main" cluster nobody uses here: seconds of initdb,
# and a server holding port 5432. postgresql-common reads this drop-in before it does.
mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/labeldesk-ci.conf
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }
# Package lists that .ci/setup-e2e.sh has just fetched are reused; a fresh image has none (or
# stale ones), so the first try fails and one `apt-get update` follows.
if ! install 2>/dev/null; then
    apt-get update -qq >/dev/null
    install
fi
if ! have_postgres; then
    echo "setup-postgres: postgresql installed, but no initdb/pg_ctl found under /usr/lib/postgresql/*/bin" >&2
    exit 1
fi
echo "setup-postgres: installed postgresql"
