from pathlib import Path

import pytest

from store.quiz.file import QuizFileError, load_quiz
from store.survey_questions import DEMOGRAPHICS, survey

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
name = "q1"
instructions = "Do your best."
[[ranking]]
id = "r1"
prompt = "Say hi"
completions = ["hi", "hello", "go away"]
gold = "B=A>C"
"""


def write(tmp_path, text, name="quiz.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_quiz_loads_every_section():
    quiz = load_quiz(ROOT / "quiz.example.toml")
    assert quiz.name == "screening-demo"
    assert [i.id for i in quiz.flagging] == ["f1", "f2", "f3"]
    assert quiz.flagging[2].completion is None
    assert quiz.flagging[1].gold_completion["violent"] is True
    assert quiz.ranking[0].gold == (("A",), ("C",), ("B",))
    assert len(quiz.demonstrations) == 2
    assert "politics" in quiz.self_assessment.topics
    assert quiz.prompt_flags[0] == "asks_sexual"


def test_minimal_quiz_and_defaults(tmp_path):
    quiz = load_quiz(write(tmp_path, MINIMAL))
    assert quiz.ranking[0].gold == (("B", "A"), ("C",))
    assert quiz.gold_labeler == "gold"
    assert quiz.self_assessment is None
    assert "sexual" in quiz.completion_flags


@pytest.mark.parametrize(
    "text, message",
    [
        ("name = 'q'\n", "quiz.toml: instructions: is required"),
        ("name = 'bad name'\ninstructions = 'x'\n", "quiz.toml: name: use letters"),
        ("name = 'q'\ninstructions = 'x'\n", "quiz.toml: name: the quiz has no items"),
        ("name = 'q'\ninstructions = 'x'\ncolour = 1\n", "quiz.toml: colour: unknown key"),
        (
            MINIMAL.replace('gold = "B=A>C"', 'gold = "B>E>A>C"'),
            "quiz.toml: ranking[1].gold: letter E but the item has 3 completions",
        ),
        (MINIMAL.replace('gold = "B=A>C"', 'gold = "B>A"'), "quiz.toml: ranking[1].gold: letters C are not ranked"),
        (MINIMAL.replace('gold = "B=A>C"', 'gold = "B>A>B>C"'), "ranking[1].gold: a letter appears twice"),
        (MINIMAL.replace('["hi", "hello", "go away"]', '["hi"]'), "ranking[1].completions: has 1; a ranking needs 2..9"),
        (MINIMAL + '[[demonstrations]]\nid = "r1"\nprompt = "x"\n', "demonstrations[1].id: 'r1' is used by another item"),
        (MINIMAL + '[[flagging]]\nid = "f"\nprompt = "p"\n[flagging.gold.prompt]\nviolent = true\n',
         "flagging[1].gold.prompt.violent: not a flag of this quiz"),
        (MINIMAL + '[[flagging]]\nid = "f"\nprompt = "p"\n[flagging.gold.completion]\nviolent = true\n',
         "flagging[1].gold.completion: the item has no completion"),
        (MINIMAL + '[[flagging]]\nid = "f"\nprompt = "p"\n[flagging.gold.prompt]\nasks_violent = "yes"\n',
         "flagging[1].gold.prompt.asks_violent: must be true or false"),
        (MINIMAL + '[self_assessment]\ntopics = "politics"\n', "self_assessment.topics: must be a list"),
        ("name = = 'q'\n", "quiz.toml: toml: "),
        (MINIMAL + '[flags]\nprompt = []\n[[flagging]]\nid = "f"\nprompt = "p"\n',
         "flagging[1]: no flag to set"),
    ],
)
def test_errors_name_file_key_and_problem(tmp_path, text, message):
    with pytest.raises(QuizFileError) as err:
        load_quiz(write(tmp_path, text))
    assert message in str(err.value)
    assert str(err.value).startswith("quiz.toml: ")


def test_missing_file(tmp_path):
    with pytest.raises(QuizFileError, match="nope.toml: file: not found"):
        load_quiz(tmp_path / "nope.toml")


def test_flags_checked_against_schema_fields(tmp_path):
    text = MINIMAL + '[flags]\nprompt = ["asks_violent", "asks_magic"]\n'
    with pytest.raises(QuizFileError, match=r"flags.prompt: 'asks_magic' is not a yes/no field"):
        load_quiz(write(tmp_path, text), prompt_fields={"asks_violent"}, output_fields={"violent"})


def test_survey_answers_are_validated_and_skippable():
    assert DEMOGRAPHICS.clean({"gender": None, "age_band": "25-34", "nationality": " Kenya "}) == {
        "age_band": "25-34",
        "nationality": "Kenya",
    }
    with pytest.raises(ValueError):
        DEMOGRAPHICS.clean({"age_band": "31"})
    with pytest.raises(ValueError):
        DEMOGRAPHICS.clean({"name": "alice"})
    sat = survey("satisfaction", ["The tool was fast."])
    keys = [q.key for q in sat.questions]
    assert keys[:5] == ["instructions_clear", "enjoyable", "repetitive", "paid_fairly", "glad"]
    assert "x_the_tool_was_fast" in keys and keys[-1] == "comment"
    assert sat.clean({"glad": 5, "comment": ""}) == {"glad": 5}
    with pytest.raises(ValueError):
        sat.clean({"glad": 6})
