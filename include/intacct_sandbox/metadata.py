"""Metadata and setup reads: lookup, inspect, getDimensions, get_closedbooksdate, getFinancialSetup."""

from __future__ import annotations

from include import demo_company as demo
from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import OBJECTS, STANDARD_DIMENSIONS
from include.intacct_sandbox.context import Failure, FunctionContext, Outcome
from include.intacct_sandbox.relations import derived_fields, relations_of
from include.intacct_sandbox.targets import Target, target
from include.intacct_sandbox.xmlout import element, esc

# System fields Intacct maintains itself: read-only where no lookup says otherwise.
_SYSTEM_FIELDS = {"RECORDNO", "WHENCREATED", "WHENMODIFIED", "RECORD_URL", "CREATEDBY", "MODIFIEDBY",
                  "MEGAENTITYKEY", "MEGAENTITYID", "MEGAENTITYNAME"}
_STATUS_VALUES = ("active", "inactive")


def _field_xml(read_target: Target, name: str, compare_type: str) -> str:
    """One <Field> as `lookup` describes it (https://developer.intacct.com/web-services/queries/,
    "Finding an object's queryable fields"): the catalogue's DATATYPE, READONLY, REQUIRED and
    VALIDVALUES where a real lookup gave them, the sandbox's own knowledge otherwise."""
    definition = read_target.definition
    info = definition.standard.get(name) if definition is not None else None
    computed = definition is not None and name in derived_fields(definition)
    readonly = info.readonly if info is not None and info.readonly is not None else (
        name in _SYSTEM_FIELDS or computed or bool(definition and definition.read_only))
    required = info.required if info is not None and info.required is not None else (
        name == read_target.key and name != "RECORDNO")
    datatype = info.datatype if info is not None else compare_type
    values = info.valid_values if info is not None and info.valid_values else (
        _STATUS_VALUES if name.upper() == "STATUS" else ())
    valid = ("<VALIDVALUES>" + "".join(element("VALIDVALUE", v) for v in values) + "</VALIDVALUES>") if values else ""
    return (f"<Field>{element('ID', name)}{element('LABEL', name.replace('_', ' ').replace('.', ' ').title())}"
            f"{element('DESCRIPTION', name)}{element('REQUIRED', str(bool(required)).lower())}"
            f"{element('READONLY', str(bool(readonly)).lower())}{element('DATATYPE', datatype)}{valid}"
            f"{element('ISCUSTOM', 'false')}</Field>")


def _describe(read_target: Target, detail: bool) -> str:
    if not detail:
        names = "".join(element("Field", name) for name in read_target.fields)
        return f'<Type Name="{esc(read_target.name)}"><Fields>{names}</Fields></Type>'
    fields = "".join(_field_xml(read_target, name, ftype) for name, ftype in read_target.fields.items())
    relations = relations_of(read_target.name).values() if read_target.definition is not None else ()
    relationships = "".join(
        f"<Relationship>{element('OBJECTPATH', r.path)}{element('OBJECTNAME', r.object_name or r.target)}"
        f"{element('LABEL', '')}{element('RELATIONSHIPTYPE', 'MANY2ONE')}{element('RELATEDBY', r.by)}"
        "</Relationship>" for r in relations)
    return (f'<Type Name="{esc(read_target.name)}" DocumentType=""><Fields>{fields}</Fields>'
            f"<Relationships>{relationships}</Relationships></Type>")


def lookup(ctx: FunctionContext, el) -> Outcome:
    read_target = target(ctx, el.findtext("object"), "LOOKUP")
    return Outcome(f'<data listtype="All" count="1">{_describe(read_target, detail=True)}</data>', transactions=1)


def inspect(ctx: FunctionContext, el) -> Outcome:
    name = (el.findtext("object") or "").strip()
    if name == "*":
        types = [(o.name, o.label) for o in OBJECTS.values()]
        types += [(n, u["label"]) for n, u in ctx.udds().items()]
        body = "".join(f'<type typename="{esc(n)}">{esc(label)}</type>' for n, label in types)
        return Outcome(f'<data listtype="All" count="{len(types)}">{body}</data>', transactions=1)
    read_target = target(ctx, name, "INSPECT")
    detail = (el.get("detail") or "0").strip() == "1"
    return Outcome(f'<data listtype="All" count="1">{_describe(read_target, detail)}</data>', transactions=1)


def get_dimensions(ctx: FunctionContext, el) -> Outcome:
    parts = []
    for name, label in STANDARD_DIMENSIONS:
        parts.append(_dimension(name, label, False, True))
    for name, udd in ctx.udds().items():
        parts.append(_dimension(name, udd["label"], True, udd["status"] == "active"))
    return Outcome(f"<data><dimensions>{''.join(parts)}</dimensions></data>", transactions=1)


def _dimension(name: str, label: str, user_defined: bool, enabled: bool) -> str:
    return (f"<dimension>{element('objectName', name)}{element('objectLabel', label)}{element('termLabel', label)}"
            f"{element('userDefinedDimension', str(user_defined).lower())}"
            f"{element('enabledInGL', str(enabled).lower())}</dimension>")


def get_closed_books_date(ctx: FunctionContext, el) -> Outcome:
    # Intacct's function has no module; GL's date is the company's. A <module>AR</module> child
    # (an extension) asks for one subledger's date.
    module = (el.findtext("module") or el.get("module") or "GL").strip().upper()
    if module not in ("GL", "AR", "AP"):
        raise Failure([messages.invalid_parameter("get_closedbooksdate", f"unknown module '{module}'")])
    closed = ctx.closed_through(module)
    inner = "" if closed is None else (
        f"{element('year', closed.year)}{element('month', f'{closed.month:02d}')}"
        f"{element('day', f'{closed.day:02d}')}")
    return Outcome(f"<data><closedbooksdate>{inner}</closedbooksdate></data>", transactions=1)


def get_financial_setup(ctx: FunctionContext, el) -> Outcome:
    values = {"baseCurrency": demo.BASE_CURRENCY, "defaultBook": "ACCRUAL", "firstFiscalMonth": "January",
              "firstTaxMonth": "January", "multiBaseCurrency": "false", "multiBook": "false",
              "multiCurrency": "false", "multiEntityShared": str(ctx.multi_entity).lower(),
              "currentPeriod": "", "timezone": demo.COMPANY_TIMEZONE}
    body = "".join(element(k, v) for k, v in values.items())
    return Outcome(f"<data><financialSetup>{body}</financialSetup></data>", transactions=1)
