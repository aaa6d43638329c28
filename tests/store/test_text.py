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
