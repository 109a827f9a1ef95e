"""Validators are built once per session: importing GX and building a suite costs seconds."""

from __future__ import annotations

import pytest

from include.quality import DocumentValidator
from tests.unit.quality.snapshots import demo_snapshot


@pytest.fixture(scope="session")
def snapshot():
    return demo_snapshot()


@pytest.fixture(scope="session")
def validators(snapshot):
    return {doc_type: DocumentValidator(doc_type, snapshot) for doc_type in ("ar_invoice", "ap_bill", "journal_entry")}
