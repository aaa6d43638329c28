"""The load benchmark's verdict: a run that did no work is not a pass."""

from bench.bench_load import check, passed
from store.db import open_db


def _checks(tmp_path):
    db_path = tmp_path / "empty.db"
    open_db(db_path).conn.close()
    return check(db_path, [{"done": [], "errors": [], "busy_notes": 0}], overlap=1)


def test_a_run_with_no_submit_fails(tmp_path):
    checks = _checks(tmp_path)
    assert checks["lost"] == 0 and checks["integrity_check"] == "ok"  # every other check holds
    assert not passed(checks, submits=0)


def test_a_clean_run_with_submits_passes(tmp_path):
    assert passed(_checks(tmp_path), submits=1)
