#!/bin/sh
# Installs PostgreSQL's server binaries (Debian's `postgresql`) and PgBouncer when missing, so
# the PostgreSQL variants of the store, CLI and concurrency tests run, and the queue's race
# through a transaction pooler (tests/store/test_pgbouncer.py): their fixtures (tests/pg_cluster.py,
# tests/pgbouncer.py) start a throwaway cluster and pooler of their own, so CI needs the binaries
# and nothing else — no service, no cluster. Already installed, it returns at once. Needs root and apt-get; without them it does
# nothing and those tests skip with the reason, except under CI=true, where that is an error
# (and the tests fail rather than skip), as in .ci/setup-e2e.sh.
set -eu

have_postgres() {
    for bin in /usr/lib/postgresql/*/bin; do
        [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && return 0
    done
    return 1
}

have_pgbouncer() { [ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null 2>&1; }

have_postgres && have_pgbouncer && exit 0
if [ "$(id -u)" = 0 ]; then
    # Debian's package would create and start a "main" cluster nobody uses here: seconds of
    # initdb, and a server holding port 5432. postgresql-common reads this drop-in first.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/labeldesk-ci.conf
fi
"$(dirname "$0")/apt-install.sh" setup-postgres "the PostgreSQL tests will skip" postgresql pgbouncer
# The package's own service (port 6432) is not used: the tests start a pooler of their own.
if command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now pgbouncer >/dev/null 2>&1 || true
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && ! have_postgres; then
    echo "setup-postgres: postgresql installed, but no initdb/pg_ctl under /usr/lib/postgresql/*/bin" >&2
    exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && ! have_pgbouncer; then
    echo "setup-postgres: pgbouncer installed, but no /usr/sbin/pgbouncer" >&2
    exit 1
fi
