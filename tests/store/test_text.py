"""store.text: the one table of dangerous code points, in its two forms."""

from store.text import DANGEROUS, on_screen, one_line


def test_one_line_escapes_every_character_the_screens_mark():
    for code in DANGEROUS:
        escaped = one_line(f"a{chr(code)}b")
        assert escaped.isascii() and escaped.isprintable(), hex(code)
        assert escaped == "a" + repr(chr(code))[1:-1] + "b"


def test_the_two_forms_of_one_hostile_line():
    text = "key\x1b]0;owned\x07\u202eexe.txt\n"
    assert one_line(text) == "key\\x1b]0;owned\\x07\\u202eexe.txt\\n"
    assert on_screen(text) == "key␛]0;owned␇⟨U+202E⟩exe.txt\n"
    assert one_line("plain é") == on_screen("plain é") == "plain é"


def test_the_quick_test_for_nothing_to_change_agrees_with_the_table():
    """`on_screen` returns a text untouched when a quick test (in C) finds nothing in it to
    change: every ASCII character and every character of the table must go the slow way."""
    from store.text import _UNSAFE, _replace

    def slow(text):
        return _UNSAFE.sub(_replace, text)

    samples = [chr(code) for code in range(0x80)] + [chr(code) for code in DANGEROUS]
    samples += ["\r\n", "\ud800", "\udfff", "\u00e9", "\u2014", "\u00a0", "\u3042"]
    for sample in samples:
        for text in (f"a{sample}b", f"\u00e9 {sample}\n\tz"):  # ASCII and not
            assert on_screen(text) == slow(text), repr(text)
    plain = "plain text\n\twith a tab " * 100
    assert on_screen(plain) is plain
    accented = "caf\u00e9 \u2014 \u201cquoted\u201d\n" * 100
    assert on_screen(accented) is accented
