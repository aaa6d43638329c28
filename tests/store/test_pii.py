import pytest

from store.pii import find_pii, luhn_ok

POSITIVES = [
    # e-mail
    ("email", "Write to jane.doe@gmail.com about the invoice"),
    ("email", "my work address is j.smith@acme-corp.co.uk"),
    ("email", "support@gmail.com is my personal inbox"),  # a role name at a free-mail host
    # phone
    ("phone", "call me on +44 20 7946 0958 tonight"),
    ("phone", "Text (415) 555-2671 after 5pm"),
    ("phone", "my cell is 415-555-2671"),
    ("phone", "Ruf mich an: 030 1234 5678"),
    ("phone", "+1.212.555.0199"),
    # credit card (valid Luhn)
    ("credit_card", "card 4111 1111 1111 1111 exp 12/27"),
    ("credit_card", "charge 5500-0000-0000-0004 please"),
    ("credit_card", "amex 378282246310005"),
    ("credit_card", "the card on file is **** **** **** 4242"),
    # national IDs
    ("national_id", "SSN 123-45-6789"),
    ("national_id", "my social is ***-**-1234, can you check it"),
    ("national_id", "last four: XXX-XX-6789"),
    ("national_id", "NI number AB 12 34 56 C"),
    ("national_id", "Passport number: X12345678"),
    ("national_id", "my ssn is 123456789"),
    ("national_id", "TIN: 12-3456789"),
    ("national_id", "driver's license no. D123-4567-8901"),
    # IP addresses
    ("ip_address", "my server is at 8.8.4.4, why is it slow"),
    ("ip_address", "connect to 2606:4700:4700::1111 over ssh"),
    ("ip_address", "ban 1.2.3.4 from the forum"),  # the known ambiguity: held
    ("ip_address", "ssh root@93.184.216.34:2222"),
    # every address is held, private ones too (guidelines §4: IP addresses, no exception)
    ("ip_address", "Why can't I reach the server at 192.168.12.7 from home?"),
    ("ip_address", "my router is 192.168.1.1"),
    ("ip_address", "localhost is 127.0.0.1"),
    ("ip_address", "link-local fe80::1%eth0 and 169.254.0.9"),
    ("ip_address", "docs use 2001:db8::1"),
    # personal URLs
    ("personal_url", "see https://www.linkedin.com/in/jane-doe-4b1a2"),
    ("personal_url", "follow me at twitter.com/janedoe_88"),
    ("personal_url", "my page http://www.cs.example.edu/~jdoe/index.html"),
    ("personal_url", "portfolio: https://janedoe.github.io"),
    ("personal_url", "reddit.com/user/throwaway_1234 posted this"),
    ("personal_url", "https://mastodon.social/@jdoe"),
    ("personal_url", "https://github.com/janedoe"),
    ("personal_url", "DM me: t.me/jane_d"),
    ("personal_url", "my channel https://www.youtube.com/@janecooks"),
    ("personal_url", "x.com/jane_doe, follow back"),
    # street addresses
    ("street_address", "deliver to 221B Baker Street, London"),
    ("street_address", "I live at 1600 Pennsylvania Avenue NW"),
    ("street_address", "meet me at 42 W 43rd St tomorrow"),
    ("street_address", "send it to 350 main street"),
    ("street_address", "j'habite au 12 rue de la Paix"),
    ("street_address", "abito in 7 Via Roma, Milano"),
    ("street_address", "Hauptstraße 5, 10115 Berlin"),
    ("street_address", "P.O. Box 1234, Springfield"),
]

NEGATIVES = [
    "Write a poem about the sea in the style of Emily Dickinson's contemporaries",
    "Explain the difference between TCP and UDP",
    # e-mail: company contact details and reserved example domains (guidelines §4)
    "email support@acme.com for a refund",
    "Reply to info@bakery-berlin.de with the order",
    "format user@example.com as a link",
    "the address alice@mail.test is a placeholder",
    # phone: toll-free company lines, dates, prices, plain numbers
    "call 1-800-555-0199 for customer service",
    "the meeting is on 2023-01-15 at 10:30",
    "it costs 100 200 3000 yen in total",
    "the population is 1234567890",
    # credit card: fails Luhn
    "card 4111 1111 1111 1112 is declined",
    "order number 4000123412341235",
    # national IDs: impossible SSNs, unrelated numbers
    "the code is 000-12-3456",
    "call extension 666-12-3456",
    "ISBN 978-3-16-148410-0",
    # IP: version numbers
    "upgrade to version 1.2.3.4 today",
    "upgrade to v1.2.3.4 today",
    "we released 2.10.0.1.5 yesterday",
    "the time was 12:30:45",
    "use std::vector<int>::iterator",
    # personal URLs: repositories, sites, non-profile pages
    "clone https://github.com/python/cpython/tree/main",
    "see https://twitter.com/explore for trends",
    "read https://docs.python.org/3/library/re.html",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "see x.com/home and notfacebook.com/jane",
    "docs at api.openai.com/v1/chat and and/or example.org/page",
    # street addresses: no house number, numbers that are not addresses
    "Write about Wall Street in the 1980s",
    "a song called Sesame Street",
    "I have 3 big dogs and 2 cats",
    "There are 10 ways to cook an egg",
    "I sent 2 via email and 1 via post",
    "Spring 2024 collection",
    "she came in 2 place behind me",
]


@pytest.mark.parametrize("kind, text", POSITIVES)
def test_pii_positive(kind, text):
    assert kind in find_pii(text)


@pytest.mark.parametrize("text", NEGATIVES)
def test_pii_negative(text):
    assert find_pii(text) == []


def test_luhn():
    assert luhn_ok("4111111111111111")
    assert luhn_ok("79927398713")
    assert not luhn_ok("4111111111111112")
    assert not luhn_ok("79927398710")


def test_several_kinds_are_reported_in_order():
    text = "I'm jane.doe@gmail.com, phone +1 415 555 2671, at 10 Downing Street"
    assert find_pii(text) == ["email", "phone", "street_address"]


def test_find_pii_can_be_limited_to_some_kinds():
    assert find_pii("jane.doe@gmail.com from 8.8.8.8", kinds=("ip_address",)) == ["ip_address"]
