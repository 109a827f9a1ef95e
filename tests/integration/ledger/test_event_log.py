"""The event log is append-only, whoever tries to change it."""

import pytest
import sqlalchemy as sa

from include.ledger import Status
from tests.integration.ledger.helpers import INVOICE, object_in


@pytest.mark.parametrize(
    "statement",
    [
        "update ledger_events set reason = 'rewritten'",
        "delete from ledger_events",
    ],
)
def test_database_refuses_to_change_or_delete_events(ledger, statement):
    object_in(ledger, Status.SUCCESS, "10432")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), ledger.engine.begin() as conn:
        conn.execute(sa.text(statement))
    assert [e.reason for e in ledger.events(INVOICE, "10432")][0] == "first observation of the object"


def test_every_step_of_a_document_is_in_its_log(ledger):
    object_in(ledger, Status.DESYNCHRONIZED, "10432")
    assert [(e.kind, e.from_status, e.to_status) for e in ledger.events(INVOICE, "10432")] == [
        ("observed", None, "not_integrated"),
        ("claimed", "not_integrated", "pending"),
        ("succeeded", "pending", "success"),
        ("source_changed", "success", "desynchronized"),
    ]
