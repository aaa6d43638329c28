"""Detectors for personally identifying information in API prompts (guidelines §2 and §4).

Small regular expressions with checks after the match, rather than a library: of the detection
packages on PyPI, commonregex was last released in 2014, datafog pulls in pydantic and its
settings stack, presidio-based ones pull in spaCy, and pii-core is a single 0.1 release. A held
prompt costs little while a leaked one costs much, so the detectors lean towards holding. Each detector is a
function ``text -> bool``; `find_pii` returns the kinds found, in the order of `DETECTORS`.

Decisions (tested in tests/store/test_pii.py):
- E-mail: every address is PII except company contact addresses (guidelines §4: "not PII: company
  contact details") — a role mailbox such as ``support@`` or ``info@`` at a domain that is not a
  free-mail provider — and the reserved example domains (RFC 2606: example.com, *.test, ...).
- Phone: international numbers with ``+``, North American numbers with separators, and national
  numbers with a trunk ``0``; North American toll-free numbers (800, 888, ...) are company lines.
- Credit card: 13..19 digits (spaces or hyphens between groups) starting 2..6 that pass the Luhn
  check; masked forms such as ``**** **** **** 1234`` count too (§4: "even when partly masked").
- National ID: US SSN shapes (valid area/group/serial, or masked as ``***-**-1234``), UK National
  Insurance numbers, and any number of 6+ digits or masked characters right after an ID keyword
  (passport, driver's licence, SSN, tax ID, ...).
- IP: every IPv4/IPv6 address, private, loopback and documentation ones included (guidelines §4
  lists IP addresses without exception, and a doubtful case is held: "my server at
  192.168.12.7" still locates a person's network). A dotted quad
  after ``v``/``version``/``release`` or inside a longer dotted run is a version number; a bare
  ``1.2.3.4`` stays ambiguous and is held (a false hold is the cheap mistake).
- Personal URL: profile pages on social sites (one path segment, or ``/in/``, ``/u/``, ``/@``),
  ``~user`` pages and ``*.github.io``-style personal hosts; a repository or post URL is not a
  profile.
- Street address: a house number followed by capitalised street words and a street suffix
  (``221B Baker Street``, ``12 rue de la Paix``, ``Hauptstraße 5``) or a P.O. box; a street name
  without a number (``Wall Street``) is not street-level.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

# --- e-mail -----------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
_ROLE_MAILBOXES = frozenset(
    """info support sales contact help hello press media careers jobs billing noreply no-reply
    service services team office admin webmaster marketing enquiries inquiries customerservice
    customer.service feedback privacy legal security abuse hr partners orders accounts""".split()
)
_FREE_MAIL = frozenset(
    """gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com msn.com aol.com
    icloud.com me.com mail.com gmx.com gmx.de web.de proton.me protonmail.com yandex.ru
    yandex.com qq.com 163.com zoho.com""".split()
)
_RESERVED_DOMAIN = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|[^.]+\.(?:test|example|invalid|localhost))$")


def has_email(text: str) -> bool:
    if "@" not in text:
        return False
    for m in _EMAIL.finditer(text):
        local, domain = m.group(1).lower(), m.group(2).lower()
        if _RESERVED_DOMAIN.search(domain):
            continue
        if local in _ROLE_MAILBOXES and domain not in _FREE_MAIL:
            continue
        return True
    return False


# Each full pattern needs one of these shapes somewhere; a shape starts with a digit and has no
# look-behind, so `re` scans for it about twice as fast, and most prompts stop there.
_NANP_SHAPE = re.compile(r"\d{3}[-. ]\d{4}")
_TRUNK_SHAPE = re.compile(r"0\d{2,4}[ /-]\d{3}")
_CARD_SHAPE = re.compile(r"\d{4}[ -]?\d{4}")
_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}")
_NINO_SHAPE = re.compile(r"\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_IPV4_SHAPE = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d")


# --- phone --------------------------------------------------------------------------------------
_PHONE_INTL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)")
_PHONE_NANP = re.compile(
    r"(?<![\d-])(?:\+?1[ .-]?)?(?:\(([2-9]\d{2})\)\s?|([2-9]\d{2})[-. ])[2-9]\d{2}[-. ]\d{4}(?![\d-])"
)
_PHONE_TRUNK = re.compile(r"(?<![\d.,-])0\d{2,4}[ /-]\d{3,4}[ -]?\d{2,4}(?![\d.,-])")
_TOLL_FREE = frozenset({"800", "833", "844", "855", "866", "877", "888"})


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def has_phone(text: str) -> bool:
    if "+" in text and any(8 <= len(_digits(m.group())) <= 15 for m in _PHONE_INTL.finditer(text)):
        return True
    if _NANP_SHAPE.search(text) and any(
        (m.group(1) or m.group(2)) not in _TOLL_FREE for m in _PHONE_NANP.finditer(text)
    ):
        return True
    return bool(_TRUNK_SHAPE.search(text)) and any(
        9 <= len(_digits(m.group())) <= 12 for m in _PHONE_TRUNK.finditer(text)
    )


# Partly masked identifiers count as PII too (guidelines §4).
_MASKS = ("**", "XX", "xx", "##", "••")


def _masked(text: str) -> bool:
    return any(m in text for m in _MASKS)


# --- credit card ------------------------------------------------------------------------------
_CARD = re.compile(r"(?<![\d.-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\d-])")
_CARD_MASKED = re.compile(r"(?<![\w*#])(?:[*xX#•]{4}[ -]?){3}\d{4}(?!\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def has_credit_card(text: str) -> bool:
    for m in _CARD.finditer(text) if _CARD_SHAPE.search(text) else ():
        digits = _digits(m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            return True
    return _masked(text) and bool(_CARD_MASKED.search(text))


# --- national IDs -----------------------------------------------------------------------------
_SSN = re.compile(r"(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])")
_SSN_MASKED = re.compile(r"(?<![\w*#-])(?:[*xX#]{3}|\d{3})[- ](?:[*xX#]{2})[- ]\d{4}(?![\d-])")
_UK_NINO = re.compile(r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_ID_KEYWORD = re.compile(
    r"(?i)\b(?:ssn|social security(?: number| no\.?)?|passport(?: number| no\.?)?|"
    r"driver'?s? licen[cs]e(?: number| no\.?)?|national id(?: number)?|id number|tax id|tin|"
    r"medical record(?: number)?|mrn|account (?:number|no\.?))\b\W{0,4}(?:(?:is|was)\W{1,3})?"
    r"([A-Z]{0,2}[\d*xX#][\d*xX# -]{4,18}[\d*xX#])"
)


def _ssn_valid(area: str, group: str, serial: str) -> bool:
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


# Substrings of the keywords, to skip the keyword pattern cheaply (" tin", not "tin": "writing").
_ID_WORDS = ("ssn", "social security", "passport", "licen", "national id", "id number", "tax id",
             " tin", "medical record", "mrn", "account n")


def has_national_id(text: str) -> bool:
    if _SSN_SHAPE.search(text) and any(_ssn_valid(*m.groups()) for m in _SSN.finditer(text)):
        return True
    if _masked(text) and _SSN_MASKED.search(text):
        return True
    if _NINO_SHAPE.search(text) and _UK_NINO.search(text):
        return True
    lower = " " + text.lower()
    if any(w in lower for w in _ID_WORDS):
        for m in _ID_KEYWORD.finditer(text):
            if sum(c.isdigit() or c in "*xX#" for c in m.group(1)) >= 6:
                return True
    return False


# --- IP addresses -----------------------------------------------------------------------------
# Not after a word character (``v1.2.3.4``) nor inside a longer dotted run (``1.2.3.4.5``).
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]*\d)")
_VERSION_WORD = re.compile(r"(?i)\b(?:v|version|ver\.?|release|rel\.?)\s*$")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])")


def _is_address(address: str) -> bool:
    if not any(c.isalnum() for c in address):  # a bare "::" in prose or code
        return False
    try:
        ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return True


def has_ip(text: str) -> bool:
    if _IPV4_SHAPE.search(text):
        for m in _IPV4.finditer(text):
            before = text[max(0, m.start() - 12) : m.start()]
            if not _VERSION_WORD.search(before) and _is_address(m.group()):
                return True
    if text.count(":") >= 2:
        for m in _IPV6.finditer(text):
            if _is_address(m.group()):
                return True
    return False


# --- personal URLs ----------------------------------------------------------------------------
# Found by string search for ".com/" and the like, then the host label before it and the path
# after it: a regex with dozens of site names tried at every position is ten times slower.
_TLDS = (".com/", ".net/", ".ee/", ".me/")
# Sites where a single path segment is a person's page (twitter.com/jane).
_PROFILE_SITES = frozenset(
    """facebook fb instagram twitter x tiktok threads pinterest snapchat vk github gitlab codeberg
    keybase linktr about soundcloud twitch flickr behance dribbble substack patreon onlyfans
    tumblr""".split()
)
_ONE_SEGMENT = re.compile(r"@?([\w.-]+)/?(?=$|[\s?#)\]'\",;])")
_NOT_PROFILE = frozenset(
    """home explore search login signup about help settings hashtag i share sharer intent
    watch groups pages events marketplace policies privacy terms legal login.php p reel reels
    stories tv features pricing topics trending notifications messages docs blog orgs
    organizations sponsors enterprise site""".split()
)
# Sites where a person's page has a path of its own shape (linkedin.com/in/jane).
_PROFILE_PATHS = {
    "linkedin": re.compile(r"(?:in|pub)/[\w.-]{2,}"),
    "reddit": re.compile(r"(?:u|user)/[\w.-]{2,}"),
    "youtube": re.compile(r"(?:@|c/|user/|channel/)[\w.-]{2,}"),
    "medium": re.compile(r"@[\w.-]{2,}"),
    "t": re.compile(r"[\w.-]{2,}"),  # t.me/name
}
_URL_MASTODON = re.compile(r"(?i)\bhttps?://[\w.-]+\.[a-z]{2,}/@[\w.]+")
_URL_TILDE = re.compile(r"(?i)\b(?:https?://)?[\w.-]+\.[a-z]{2,}/~[\w.-]+")
_PERSONAL_HOSTS = (".github.io", ".gitlab.io", ".neocities.org", ".wordpress.com", ".blogspot.com", ".carrd.co")
_URL_PERSONAL_HOST = re.compile(
    r"(?i)\b(?:https?://)?[\w-]+(?:" + "|".join(re.escape(h) for h in _PERSONAL_HOSTS) + r")\b"
)


def _host_label(lower: str, end: int) -> str:
    start = end
    while start > 0 and (lower[start - 1].isalnum() or lower[start - 1] in "-_"):
        start -= 1
    return lower[start:end]


def _profile_on_site(text: str, lower: str) -> bool:
    for tld in _TLDS:
        at = lower.find(tld)
        while at != -1:
            site, path = _host_label(lower, at), at + len(tld)
            if site in _PROFILE_SITES:
                m = _ONE_SEGMENT.match(text, path)
                if m and m.group(1).lower() not in _NOT_PROFILE:
                    return True
            shape = _PROFILE_PATHS.get(site)
            if shape and shape.match(lower, path):
                return True
            at = lower.find(tld, at + 1)
    return False


def has_personal_url(text: str) -> bool:
    lower = text.lower()
    return (
        _profile_on_site(text, lower)
        or ("/@" in text and bool(_URL_MASTODON.search(text)))
        or ("/~" in text and bool(_URL_TILDE.search(text)))
        or (any(h in lower for h in _PERSONAL_HOSTS) and bool(_URL_PERSONAL_HOST.search(text)))
    )


# --- street addresses -------------------------------------------------------------------------
_SUFFIX_EN = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|"
    r"Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Crescent|Close|Row|Trail)"
)
_STREET_EN = re.compile(
    r"(?<![\w.,])\d{1,5}[A-Za-z]?,?\s+(?:(?:[NSEW]\.?|North|South|East|West)\s+)?"
    r"(?:(?:[A-Z][\w'-]*|\d+(?:st|nd|rd|th))\s+){1,3}"
    rf"{_SUFFIX_EN}\b\.?"
)
# Typed in lower case, only with suffixes that are not everyday words ("way", "place", "court").
_STREET_EN_LOWER = re.compile(
    r"(?<![\w.,])\d{1,5}[a-z]?,?\s+(?:[a-z][\w'-]*\s+){1,2}(?:street|avenue|boulevard|road|st\.|ave\.|blvd\.?)(?!\w)"
)
# Words that are also everyday words elsewhere ("via", "place") need a capitalised name after them.
_STREET_FR_ES_IT = re.compile(
    r"(?<![\w.,])\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:"
    r"(?i:rue|avenue|av\.|boulevard|bd|chemin|allée|impasse|calle|avenida|rua)\s+\w|"
    r"(?i:via|viale|piazza|place|quai|plaza)\s+[A-ZÀ-Ý])"
)
_STREET_DE = re.compile(
    r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|damm)\s+\d{1,4}[a-z]?\b"
)
_PO_BOX = re.compile(r"(?i)\bP\.?\s?O\.?\s*Box\s+\d+")


# Where a house number starts; the number-first patterns are only tried there.
_HOUSE_NUMBER = re.compile(r"(?<![\w.,])\d{1,5}[A-Za-z]?(?:\s?(?:bis|ter))?,?\s")
_DE_SUFFIXES = ("straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "damm")


def has_street_address(text: str) -> bool:
    for m in _HOUSE_NUMBER.finditer(text):
        start = m.start()
        if any(p.match(text, start) for p in (_STREET_EN, _STREET_EN_LOWER, _STREET_FR_ES_IT)):
            return True
    if any(s in text for s in _DE_SUFFIXES) and _STREET_DE.search(text):
        return True
    return ("box" in text or "Box" in text or "BOX" in text) and bool(_PO_BOX.search(text))


# --- all --------------------------------------------------------------------------------------
# Python's re costs ~10 ns a character a pattern, too much for 13 patterns on a million prompts;
# cheap facts about the text (one digit scan, substring tests) rule most detectors out first.
_DIGIT_RUN = re.compile(r"\d+")


def _digit_count(text: str) -> int:
    return sum(map(len, _DIGIT_RUN.findall(text)))


DETECTORS: dict[str, Callable[[str], bool]] = {
    "email": has_email,
    "phone": has_phone,
    "credit_card": has_credit_card,
    "national_id": has_national_id,
    "ip_address": has_ip,
    "personal_url": has_personal_url,
    "street_address": has_street_address,
}


def _worth_trying(text: str) -> dict[str, bool]:
    digits = _digit_count(text)
    masked = digits >= 4 and _masked(text)
    return {
        "email": "@" in text,
        "phone": digits >= 8,
        "credit_card": digits >= 13 or masked,
        "national_id": digits >= 6 or masked,
        "ip_address": (digits >= 4 and "." in text) or text.count(":") >= 2,
        "personal_url": "." in text,
        "street_address": digits >= 1,
    }


def find_pii(text: str, kinds: tuple[str, ...] | None = None) -> list[str]:
    """The kinds of PII found in ``text`` (empty when none), in `DETECTORS` order."""
    worth = _worth_trying(text)
    return [
        kind
        for kind, detect in DETECTORS.items()
        if (kinds is None or kind in kinds) and worth[kind] and detect(text)
    ]
