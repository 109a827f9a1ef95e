"""docs/failures.md ("When a sync fails") says what include/error_classes.py says, class by class."""

import re
from pathlib import Path

from include.error_classes import ERROR_CLASSES, ErrorClass

PAGE = Path(__file__).resolve().parents[3] / "docs" / "failures.md"
HEADING = re.compile(r"^### `([a-z_]+)`\s*$", re.MULTILINE)


def _sections() -> dict[str, str]:
    text = PAGE.read_text()
    marks = list(HEADING.finditer(text))
    return {m.group(1): text[m.end():(marks[i + 1].start() if i + 1 < len(marks) else len(text))]
            for i, m in enumerate(marks)}


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_failures_page_has_one_entry_per_error_class_in_the_tables_order():
    assert list(_sections()) == [c.value for c in ErrorClass]


def test_each_entry_states_the_tables_meaning_product_action_and_person_action_word_for_word():
    sections = _sections()
    for error_class, info in ERROR_CLASSES.items():
        section = _flat(sections[error_class.value])
        for label, text in (("What it means:", info.meaning), ("What the product does:", info.product_does),
                            ("What you do:", info.person_does)):
            assert _flat(f"**{label}** {text}") in section, (
                f"docs/failures.md, {error_class.value}: '{label}' differs from include/error_classes.py")


def test_failures_page_gives_the_backfill_recipe_for_reopened_periods():
    text = PAGE.read_text()
    assert "airflow backfill create --dag-id intacct_post_transactions --from-date 2026-09-01 --to-date 2026-09-30" in text
    assert "python -m include.backfill 2026-09" in text
    assert "posts nothing" in text and "python -m include.remediation mark-synced" in text
