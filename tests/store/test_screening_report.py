import pytest

from store.labels import iter_labels, write_labels
from store.quiz import admin, taking
from store.quiz.screening import screening_report
from store.roster import add_labeler
from store.schema import load_schema
from store.values import LabelValue

from .test_quiz import EXAMPLE, complete_answers

GOLD_RANKING = {"r1": "ACB", "r2": "ACB"}


def take(db, labeler, *, flag_value, ranking):
    session = taking.load_session(db, "screening-demo", labeler)
    answers = complete_answers(session)
    for item in session.items:
        a = answers[item.position]
        if item.section == "flagging":
            a["prompt"] = {f: flag_value for f in a["prompt"]}
            a["completion"] = {f: flag_value for f in a["completion"]}
        if item.section == "ranking":
            letters = ranking[item.item]
            a["ranking"] = [[f"{item.prompt_id}/{letter}"] for letter in letters]
        taking.save_answer(db, session, item.position, a, seconds=1)
    taking.submit_quiz(db, session)


def score(db, labeler, ratings):
    demos = [v for v in iter_labels(db, labeler=labeler, task="demonstration")]
    values = [LabelValue("demonstration_score", f"d{d.id}", "rating", r) for d, r in zip(demos, ratings, strict=True)]
    write_labels(db, "rhea", values, gold=True, schema=load_schema())


@pytest.fixture
def report_db(db):
    for name in ("dana", "eli", "fay"):
        add_labeler(db, name)
    add_labeler(db, "rhea", "researcher")
    admin.import_quiz(db, EXAMPLE)
    admin.assign_quiz(db, "screening-demo", ["dana", "eli", "fay", "rhea"])
    # dana: all flags "no" (3 of 17 gold flags are "yes"), gold rankings, demos 7 and 6.
    take(db, "dana", flag_value=False, ranking=GOLD_RANKING)
    score(db, "dana", [7, 6])
    # eli: all flags "yes", rankings reversed, demos scored high.
    take(db, "eli", flag_value=True, ranking={"r1": "BCA", "r2": "BCA"})
    score(db, "eli", [7, 7])
    # fay has not submitted.
    return db


def test_report_pass_fail_from_known_answers(report_db):
    report = screening_report(report_db, "screening-demo", names=True)
    dana, eli, fay = (report["candidates"][n] for n in ("dana", "eli", "fay"))
    assert report["gold"] == {"flags": 17, "rankings": 2}
    assert dana["flags"] == {"n": 17, "agreed": 14, "agreement": round(14 / 17, 4)}
    assert dana["comparisons"]["agreement"] == 1.0
    assert dana["demonstrations"] == {"n": 2, "scored": 2, "mean_score": 6.5}
    assert dana["self_assessment"] == {"selected": ["politics"], "text": "sports"}
    assert dana["result"] == "pass"
    assert dana["seconds"] == 8.0  # one second on each of the eight items
    assert eli["flags"]["agreed"] == 3 and eli["comparisons"]["agreement"] == 0.0
    assert eli["result"] == "fail"
    assert any("ranking 0 < 0.75" in r for r in eli["reasons"])
    assert fay["result"] == "pending" and "quiz not submitted" in fay["reasons"]
    assert "rhea" not in report["candidates"]  # researchers are not candidates


def test_report_thresholds_and_pending_scores(report_db):
    strict = screening_report(report_db, "screening-demo", names=True,
                              thresholds={"demonstration_score": 6.8})
    assert strict["candidates"]["dana"]["result"] == "fail"
    add_labeler(report_db, "gus")
    admin.assign_quiz(report_db, "screening-demo", ["gus"])
    take(report_db, "gus", flag_value=False, ranking=GOLD_RANKING)
    assert screening_report(report_db, "screening-demo", names=True)["candidates"]["gus"]["result"] == "pending"


def test_report_is_anonymous_by_default(report_db):
    report = screening_report(report_db, "screening-demo")
    assert sorted(report["candidates"]) == ["c1", "c2", "c3"]
    assert not {"dana", "eli", "fay"} & set(str(report).split("'"))


def test_production_agreement_leaves_screening_answers_out(report_db):
    from store.reports.agreement import AgreementError, agreement_report

    quiz_items = {row[0] for row in report_db.execute(
        "SELECT t.item FROM tasks t WHERE t.quiz != '' UNION "
        "SELECT o.id FROM outputs o JOIN tasks t ON t.item = o.prompt_id WHERE t.quiz != ''")}
    chosen = agreement_report(report_db, items=quiz_items, n_boot=0)
    assert "dana" in chosen["per_labeler"]
    # the quiz's gold is all the gold there is, so without the quiz nothing is left to compare
    with pytest.raises(AgreementError, match="no gold"):
        agreement_report(report_db, n_boot=0)
