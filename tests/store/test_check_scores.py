"""Hidden gold checks' counts kept at submit (store/quality/check_scores.py): what is kept
equals what `rebuild` scores from the answers against the gold there now, over random histories
of checks, submits, gold written, flipped, imported and deleted, on both engines; and the
quality report's check figures are the same whether it reads kept rows or scores answers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from store.db import immediate
from store.labels import submit
from store.quality import check_scores
from store.quality.policy import QualityPolicy
from store.quality.scoring import Tally, gold_for, score
from store.reports.quality import _read_checks
from store.schema import load_schema
from store.values import LabelValue
from tests.conftest import claim
from tests.store.test_tallies import (  # noqa: F401 (project: the same fixture)
    LABELERS,
    OPS,
    apply,
    fresh_labelers,
    histories,
    project,
    rating,
)

CHECK_OPS = st.one_of(OPS, st.tuples(st.just("check"), st.integers(0, LABELERS - 1),
                                     st.lists(rating, min_size=3, max_size=3)))


def kept(db) -> set[tuple]:
    return {tuple(row) for row in db.execute("SELECT * FROM gold_check_scores")}


def rebuilt(db, schema) -> set[tuple]:
    with immediate(db):
        check_scores.rebuild(db, schema)
    return kept(db)


def answer_check(db, who: str, ratings: list[int]) -> bool:
    """A hidden gold check claimed and submitted (PostgreSQL: in one `labeldesk_submit` call);
    False when no gold task is left for the labeler."""
    a = claim(db, who, overlap=10, policy=QualityPolicy(gold_rate=1.0))
    if a is None:
        return False
    values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
    values += [LabelValue("output", o, "rating", r) for o, r in zip(a.order, ratings, strict=False)]
    submit(db, a.id, values)
    return bool(db.execute("SELECT gold_check FROM assignments WHERE id = ?", [a.id]).fetchone()[0])


@histories
@given(ops=st.lists(CHECK_OPS, min_size=1, max_size=14))
def test_kept_scores_equal_rebuilt_ones_over_random_histories(project, ops, tmp_path):  # noqa: F811
    db, schema = project, load_schema()
    db.execute("DELETE FROM labels")
    names = fresh_labelers(db, "c")
    with immediate(db):  # gold on every output of p1 and p2, so checks can be served
        from store.labels import write_labels

        write_labels(db, "rhea", [LabelValue("output", o, "rating", 2) for o in ("p1-a", "p1-b", "p2-a")],
                     gold=True, schema=schema)
    for op in ops:
        if op[0] == "check":
            answer_check(db, names[op[1]], op[2])
        else:
            apply(db, op, names, tmp_path, schema)
    incremental = kept(db)
    # The report: kept rows, and the answers of checks whose gold changed since scored afresh,
    # the same figures as scoring every check's answers; it keeps what it scored.
    assert report_checks(db, schema) == scored_from_answers(db, schema)
    after_report = kept(db)
    everything = rebuilt(db, schema)
    assert incremental <= everything  # every row kept is exact; rows of changed gold are gone
    assert after_report == everything


def report_checks(db, schema) -> dict:
    names = {r[0] for r in db.execute("SELECT name FROM labelers")}
    tallies, weekly = _read_checks(db, names, "", schema)
    return {name: (vars(t), {w: vars(x) for w, x in weekly[name].items()})
            for name, t in tallies.items()}


def scored_from_answers(db, schema) -> dict:
    """The report's figures as they were computed before rows were kept: every check's answers
    scored against the gold now, by week, in id order."""
    import json

    from store.reports.quality import iso_week

    gold = gold_for(db)
    weekly: dict = {}
    for name, answers, day in db.execute(
            "SELECT labeler, answers, substr(submitted_at, 1, 10) FROM gold_answers ORDER BY id"):
        score(weekly.setdefault(name, {}).setdefault(iso_week(day), Tally()), json.loads(answers),
              gold, schema)
    out = {}
    for name, by_week in weekly.items():
        total = Tally()
        for tally in by_week.values():
            total += tally
        out[name] = (vars(total), {w: vars(x) for w, x in by_week.items()})
    return out


def test_the_report_reads_kept_rows_and_scores_the_rest(project):  # noqa: F811
    """Checks answered, then gold changed under some of them: the report's check figures equal
    scoring every check's answers afresh, before and after it keeps the missing rows."""
    db, schema = project, load_schema()
    from store.labels import write_labels

    with immediate(db):
        write_labels(db, "rhea", [LabelValue("output", o, "rating", 3) for o in ("p1-a", "p1-b", "p2-a")],
                     gold=True, schema=schema)
    answered = [answer_check(db, who, [3, 1, 2]) for who in ("alice", "bob", "carol")]
    checks = db.execute("SELECT count(*) FROM gold_answers").fetchone()[0]
    assert any(answered) and checks > 0
    # SQLite keeps a check's row as it is submitted; PostgreSQL's one-call submit does not,
    # and the report keeps them.
    assert len(kept(db)) == (checks if db.dialect.name == "sqlite" else 0)
    assert report_checks(db, schema) == scored_from_answers(db, schema)
    assert len(kept(db)) == checks
    with immediate(db):  # the gold moves: those checks' rows go
        write_labels(db, "rex", [LabelValue("output", "p1-a", "rating", 1)], gold=True, schema=schema)
    assert len(kept(db)) < db.execute("SELECT count(*) FROM gold_answers").fetchone()[0]
    assert report_checks(db, schema) == scored_from_answers(db, schema)
    assert kept(db) == rebuilt(db, schema)  # the report kept the scores it made
