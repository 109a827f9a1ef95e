"""The generated documentation files are what the code renders now, and the README stays short."""

import re
from pathlib import Path

import pytest

from include.devtools import docs_configuration, docs_reference

REPO = docs_reference.REPO_ROOT


@pytest.mark.parametrize("path", list(docs_reference.GENERATED), ids=lambda p: str(p.relative_to(REPO)))
def test_generated_file_is_current(path: Path):
    render = docs_reference.GENERATED[path]
    assert path.exists() and path.read_text(encoding="utf-8") == render(), (
        f"{path.relative_to(REPO)} is stale: run `{docs_reference.COMMAND}`")


def test_readme_is_a_front_door_of_at_most_300_lines():
    assert len(docs_reference.README.read_text(encoding="utf-8").splitlines()) <= 300


def test_readme_links_resolve_from_the_repository_root():
    text = docs_reference.README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s#]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", t)]
    assert local, "the README links into the docs"
    assert [t for t in local if not (REPO / t).exists()] == []


def test_readme_links_are_the_home_pages_links_from_one_level_up():
    assert docs_reference._from_repo_root("operations/status-page.md#acting") == "docs/operations/status-page.md#acting"
    assert docs_reference._from_repo_root("images/status-page-overview.png") == "docs/images/status-page-overview.png"
    assert docs_reference._from_repo_root("https://example.com/x") == "https://example.com/x"
    assert docs_reference._from_repo_root("#quick-start") == "#quick-start"


def test_every_setting_the_code_reads_has_a_row_with_the_codes_default():
    page = docs_configuration.render_configuration()
    assert "| `INTEGRATION_CHUNK_SIZE` | `2000` |" in page
    assert "| `INTEGRATION_SCHEDULE_TIMEZONE` | the value of `INTACCT_COMPANY_TIMEZONE` |" in page
    assert "| `INTEGRATION_TRANSIENT_RETRY_DELAYS` | `5,20,60` |" in page
    assert "| `max_concurrency` | extra `max_concurrency` | `INTACCT_MAX_CONCURRENCY` | `2` |" in page
    assert "| `user_id` | Login | `INTACCT_USER_ID` | required |" in page


def test_a_setting_read_but_not_described_stops_the_generator(monkeypatch):
    settings = docs_configuration._settings()
    monkeypatch.setattr(docs_configuration, "_settings", lambda: settings[1:])
    with pytest.raises(RuntimeError, match="INTEGRATION_DATA_DIR"):
        docs_configuration.render_configuration()


def test_an_intacct_config_field_without_a_meaning_stops_the_generator(monkeypatch):
    monkeypatch.delitem(docs_configuration._CONNECTION_FIELDS, "max_retries")
    with pytest.raises(RuntimeError, match="max_retries"):
        docs_configuration.render_configuration()


def test_every_docs_page_is_in_the_site_navigation():
    import yaml

    def pages(nav):
        for entry in nav:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            yield from (pages(value) if isinstance(value, list) else [value])

    nav = list(pages(yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]))
    on_disk = sorted(str(p.relative_to(docs_reference.DOCS)) for p in docs_reference.DOCS.rglob("*.md"))
    assert len(nav) == len(set(nav)) and sorted(nav) == on_disk
