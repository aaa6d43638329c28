from screens.widgets.prompt.few_shot import render_prompt, split_prompt
from store.text import on_screen

FEW_SHOT = (
    "Give the sentiment of each tweet.\n\n"
    "Tweet: I love it\nSentiment: Positive\n\n"
    "Tweet: awful [b]day[/b]\nSentiment: Negative\n\n"
    "Tweet: so good\nSentiment:"
)


def test_few_shot_prompts_split_into_pairs_without_changing_the_text():
    blocks = split_prompt(FEW_SHOT, "few_shot")
    assert "".join(b.text for b in blocks) == FEW_SHOT
    assert [(b.kind, b.pair) for b in blocks] == [
        ("instruction", None), ("query", 1), ("response", 1), ("query", 2), ("response", 2),
        ("query", 3), ("response", 3),
    ]
    shown = render_prompt(FEW_SHOT, "few_shot").plain
    assert "── example 1 ──" in shown and "── example 2 ──" in shown
    assert "── your task ──\nTweet: so good" in shown
    assert shown.replace("── example 1 ──\n", "").replace("── example 2 ──\n", "").replace(
        "── your task ──\n", "") == FEW_SHOT


def test_other_prompts_stay_whole():
    assert [b.kind for b in split_prompt(FEW_SHOT, "plain")] == ["text"]
    assert [b.kind for b in split_prompt("Note: one label only", "few_shot")] == ["text"]
    assert render_prompt("Q: a\nA: b\nQ: c", "few_shot").plain.endswith("── your task ──\nQ: c")


def test_control_characters_are_drawn_not_sent():
    text = "a\x1b]52;c;aGk=\x07b\x00\u202ec\tend\n"
    shown = on_screen(text)
    assert "\x1b" not in shown and "\x07" not in shown and "\x00" not in shown and "\u202e" not in shown
    assert shown == "a␛]52;c;aGk=␇b␀⟨U+202E⟩c\tend\n"


def test_huge_texts_are_clipped_with_a_note():
    from screens.widgets.safe_text import SHOWN_LIMIT, safe_content

    shown = safe_content("x" * (SHOWN_LIMIT + 5)).plain
    assert shown.startswith("x" * SHOWN_LIMIT) and shown.endswith("5 more characters not shown (copy the text to read it all)")
    assert render_prompt("z" * (SHOWN_LIMIT + 1)).plain.count("z") == SHOWN_LIMIT
    assert safe_content("short").plain == "short"


def test_pyperclip_only_where_a_local_clipboard_exists(monkeypatch):
    from screens.widgets import clipboard

    calls = []
    monkeypatch.setattr("pyperclip.copy", calls.append)

    class FakeApp:
        clipboard = ""

        def copy_to_clipboard(self, text):
            self.clipboard = text

    monkeypatch.setattr(clipboard.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 5555 10.0.0.1 22")
    app = FakeApp()
    clipboard.copy_text(app, "over ssh")
    assert app.clipboard == "over ssh" and calls == []  # the server's clipboard is not the labeler's
    monkeypatch.delenv("SSH_CONNECTION")
    monkeypatch.delenv("SSH_TTY", raising=False)
    clipboard.copy_text(app, "local")
    assert calls == ["local"]
