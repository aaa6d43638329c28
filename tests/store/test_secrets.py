"""`store.secrets.mask`: every spelling of a PostgreSQL password leaves a message masked."""

from __future__ import annotations

import pytest

from store.errors import StoreError, describe_fault
from store.secrets import mask


@pytest.mark.parametrize("text, expected", [
    ("postgresql://owner:SECRET@db.example/labels", "postgresql://owner:***@db.example/labels"),
    ("postgres://:SECRET@/labels?host=/run", "postgres://:***@/labels?host=/run"),
    ("postgresql://u:SEC@RET@host/x", "postgresql://u:***@host/x"),  # libpq: the last @
    ("postgresql://u:SECRET@[::1/x", "postgresql://u:***@[::1/x"),  # too malformed to parse
    ("connect 'postgresql://u:SECRET@h/x': refused", "connect 'postgresql://u:***@h/x': refused"),
    ("postgresql://u@h/x?password=SECRET&sslmode=require",
     "postgresql://u@h/x?password=***&sslmode=require"),
    ("postgresql://u@h/x?sslmode=require&Password=SECRET", "postgresql://u@h/x?sslmode=require&Password=***"),
    ("host=db user=owner password=SECRET dbname=x", "host=db user=owner password=*** dbname=x"),
    ("host=db password = 'SEC \\' RET' dbname=x", "host=db password = *** dbname=x"),
    ("PGPASSWORD=SECRET labeldesk init", "PGPASSWORD=*** labeldesk init"),
    ("sslpassword=SECRET", "sslpassword=***"),
])
def test_every_spelling_of_a_password_is_masked(text, expected):
    assert mask(text) == expected
    assert "SECRET" not in mask(text) and "RET" not in mask(text).replace("***", "")


@pytest.mark.parametrize("text", [
    "postgresql://owner@db.example:5432/labels?sslmode=require",
    "/srv/labels/desk.db: no such database",
    "p1:3: text: the prompt mentions a password",  # the word alone is no credential
    "",
])
def test_text_without_a_password_is_unchanged(text):
    assert mask(text) == text


def test_store_errors_and_faults_never_carry_one():
    import sqlite3

    assert "SECRET" not in str(StoreError("postgresql://u:SECRET@h/x: cannot open it"))
    assert "SECRET" not in describe_fault(sqlite3.OperationalError("dsn password=SECRET"))
