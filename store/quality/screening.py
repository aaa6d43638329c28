"""Screening (the §8 quiz) beside live quality: each labeler's latest submitted quiz result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils


def screening_results(db: sqlite_utils.Database, *, thresholds: dict[str, float] | None = None,
                      labeler: str | None = None) -> dict[str, dict[str, Any]]:
    """{labeler: {"quiz", "result" (pass|fail|pending), "date"}} from the latest quiz each
    submitted; labelers who never submitted one are absent."""
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    from store.quiz.screening import screening_report

    takers = db.execute(
        """SELECT quiz, labeler, submitted_at FROM quiz_takers
           WHERE submitted_at IS NOT NULL AND (CAST(? AS TEXT) IS NULL OR labeler = ?)
           ORDER BY submitted_at""", [labeler, labeler]).fetchall()
    reports: dict[str, dict[str, Any]] = {}
    out: dict[str, dict[str, Any]] = {}
    for quiz, name, submitted_at in takers:
        if quiz not in reports:
            reports[quiz] = screening_report(db, quiz, thresholds=thresholds, names=True)["candidates"]
        found = reports[quiz].get(name)
        if found is not None:
            out[name] = {"quiz": quiz, "result": found["result"], "date": submitted_at[:10]}
    return out


def screening_result(db: sqlite_utils.Database, labeler: str, *,
                     thresholds: dict[str, float] | None = None) -> dict[str, Any] | None:
    return screening_results(db, thresholds=thresholds, labeler=labeler).get(labeler)
