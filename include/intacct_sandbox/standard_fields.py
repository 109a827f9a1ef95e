"""Intacct's standard fields per object, as public sources list them: the catalogue that
`query`, `readByQuery fields=*`, `read`, `readByName`, `lookup` and `inspect` serve.

The data lives in ``standard_fields.json`` beside this module. It is derived from the project's
reference ``intacct-object-fields.json`` (Intacct `lookup` output captured from real tenants,
Fyle's SDK select lists, typed schemas generated from real object definitions, Fivetran's
columns: every field keeps the sources that name it). Refresh it with

    python -m include.intacct_sandbox.standard_fields PATH/TO/intacct-object-fields.json

Objects the reference lacks are extended below from Intacct's own documentation only, each
with its source. A real tenant answers a field it has no value for with an empty element, so
a catalogue field the sandbox holds no data for reads as empty.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("standard_fields.json")
# A field answers as an element of its name: a name that cannot be one (CHECKINGACCOUNT's DEPT#, as a
# real lookup lists it) is left out of the catalogue rather than answered as broken XML.
_ELEMENT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*$")

# The reference's value types, mapped to the DATATYPE names Intacct's `lookup` reports.
_REFERENCE_TYPES = {"text": "TEXT", "integer": "INTEGER", "decimal": "DECIMAL", "date": "DATE",
                    "timestamp": "TIMESTAMP", "boolean": "BOOLEAN", "enum": "ENUM", "date_or_timestamp": "DATE"}


@dataclass(frozen=True)
class FieldInfo:
    """One standard field: what `lookup` reports about it. ``None`` means no public source says."""

    name: str
    datatype: str
    readonly: bool | None = None
    required: bool | None = None
    valid_values: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def _fields(names: str, source: str, datatype: str = "TEXT", **types: str) -> dict[str, dict]:
    """Field entries for whitespace-separated names, all from one source; ``types`` overrides per field."""
    return {name: {"type": types.get(name, datatype), "sources": [source]} for name in names.split()}


# --- extensions from Intacct's documentation (objects the reference has no field list for) ----------
_COST_TYPE_DOC = "https://developer.intacct.com/api/construction/cost-types/ (create/update parameters)"
_FYLE_CONSTANTS = "sageintacctsdk 1.28.1 sageintacctsdk/apis/constants.py dimensions_fields_mapping['COSTTYPE']"
_PERIOD_DOC = "https://developer.intacct.com/api/general-ledger/reporting-periods/ (readByQuery example, fields)"
EXTENSIONS: dict[str, dict[str, dict]] = {
    "COSTTYPE": {
        **_fields("RECORDNO PROJECTKEY PROJECTID PROJECTNAME TASKKEY TASKID TASKNAME COSTTYPEID NAME STATUS "
                  "WHENCREATED WHENMODIFIED", _FYLE_CONSTANTS, RECORDNO="INTEGER", PROJECTKEY="INTEGER",
                  TASKKEY="INTEGER", WHENCREATED="TIMESTAMP", WHENMODIFIED="TIMESTAMP"),
        **_fields("STANDARDCOSTTYPEID DESCRIPTION ACCUMULATIONTYPENAME COSTUNITDESCRIPTION ACCOUNTNO ITEMID "
                  "PARENTID PLANNEDBEGINDATE PLANNEDENDDATE ACTUALBEGINDATE ACTUALENDDATE", _COST_TYPE_DOC,
                  PLANNEDBEGINDATE="DATE", PLANNEDENDDATE="DATE", ACTUALBEGINDATE="DATE", ACTUALENDDATE="DATE"),
    },
    "REPORTINGPERIOD": _fields("RECORDNO NAME HEADER1 HEADER2 START_DATE END_DATE BUDGETING STATUS WHENCREATED "
                               "WHENMODIFIED", _PERIOD_DOC, RECORDNO="INTEGER", START_DATE="DATE",
                               END_DATE="DATE", BUDGETING="BOOLEAN", WHENCREATED="TIMESTAMP",
                               WHENMODIFIED="TIMESTAMP"),
}


def _info(name: str, entry: dict) -> FieldInfo:
    return FieldInfo(name, entry.get("type") or "TEXT", entry.get("readonly"), entry.get("required"),
                     tuple(entry.get("values") or ()), tuple(entry.get("sources") or ()))


@cache
def standard_fields() -> dict[str, dict[str, FieldInfo]]:
    """Object name -> field name -> FieldInfo, in the catalogue's order."""
    data = json.loads(DATA_FILE.read_text())
    objects = {name: dict(fields) for name, fields in data["objects"].items()}
    for name, fields in EXTENSIONS.items():
        merged = objects.setdefault(name, {})
        for field_name, entry in fields.items():
            merged.setdefault(field_name, entry)
    return {name: {f: _info(f, e) for f, e in fields.items() if _ELEMENT_NAME.match(f)}
            for name, fields in objects.items()}


def source_urls() -> dict[str, str]:
    return dict(json.loads(DATA_FILE.read_text())["sources"])


# --- refreshing the data file from the reference -------------------------------------------------------
def _entry(field: dict) -> dict:
    """A reference field as the data file keeps it: Intacct's DATATYPE first (a real `lookup`), else
    the reference's type; read-only, required and valid values only where a lookup told them."""
    datatype = field.get("intacct_datatype") or _REFERENCE_TYPES.get(field.get("type") or "", "TEXT")
    entry: dict = {"type": datatype}
    for key, target in (("readonly", "readonly"), ("required", "required"), ("enum_values", "values")):
        if field.get(key) is not None:
            entry[target] = field[key]
    entry["sources"] = sorted(field.get("sources") or [])
    return entry


def build_data(reference: dict) -> dict:
    objects = {name: {f: _entry(info) for f, info in sorted(body["fields"].items())}
               for name, body in reference.items() if not name.startswith("_") and body.get("fields")}
    return {
        "about": ("Derived from the project's reference intacct-object-fields.json by "
                  "`python -m include.intacct_sandbox.standard_fields PATH`: per object, its standard fields "
                  "with the DATATYPE Intacct's lookup reports (or the best public type), read-only, required "
                  "and valid values where a real lookup was read, and the sources that name the field. "
                  "Tenant custom fields are not included."),
        "sources": reference.get("_sources", {}),
        "objects": objects,
    }


def _dump(data: dict) -> str:
    """JSON with one line per field, so a refresh reads as a reviewable diff."""
    lines = ["{", f' "about": {json.dumps(data["about"])},', f' "sources": {json.dumps(data["sources"], indent=2)},',
             ' "objects": {']
    objects = list(data["objects"].items())
    for index, (name, fields) in enumerate(objects):
        lines.append(f"  {json.dumps(name)}: {{")
        rows = [f"   {json.dumps(f)}: {json.dumps(e)}" for f, e in fields.items()]
        lines.append(",\n".join(rows))
        lines.append("  }" + ("," if index < len(objects) - 1 else ""))
    lines += [" }", "}", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m include.intacct_sandbox.standard_fields PATH/TO/intacct-object-fields.json",
              file=sys.stderr)
        return 2
    data = build_data(json.loads(Path(argv[0]).read_text()))
    DATA_FILE.write_text(_dump(data))
    print(f"wrote {DATA_FILE} ({len(data['objects'])} objects, "
          f"{sum(len(f) for f in data['objects'].values())} fields)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
