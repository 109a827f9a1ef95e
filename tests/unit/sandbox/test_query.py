"""readByQuery's query-string grammar and query's filter tree, evaluated on plain records."""

import pytest
from lxml import etree

from include.intacct_sandbox.catalog import OBJECTS
from include.intacct_sandbox.query import FieldResolver, QueryError, parse_filter, parse_read_by_query

RECORDS = [
    {"RECORDNO": "1", "VENDORID": "V-1", "NAME": "Erin's Software", "STATUS": "active", "TOTALDUE": "10.50",
     "WHENMODIFIED": "01/05/2026 10:00:00", "PARENTID": ""},
    {"RECORDNO": "2", "VENDORID": "V-2", "NAME": "Acme", "STATUS": "inactive", "TOTALDUE": "200",
     "WHENMODIFIED": "12/31/2025 23:59:59", "PARENTID": "V-1"},
    {"RECORDNO": "3", "VENDORID": "V-3", "NAME": "acme west", "STATUS": "active", "TOTALDUE": "9",
     "WHENMODIFIED": "01/05/2026 10:00:01", "PARENTID": ""},
]
RESOLVER = FieldResolver("VENDOR", OBJECTS["VENDOR"].all_fields)


def matching(query: str) -> list[str]:
    predicate = parse_read_by_query(query, RESOLVER)
    return [r["VENDORID"] for r in RECORDS if predicate(r)]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["V-1", "V-2", "V-3"]),
    ("VENDORID = 'V-2'", ["V-2"]),
    ("VENDORID != 'V-2'", ["V-1", "V-3"]),
    ("VENDORID <> 'V-2'", ["V-1", "V-3"]),
    ("TOTALDUE < 10", ["V-3"]),
    ("TOTALDUE > 10", ["V-1", "V-2"]),
    ("TOTALDUE <= 10.5", ["V-1", "V-3"]),
    ("TOTALDUE >= 200", ["V-2"]),
    ("NAME like 'Acme%'", ["V-2"]),
    ("NAME like 'acme_west'", ["V-3"]),
    ("NAME not like 'Acme%'", ["V-1", "V-3"]),
    ("VENDORID in ('V-1', 'V-3')", ["V-1", "V-3"]),
    ("VENDORID not in ('V-1', 'V-3')", ["V-2"]),
    ("PARENTID is null", ["V-1", "V-3"]),
    ("PARENTID IS NOT NULL", ["V-2"]),
    ("STATUS = 'T' AND TOTALDUE > 9", ["V-1"]),
    ("STATUS = 'F' OR VENDORID = 'V-3'", ["V-2", "V-3"]),
    ("NOT STATUS = 'active'", ["V-2"]),
    ("NOT (VENDORID = 'V-1' OR VENDORID = 'V-2')", ["V-3"]),
    ("NAME = 'Erin\\'s Software'", ["V-1"]),
    ("WHENMODIFIED >= '01/05/2026 10:00:00'", ["V-1", "V-3"]),
    ("WHENMODIFIED > '01/05/2026'", ["V-1", "V-3"]),
    ("name = 'Acme'", ["V-2"]),  # field names are not case-sensitive; values are
])
def test_read_by_query_operators(query, expected):
    assert matching(query) == expected


@pytest.mark.parametrize("query", ["VENDORID =", "VENDORID = 'V-1' AND", "VENDORID ~ 'x'", "(VENDORID = 'V-1'",
                                   "VENDORID not = 'x'"])
def test_malformed_queries_fail_with_query_failed(query):
    with pytest.raises(QueryError) as caught:
        matching(query)
    assert caught.value.error.errorno == "Query Failed"


def test_unknown_field_names_the_field_and_object():
    with pytest.raises(QueryError) as caught:
        matching("COLOR = 'red'")
    assert caught.value.error.description2 == "The following fields cannot be queried: [ vendor: [COLOR] ]"


def _filter(xml: str, case_insensitive: bool = False) -> list[str]:
    predicate = parse_filter(etree.fromstring(f"<filter>{xml}</filter>"), RESOLVER, case_insensitive)
    return [r["VENDORID"] for r in RECORDS if predicate(r)]


def test_filter_tree_operators_nest_and_or():
    assert _filter("<or><equalto><field>VENDORID</field><value>V-1</value></equalto>"
                   "<and><greaterthan><field>TOTALDUE</field><value>100</value></greaterthan>"
                   "<isnotnull><field>PARENTID</field></isnotnull></and></or>") == ["V-1", "V-2"]
    assert _filter("<between><field>TOTALDUE</field><value>9</value><value>10.5</value></between>") == ["V-1", "V-3"]
    assert _filter("<notin><field>VENDORID</field><value>V-1</value><value>V-2</value></notin>") == ["V-3"]
    assert _filter("<like><field>NAME</field><value>acme%</value></like>", case_insensitive=True) == ["V-2", "V-3"]


def test_and_or_need_two_conditions_and_between_two_values():
    with pytest.raises(QueryError):
        _filter("<and><equalto><field>VENDORID</field><value>V-1</value></equalto></and>")
    with pytest.raises(QueryError):
        _filter("<between><field>TOTALDUE</field><value>9</value></between>")
