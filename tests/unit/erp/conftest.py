"""Shared ERP test data: one generated dataset per session."""

from __future__ import annotations

from datetime import date

import pytest

from include.erp.generate import generate

AS_OF = date(2026, 11, 22)
SEED = 42
LINES = 4000
DEFECT_RATE = 0.6  # high, so every defect kind appears in a small dataset


@pytest.fixture(scope="session")
def generated_erp(tmp_path_factory) -> dict:
    """A generated ERP as a SQLite file and a CSV folder, with its manifest."""
    folder = tmp_path_factory.mktemp("generated-erp")
    manifest = generate(str(folder / "erp.db"), lines=LINES, seed=SEED, as_of=AS_OF, defect_rate=DEFECT_RATE,
                        manifest=folder / "manifest.json", csv_dir=folder / "csv")
    return {"db": folder / "erp.db", "csv": folder / "csv", "manifest": manifest,
            "manifest_path": folder / "manifest.json", "stage": folder / "stage"}
