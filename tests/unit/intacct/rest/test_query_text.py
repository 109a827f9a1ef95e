"""readByQuery's text as a Filter, for the REST transport."""

import pytest

from include.intacct.query_text import QueryTextError, parse_query_text


@pytest.mark.parametrize("text, expected", [
    ("", None),
    ("STATUS = 'T'", "equalto(STATUS, active)"),
    ("VENDORID IN ('V-1','V-2') AND NAME LIKE 'A%'", "(in(VENDORID, V-1, V-2) and like(NAME, A%))"),
    ("(TOTALDUE > 10 OR ONHOLD = 'true') AND WHENDUE IS NOT NULL",
     "((greaterthan(TOTALDUE, 10) or equalto(ONHOLD, true)) and isnotnull(WHENDUE))"),
    ("NAME NOT LIKE 'X%' AND CUSTOMERID NOT IN ('C-1')", "(notlike(NAME, X%) and notin(CUSTOMERID, C-1))"),
])
def test_read_by_query_text_becomes_the_same_filter(text, expected):
    result = parse_query_text(text)
    assert (repr(result) if result is not None else None) == expected


@pytest.mark.parametrize("text", ["STATUS =", "NAME LIKE", "(STATUS = 'T'", "STATUS ~ 'T'", "NAME NOT = 'x'"])
def test_a_text_outside_the_grammar_is_refused_with_the_text(text):
    with pytest.raises(QueryTextError, match="readByQuery text"):
        parse_query_text(text)
