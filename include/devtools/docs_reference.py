"""The documentation's generated files, written from the code that defines what they say.

    python -m include.devtools.docs_reference            # rewrite every generated file
    python -m include.devtools.docs_reference --check    # exit 1 naming the stale ones

What it writes (``GENERATED``):

* ``README.md``: the site's home page, ``docs/index.md``, with its links made relative to the
  repository root, so the same front door reads on GitHub and on the site;
* ``docs/reference/configuration.md``: the environment settings (every variable
  ``include/settings.py``, the transient route and the circuit breaker read, with the defaults the
  code applies) and the Intacct connection's fields (``include/intacct/config.py``);
* ``docs/reference/erp-contract.md``: the ERP source contract (``include/erp/contract.py``, the
  document tables of ``include/erp/documents.py``), what Intacct takes per field
  (``include/quality/limits.py``) and the synthetic ERP's defects (``include/erp/defects.py``);
* ``docs/reference/error-classes.md``: the error classes and their cases (``include/error_classes.py``).

``tests/unit/test_docs_reference.py`` renders them in memory and fails, naming this command, when a
file on disk differs. The bad-input catalogue (``docs/reference/bad-inputs.md``) is written by
``python -m tests.bad_input.catalogue`` and checked by its own test.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Callable
from pathlib import Path

from include.devtools.docs_configuration import render_configuration
from include.devtools.docs_markdown import COMMAND, note, page, table
from include.erp.contract import markdown_tables, recommended_indexes
from include.erp.defects import markdown_table as defects_table
from include.erp.documents import DOCUMENT_SPECS
from include.error_classes import ERROR_CASES, ERROR_CLASSES
from include.quality.fields import AMOUNT, DIMENSION_MAP, TEXT, header_fields, line_fields
from include.quality.limits import AMOUNT_LIMIT, DIMENSION_VALUE_LIMIT, max_length

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs"
README = REPO_ROOT / "README.md"
HOME = DOCS / "index.md"
REFERENCE = DOCS / "reference"


# -- README.md: the home page, its links made relative to the repository root -----------------

_LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _from_repo_root(target: str) -> str:
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith(("#", "/")):
        return target
    path, hash_, anchor = target.partition("#")
    return posixpath.normpath(posixpath.join("docs", path)) + hash_ + anchor


def render_readme() -> str:
    """README.md: ``docs/index.md`` with every relative link and image pointing into ``docs/``."""
    lines, fenced = [], False
    for line in HOME.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            line = _LINK.sub(lambda m: m.group(1) + _from_repo_root(m.group(2)), line)
        lines.append(line)
    title, rest = lines[0], lines[1:]
    return page(title, "", note("docs/index.md (the docs site's home page)"), *rest)


# -- docs/reference/erp-contract.md ------------------------------------------------------------

def _limits_table() -> list[str]:
    """What validation lets through, per document column it checks, with the tables the column is in."""
    def takes(name: str, field_type: object) -> str:
        if field_type is TEXT and name == "currency":
            return "an active ISO 4217 currency code"
        if field_type is TEXT and (limit := max_length(name)) is not None:
            return f"at most {limit} characters"
        if field_type is AMOUNT:
            return f"below {AMOUNT_LIMIT:,} in absolute value"
        if field_type is DIMENSION_MAP:
            return f"values of at most {DIMENSION_VALUE_LIMIT.max_length} characters"
        return ""

    tables: dict[str, list[str]] = {}
    limits: dict[str, str] = {}
    for doc_type, spec in DOCUMENT_SPECS.items():
        for erp_table, checked in ((spec.header_table, header_fields(doc_type)),
                                   (spec.lines_table, line_fields(doc_type))):
            for name, field_type in checked.items():
                if limit := takes(name, field_type):
                    tables.setdefault(name, []).append(f"`{erp_table}`")
                    limits[name] = limit
    return table(("column", "in", "Intacct takes"),
                  [(f"`{name}`", ", ".join(in_tables), limits[name]) for name, in_tables in tables.items()])


def render_erp_contract() -> str:
    documents = [(f"`{doc_type}`", f"`{spec.header_table}`", f"`{spec.lines_table}`", f"`{spec.key_column}`",
                  f"`{spec.date_column}`") for doc_type, spec in DOCUMENT_SPECS.items()]
    indexes = [(f"`{erp_table}`", ", ".join("(" + ", ".join(index) + ")" for index in table_indexes))
               for erp_table, table_indexes in recommended_indexes().items()]
    return page(
        "# The ERP contract",
        "",
        note("include/erp/contract.py, include/erp/documents.py, include/quality/limits.py and "
              "include/erp/defects.py"),
        "",
        "Every table and column an ERP source provides, as the readers check them: a database has these "
        "tables, a CSV folder one file per table, named after it (`ar_invoices.csv`, ...). Extra tables and "
        "columns are ignored. What the types mean, what an empty value is and what a missing column does: "
        "[the source contract](../erp/index.md#the-contract). `python -m include.erp.contract` prints the "
        "same tables.",
        "",
        "## Documents",
        "",
        *table(("document type", "headers", "lines", "document number", "posting date"), documents),
        "",
        "Incremental reads select headers by `updated_at`: a change to a line must bump its header's "
        "`updated_at`.",
        "",
        "## Tables",
        "",
        markdown_tables().strip(),
        "",
        "## What Intacct takes",
        "",
        "What validation checks in the document tables before anything is sent; every text value must also "
        "hold only characters XML 1.0 can carry. The source of each number: "
        "[Intacct's field limits](../pipeline/validation.md#intaccts-field-limits).",
        "",
        *_limits_table(),
        "",
        "## Recommended indexes",
        "",
        "For a large ERP database (`include.erp.contract.recommended_indexes()`; a CSV folder's staging file "
        "gets them on its own):",
        "",
        *table(("table", "indexes"), indexes),
        "",
        "## Defects of the synthetic ERP",
        "",
        "What [the synthetic ERP](../erp/synthetic.md) plants (`--defect-rate`, or `--defect NAME=RATE`), "
        "each with the error class validation or Intacct must give the documents that carry it. "
        "`python -m include.erp.defects` prints the same table.",
        "",
        defects_table().strip(),
    )


# -- docs/reference/error-classes.md -----------------------------------------------------------

def render_error_classes() -> str:
    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    classes = [(f"[`{c.value}`](../failures.md#{c.value})", i.meaning, i.product_does, i.person_does,
                yes(i.retry_in_run), yes(i.stops_run)) for c, i in ERROR_CLASSES.items()]
    cases = [(f"`{case.value}`", f"`{info.error_class.value}`", info.meaning, info.person_does)
             for case, info in ERROR_CASES.items()]
    return page(
        "# Error classes",
        "",
        note("include/error_classes.py"),
        "",
        "Every failure lands in exactly one class; the class decides the remediation route. The classifier "
        "(`include.intacct.classify`), the validation suites, the routing branch, the ledger, the status "
        "page and [When a sync fails](../failures.md) all use this one table; that page adds, class by "
        "class, the commands to use.",
        "",
        *table(("class", "what it means", "what the product does", "what you do", "retried within the run",
                 "stops the run"), classes),
        "",
        "## Cases with a fix of their own",
        "",
        "Situations inside a class whose fix differs from the class's (the status page's *what to do* "
        "gives these):",
        "",
        *table(("case", "class", "what it means", "what you do"), cases),
    )


# -- all of them ---------------------------------------------------------------------------------

GENERATED: dict[Path, Callable[[], str]] = {
    README: render_readme,
    REFERENCE / "configuration.md": render_configuration,
    REFERENCE / "erp-contract.md": render_erp_contract,
    REFERENCE / "error-classes.md": render_error_classes,
}


def stale() -> list[Path]:
    """Generated files whose content on disk is not what the code renders now."""
    return [path for path, render in GENERATED.items()
            if not path.exists() or path.read_text(encoding="utf-8") != render()]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        outdated = stale()
        for path in outdated:
            print(f"stale: {path.relative_to(REPO_ROOT)}", file=sys.stderr)
        if outdated:
            print(f"run: {COMMAND}", file=sys.stderr)
        return 1 if outdated else 0
    if args:
        print(f"usage: {COMMAND} [--check]", file=sys.stderr)
        return 2
    for path, render in GENERATED.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(), encoding="utf-8")
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
