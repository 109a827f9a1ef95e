"""GLDETAIL: the general ledger lines of what was posted, computed from the posted documents.

A journal entry's own lines are its GL lines. A bill debits each line's expense account and
credits the AP control account with its total; an invoice credits each line's revenue account
and debits the AR control account. Drafts post nothing. MODULEKEY tells the subledger as
Intacct writes it (2.GL, 3.AP, 4.AR; the Meltano tap partitions GLDETAIL by these values), and
a line of a document keeps the RECORDNO its document line has (GLENTRY, APBILLITEM,
ARINVOICEITEM), so the two views join.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

AP_CONTROL_ACCOUNT = "2000"  # Accounts Payable in the demo chart of accounts
AR_CONTROL_ACCOUNT = "1200"  # Accounts Receivable
# A document line's RECORDNO is its document's times this plus its line number (context.LINE_RECORDNO_FACTOR);
# the control line of a bill or invoice takes the last number of that range.
CONTROL_LINE_NO = 999
_SUBLEDGERS = {"APBILL": ("3.AP", "APJ", AP_CONTROL_ACCOUNT, "1", "VENDORID"),
               "ARINVOICE": ("4.AR", "ARJ", AR_CONTROL_ACCOUNT, "-1", "CUSTOMERID")}
_SHARED = ("WHENCREATED", "WHENMODIFIED", "CREATEDBY", "MODIFIEDBY", "MEGAENTITYKEY", "MEGAENTITYID",
           "MEGAENTITYNAME")


def gl_detail(ctx, line_factor: int) -> Iterator[dict[str, Any]]:
    titles: dict[str, str] = {}

    def title(account_no: str) -> str:
        if account_no not in titles:
            account = ctx.find("GLACCOUNT", account_no)
            titles[account_no] = account.get("TITLE", "") if account is not None else ""
        return titles[account_no]

    for batch in ctx.records("GLBATCH"):
        if batch.get("STATE") == "Draft":
            continue
        head = _head(batch, "2.GL", batch.get("JOURNAL", ""), batch.get("BATCH_DATE", ""),
                     batch.get("BATCH_TITLE", ""))
        head["REFERENCENO"] = batch.get("REFERENCENO", "")
        for line in batch.get("_LINES", []):
            yield _row(head, batch, line, line_factor, line["TR_TYPE"], title)
    for obj, (module, journal, control, line_type, party_field) in _SUBLEDGERS.items():
        for document in ctx.records(obj):
            if document.get("STATE") == "Draft":
                continue
            posted_on = document.get("WHENPOSTED") or document.get("WHENCREATED", "")
            head = _head(document, module, journal, posted_on,
                         f"{'Bill' if obj == 'APBILL' else 'Invoice'} {document.get('RECORDID', '')}".strip())
            head.update(RECORDID=document.get("RECORDID", ""), DOCNUMBER=document.get("DOCNUMBER", ""))
            head[party_field] = document.get(party_field, "")
            total = Decimal("0.00")
            for line in document.get("_LINES", []):
                total += Decimal(line["AMOUNT"])
                yield _row(head, document, line, line_factor, line_type, title)
            control_line = {"LINE_NO": str(CONTROL_LINE_NO), "ACCOUNTNO": control, "AMOUNT": str(total),
                            "DESCRIPTION": document.get("DESCRIPTION", "")}
            yield _row(head, document, control_line, line_factor, "-1" if line_type == "1" else "1", title)


def _head(document: dict[str, Any], module: str, journal: str, posted_on: str, batch_title: str) -> dict:
    return {**{name: document.get(name, "") for name in _SHARED}, "BATCHKEY": document["RECORDNO"],
            "BATCH_NO": document["RECORDNO"], "BATCH_DATE": posted_on, "BATCH_TITLE": batch_title,
            "SYMBOL": journal, "BOOKID": "ACCRUAL", "MODULEKEY": module, "ENTRY_DATE": posted_on,
            "ENTRY_STATE": "Posted", "STATUS": "active", "CURRENCY": document.get("CURRENCY") or "USD",
            "BASECURR": document.get("BASECURR") or "USD"}


def _row(head: dict[str, Any], document: dict[str, Any], line: dict[str, Any], line_factor: int, tr_type: str,
         title) -> dict[str, Any]:
    amount = line.get("AMOUNT", "")
    debit = tr_type == "1"
    account_no = line.get("ACCOUNTNO", "")
    row = {**head, "RECORDNO": str(int(document["RECORDNO"]) * line_factor + int(line["LINE_NO"])),
           "LINE_NO": line["LINE_NO"], "TR_TYPE": tr_type, "ACCOUNTNO": account_no, "ACCOUNTTITLE": title(account_no),
           "AMOUNT": amount, "TRX_AMOUNT": amount, "DEBITAMOUNT": amount if debit else "0.00",
           "CREDITAMOUNT": "0.00" if debit else amount, "TRX_DEBITAMOUNT": amount if debit else "0.00",
           "TRX_CREDITAMOUNT": "0.00" if debit else amount, "DOCUMENT": line.get("DOCUMENT", ""),
           "DESCRIPTION": line.get("DESCRIPTION") or line.get("ENTRYDESCRIPTION", ""),
           "DEPARTMENTID": line.get("DEPARTMENTID") or line.get("DEPARTMENT", ""),
           "LOCATIONID": line.get("LOCATIONID") or line.get("LOCATION", "")}
    for dimension in ("PROJECTID", "TASKID", "CUSTOMERID", "VENDORID", "EMPLOYEEID", "ITEMID", "CLASSID"):
        if line.get(dimension):
            row[dimension] = line[dimension]
    return row
