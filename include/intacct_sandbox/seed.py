"""Seeds the demo companies (DEMO and the multi-entity DEMO-ME) from include.demo_company."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from include import demo_company as demo
from include.intacct_sandbox.catalog import UDD_FIELDS
from include.intacct_sandbox.records import stamp_new_record
from include.intacct_sandbox.store import Store

COMPANIES = (demo.COMPANY_ID, demo.MULTI_ENTITY_COMPANY_ID)
MODULES = ("GL", "AR", "AP")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _contact(name: str, email: str, party_id: str) -> dict[str, str]:
    return {"DISPLAYCONTACT.CONTACTNAME": f"{name}({party_id})", "DISPLAYCONTACT.PRINTAS": name,
            "DISPLAYCONTACT.COMPANYNAME": name, "DISPLAYCONTACT.EMAIL1": email,
            "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE": "US"}


def _contact_record(name: str, email: str, party_id: str) -> dict[str, str]:
    """The CONTACT a customer's or vendor's display contact names (DISPLAYCONTACT.CONTACTNAME)."""
    display = _contact(name, email, party_id)
    return {"CONTACTNAME": display["DISPLAYCONTACT.CONTACTNAME"], "PRINTAS": name, "COMPANYNAME": name,
            "EMAIL1": email, "TAXABLE": "false", "MAILADDRESS.COUNTRYCODE": "US", "STATUS": "active"}


# Two tasks per project and two cost types per task (Intacct keys a cost type by project and task; the
# sandbox's ids carry both so each is unique on its own).
_TASKS = (("T1", "Planning"), ("T2", "Execution"))
_COST_TYPES = (("LAB", "Labor", "6000"), ("MAT", "Material", "5100"))


def _project_tasks_and_cost_types() -> list[tuple[str, dict[str, str]]]:
    rows: list[tuple[str, dict[str, str]]] = []
    for p in demo.PROJECTS:
        for number, (suffix, name) in enumerate(_TASKS, start=1):
            task_id = f"{p.id}-{suffix}"
            status = p.status if number == 1 or p.status == "active" else "inactive"
            rows.append(("TASK", {"TASKID": task_id, "NAME": name, "PROJECTID": p.id, "TASKNO": str(number),
                                  "TASKSTATUS": "In Progress" if p.status == "active" else "Completed",
                                  "BILLABLE": "true", "STATUS": status, "DESCRIPTION": f"{name} of {p.name}"}))
            for code, cost_name, account in _COST_TYPES:
                rows.append(("COSTTYPE", {"COSTTYPEID": f"{task_id}-{code}", "NAME": cost_name, "PROJECTID": p.id,
                                          "TASKID": task_id, "STANDARDCOSTTYPEID": cost_name, "ACCOUNTNO": account,
                                          "STATUS": status}))
    return rows


def _cash_accounts(today: date) -> list[tuple[str, dict[str, str]]]:
    """The bank accounts behind the demo chart's cash accounts, and a corporate card. The chart has no
    savings cash account, so SAVINGSACCOUNT is readable and empty."""
    checking = [("BOA-OPERATING", "1000", "Operating account", "4321"),
                ("BOA-PAYROLL", "1010", "Payroll account", "8765")]
    rows: list[tuple[str, dict[str, str]]] = [
        ("CHECKINGACCOUNT", {"BANKACCOUNTID": bank_id, "BANKACCOUNTNO": f"****{last4}", "GLACCOUNTNO": account,
                             "BANKNAME": "Bank of America", "BANKACCOUNTTYPE": "checking", "ROUTINGNO": "",
                             "CURRENCY": demo.BASE_CURRENCY, "STATUS": "active", "DEPARTMENTID": "",
                             "LOCATIONID": "", "DESCRIPTION": description})
        for bank_id, account, description, last4 in checking]
    rows.append(("CREDITCARD", {"CARDID": "AMEX-CORPORATE", "DESCRIPTION": "Corporate card", "CARDTYPE": "American Express",
                                "EXP_MONTH": "December", "EXP_YEAR": str(today.year + 2), "LIABILITYTYPE": "Credit",
                                "VENDORID": "", "CURRENCY": demo.BASE_CURRENCY, "STATUS": "active"}))
    return rows


def _term(term: demo.Term, kind: str) -> dict[str, str]:
    return {"NAME": term.name, "STATUS": term.status, "DESCRIPTION": term.name, "DUEDATE": str(term.due_days),
            "DUEFROM": f"from {kind} date", "DISCDATE": str(term.discount_days) if term.discount_percent else "",
            "DISCFROM": f"from {kind} date" if term.discount_percent else "",
            "DISCAMOUNT": f"{term.discount_percent:g}" if term.discount_percent else "",
            "DISCPERCAMN": "Percentage" if term.discount_percent else ""}


def _periods(today: date) -> list[dict[str, str]]:
    periods = []
    for year in (today.year - 1, today.year):
        for month in range(1, 13):
            month_name = f"{calendar.month_name[month]} {year}"
            last = calendar.monthrange(year, month)[1]
            periods.append({"NAME": f"Month Ended {month_name}", "HEADER1": "Month Ended", "HEADER2": month_name,
                            "START_DATE": f"{month:02d}/01/{year}", "END_DATE": f"{month:02d}/{last:02d}/{year}",
                            "BUDGETING": "true", "STATUS": "active"})
    return periods


def master_records(company: str, today: date) -> list[tuple[str, dict[str, str]]]:
    """Every seeded master record of a company, as (object, fields)."""
    rows: list[tuple[str, dict[str, str]]] = []
    for a in demo.ACCOUNTS:
        rows.append(("GLACCOUNT", {
            "ACCOUNTNO": a.accountno, "TITLE": a.title, "ACCOUNTTYPE": a.accounttype,
            "NORMALBALANCE": a.normalbalance, "CLOSINGTYPE": "non-closing account" if a.accounttype ==
            "balancesheet" else "closing account", "CATEGORY": "", "STATUS": a.status,
            "REQUIREDEPT": _flag(a.require_dept), "REQUIRELOC": _flag(a.require_loc),
            "REQUIREPROJECT": _flag(a.require_project), "REQUIRECLASS": _flag(a.require_class),
            "REQUIRECUSTOMER": _flag(a.require_customer), "REQUIREVENDOR": _flag(a.require_vendor),
            "REQUIREITEM": _flag(a.require_item), "REQUIREEMPLOYEE": "false"}))
    for t in demo.TERMS:
        rows.append(("ARTERM", _term(t, "invoice")))
        rows.append(("APTERM", _term(t, "bill")))
    for d in demo.DEPARTMENTS:
        rows.append(("DEPARTMENT", {"DEPARTMENTID": d.id, "TITLE": d.name, "PARENTID": d.parent_id,
                                    "STATUS": d.status}))
    locations = list(demo.LOCATIONS)
    if company == demo.MULTI_ENTITY_COMPANY_ID:
        locations += list(demo.MULTI_ENTITY_EXTRA_LOCATIONS)
    for loc in locations:
        rows.append(("LOCATION", {"LOCATIONID": loc.id, "NAME": loc.name, "PARENTID": loc.parent_id,
                                  "CURRENCY": demo.BASE_CURRENCY, "STATUS": loc.status}))
    if company == demo.MULTI_ENTITY_COMPANY_ID:
        for e in demo.ENTITIES:
            rows.append(("LOCATIONENTITY", {"LOCATIONID": e.id, "NAME": e.name, "STATUS": e.status,
                                            "OPCOUNTRY": "United States" if e.id == "E100" else "Canada",
                                            "CURRENCY": demo.BASE_CURRENCY if e.id == "E100" else "CAD"}))
    for c in demo.CLASSES:
        rows.append(("CLASS", {"CLASSID": c.id, "NAME": c.name, "PARENTID": c.parent_id, "STATUS": c.status}))
    for p in demo.PROJECTS:
        rows.append(("PROJECT", {"PROJECTID": p.id, "NAME": p.name, "PROJECTCATEGORY": demo.PROJECT_CATEGORY,
                                 "PARENTID": p.parent_id, "STATUS": p.status,
                                 "PROJECTSTATUS": "In Progress" if p.status == "active" else "Completed"}))
    rows += _project_tasks_and_cost_types()
    rows += _cash_accounts(today)
    for e in demo.EMPLOYEES:
        first, _, last = e.name.partition(" ")
        rows.append(("EMPLOYEE", {"EMPLOYEEID": e.id, "CONTACT.CONTACTNAME": e.name, "CONTACT.FIRSTNAME": first,
                                  "CONTACT.LASTNAME": last, "STATUS": e.status}))
    for j in demo.JOURNALS:
        rows.append(("GLJOURNAL", {"SYMBOL": j.symbol, "TITLE": j.title, "STATUS": j.status,
                                   "BOOKID": "ACCRUAL"}))
    for t in demo.TAX_DETAILS:
        rows.append(("TAXDETAIL", {"DETAILID": t.detailid, "DESCRIPTION": t.detailid, "TAXTYPE": t.taxtype,
                                   "VALUE": f"{t.value:g}", "TAXRATE": "Percent", "GLACCOUNT": t.glaccount,
                                   "STATUS": t.status, "TAXSOLUTIONID": ""}))
    rows += [("REPORTINGPERIOD", p) for p in _periods(today)]
    for n in range(demo.SEEDED_CUSTOMER_COUNT):
        c = demo.customer(n)
        rows.append(("CUSTOMER", {"CUSTOMERID": c["customer_id"], "NAME": c["name"], "STATUS": c["status"],
                                  "TERMNAME": c["term_name"], "CURRENCY": c["currency"], "ONHOLD": "false",
                                  **_contact(c["name"], c["email"], c["customer_id"])}))
        rows.append(("CONTACT", _contact_record(c["name"], c["email"], c["customer_id"])))
    for n in range(demo.SEEDED_VENDOR_COUNT):
        v = demo.vendor(n)
        rows.append(("VENDOR", {"VENDORID": v["vendor_id"], "NAME": v["name"], "STATUS": v["status"],
                                "TERMNAME": v["term_name"], "CURRENCY": v["currency"], "ONHOLD": "false",
                                "APACCOUNT": "2000", **_contact(v["name"], v["email"], v["vendor_id"])}))
        rows.append(("CONTACT", _contact_record(v["name"], v["email"], v["vendor_id"])))
    for n in range(demo.SEEDED_ITEM_COUNT):
        i = demo.item(n)
        rows.append(("ITEM", {"ITEMID": i["item_id"], "NAME": i["name"], "ITEMTYPE": i["item_type"],
                              "STATUS": i["status"], "GLGROUP": ""}))
    for udd in demo.UDDS:
        for value_id, name, status in udd.values:
            rows.append((udd.object_name, {"id": value_id, "name": name, "status": status, "createdBy": "1",
                                           "updatedBy": "1"}))
    return rows


def seed(store: Store, today: date, now: datetime) -> None:
    """Wipe the store and write the demo companies."""
    store.wipe()
    seeded_at = now.replace(microsecond=0) - timedelta(days=30)
    closed = demo.default_closed_books_date(today).isoformat()
    udd_names = {u.object_name for u in demo.UDDS}
    for company in COMPANIES:
        entity_of = {loc: entity for entity, locs in demo.ENTITY_LOCATIONS.items() for loc in locs}
        for obj, fields in master_records(company, today):
            record = stamp_new_record(store, company, obj, fields, seeded_at)
            if obj in udd_names:
                record = {k: v for k, v in record.items() if k in UDD_FIELDS}
            if company == demo.MULTI_ENTITY_COMPANY_ID and obj == "LOCATION":
                record["ENTITY"] = entity_of.get(record["LOCATIONID"], "E100")
            store.put(company, obj, record)
        for module in MODULES:
            store.set_setting(company, f"closed_through:{module}", closed)
        store.set_setting(company, "udds", {u.object_name: {"label": u.label, "status": u.status,
                                                            "permitted": u.permitted} for u in demo.UDDS})
        store.set_setting(company, "counters", {"api_transactions": 0, "requests": 0})
    store.commit()
