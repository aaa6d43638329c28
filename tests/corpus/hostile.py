"""Hostile text: what the public may put in a prompt or an output.

Each item is a name, the text, and literal pieces that must be visible on screen exactly as
given (no spaces in them, so word wrapping cannot split them). Screens' tests import the items
as prompts/outputs; ``INVALID_FILES`` are import files the importer must reject.
"""

from __future__ import annotations

from dataclasses import dataclass

ESC = "\x1b"


@dataclass(frozen=True)
class Hostile:
    name: str
    text: str
    visible: tuple[str, ...] = ()


ONE_MB = 1_000_000

CORPUS: tuple[Hostile, ...] = (
    Hostile("markup_bold", "[bold]not-bold[/bold] [i]x[/i]", ("[bold]not-bold[/bold]", "[i]x[/i]")),
    Hostile("markup_click", "[@click=app.quit]quit-me[/] [@click=app.bell]bell[/]",
            ("[@click=app.quit]quit-me[/]", "[@click=app.bell]bell[/]")),
    Hostile("markup_link", "[link=https://x]x[/link]", ("[link=https://x]x[/link]",)),
    Hostile("markup_close", "[/foo] [/] [", ("[/foo]", "[/]")),
    Hostile("markup_variables", "$accent [$accent]v[/] [on red]r", ("[$accent]v[/]", "[on", "red]r")),
    Hostile("rich_emoji_code", ":thumbs_up: :smile:", (":thumbs_up:", ":smile:")),
    Hostile("ansi_colours", f"{ESC}[31mred{ESC}[0m {ESC}[1;42mbold{ESC}[m",
            ("␛[31mred␛[0m", "␛[1;42mbold␛[m")),
    Hostile("cursor_moves", f"{ESC}[2J{ESC}[H{ESC}[10;10Hmoved{ESC}[A{ESC}[K{ESC}7{ESC}8{ESC}c",
            ("␛[2J␛[H␛[10;10Hmoved␛[A␛[K␛7␛8␛c",)),
    Hostile("osc52_clipboard", f"{ESC}]52;c;cm0gLXJmIH4K\x07 and {ESC}]52;p;eA=={ESC}\\",
            ("␛]52;c;cm0gLXJmIH4K␇", "␛]52;p;eA==␛\\")),
    Hostile("osc8_link", f"{ESC}]8;;https://evil.example{ESC}\\click{ESC}]8;;{ESC}\\",
            ("␛]8;;https://evil.example␛\\click␛]8;;␛\\",)),
    Hostile("osc0_title", f"{ESC}]0;pwned\x07{ESC}]2;pwned2{ESC}\\", ("␛]0;pwned␇␛]2;pwned2␛\\",)),
    Hostile("c0_controls", "c0:" + "".join(chr(c) for c in range(32) if c not in (9, 10, 32)) + ":end",
            ("c0:␀␁␂␃␄␅␆␇␈␋␌␍␎␏␐␑␒␓␔␕␖␗␘␙␚␛␜␝␞␟:end",)),
    Hostile("c1_controls", "c1:" + "".join(chr(c) for c in range(0x80, 0xA0)) + ":end \x9b31mred",
            ("c1:⟨U+0080⟩", "⟨U+009F⟩:end", "⟨U+009B⟩31mred")),
    Hostile("nul_and_del", "before\x00after\x7fdel", ("before␀after␡del",)),
    Hostile("bidi_override", "invoice\u202egpj.exe \u202dx\u202c \u202ay\u202b",
            ("invoice⟨U+202E⟩gpj.exe", "⟨U+202D⟩x⟨U+202C⟩", "⟨U+202A⟩y⟨U+202B⟩")),
    Hostile("bidi_isolates", "\u2066l\u2069\u2067r\u2069\u2068f\u2069 \u200eL\u200fR\u061cA",
            ("⟨U+2066⟩l⟨U+2069⟩⟨U+2067⟩r⟨U+2069⟩⟨U+2068⟩f⟨U+2069⟩", "⟨U+200E⟩L⟨U+200F⟩R⟨U+061C⟩A")),
    Hostile("zero_width", "pass\u200bword\u200c\u200d\u2060\ufeffend",
            ("pass⟨U+200B⟩word⟨U+200C⟩⟨U+200D⟩⟨U+2060⟩⟨U+FEFF⟩end",)),
    Hostile("wide_and_emoji", "宽字符テキスト 👍🏽 🇺🇳 e\u0301 ﷽ 𝕏", ("宽字符テキスト", "👍🏽", "🇺🇳")),
    Hostile("one_mb_line", ("hostile " * (ONE_MB // 8))[:ONE_MB], ("hostile",)),
)

# Text a ``str`` can hold but UTF-8 cannot encode: only reaches a screen if an importer lets it.
LONE_SURROGATE = Hostile("lone_surrogate", "a\ud800b\udfffc", ("a\ufffdb\ufffdc",))

BY_NAME = {item.name: item for item in (*CORPUS, LONE_SURROGATE)}

# Import files the importer must refuse, with the problem its message names.
INVALID_FILES: dict[str, tuple[bytes, str]] = {
    "invalid_utf8": (b'{"id": "p1", "text": "ok"}\n{"id": "p2", "text": "bad \xff\xfe byte"}\n',
                     "UTF-8"),
    "lone_surrogate_escape": (b'{"id": "p1", "text": "ok"}\n{"id": "p2", "text": "a\\ud800b"}\n',
                              "surrogate"),
}


def combined(name: str, names: tuple[str, ...]) -> Hostile:
    """Several items as one text, a line each: one screen visit checks them all."""
    items = [BY_NAME[n] for n in names]
    return Hostile(name, "\n".join(i.text for i in items), tuple(p for i in items for p in i.visible))


# The corpus grouped for whole-screen tests (every item is in exactly one group).
SCREEN_GROUPS: tuple[Hostile, ...] = (
    combined("markup", ("markup_bold", "markup_click", "markup_link", "markup_close",
                        "markup_variables", "rich_emoji_code")),
    combined("terminal_sequences", ("ansi_colours", "cursor_moves", "osc52_clipboard",
                                    "osc8_link", "osc0_title")),
    combined("control_and_invisible", ("c0_controls", "c1_controls", "nul_and_del",
                                       "bidi_override", "bidi_isolates", "zero_width")),
    BY_NAME["wide_and_emoji"],
    BY_NAME["one_mb_line"],
)
