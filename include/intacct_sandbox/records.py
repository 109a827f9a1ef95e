"""Record metadata and Intacct's value formats: RECORDNO, WHENCREATED/WHENMODIFIED,
RECORD_URL, MM/DD/YYYY dates, MM/DD/YYYY HH:MM:SS timestamps, 2-decimal amounts."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

DATE_FORMAT = "%m/%d/%Y"
TIMESTAMP_FORMAT = "%m/%d/%Y %H:%M:%S"
INTEGRATION_USER_KEY = "1"
_CENT = Decimal("0.01")


def format_date(value: date) -> str:
    return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"


def format_timestamp(value: datetime) -> str:
    return (f"{value.month:02d}/{value.day:02d}/{value.year:04d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}")


def parse_date(text: str) -> date | None:
    """MM/DD/YYYY (unpadded accepted, as clients send M/D/YYYY), or ISO YYYY-MM-DD."""
    text = (text or "").strip()
    try:
        if "/" in text:
            month, day, year = text.split("/")
            if len(year) == 4:
                return date(int(year), int(month), int(day))
        elif len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def parse_timestamp(text: str) -> datetime | None:
    text = (text or "").strip()
    for fmt in (TIMESTAMP_FORMAT, "%m/%d/%Y %H:%M", DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def round_amount(text: str) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def record_url(obj: str, recordno: int) -> str:
    token = base64.urlsafe_b64encode(f"{obj}:{recordno}".encode()).decode().rstrip("=")
    return f"https://www.intacct.com/ia/acct/ur.phtml?.r={token}"


def stamp_new_record(store, company: str, obj: str, fields: dict[str, Any], now: datetime,
                     entity: dict[str, str] | None = None) -> dict[str, Any]:
    """A new record with Intacct's metadata fields filled in."""
    recordno = store.next_recordno(company)
    stamp = format_timestamp(now)
    record: dict[str, Any] = {"RECORDNO": str(recordno), "STATUS": "active", "WHENCREATED": stamp,
                              "WHENMODIFIED": stamp, "CREATEDBY": INTEGRATION_USER_KEY,
                              "MODIFIEDBY": INTEGRATION_USER_KEY, "MEGAENTITYKEY": "", "MEGAENTITYID": "",
                              "MEGAENTITYNAME": "", "RECORD_URL": record_url(obj, recordno)}
    if entity:
        record.update(MEGAENTITYKEY=entity["RECORDNO"], MEGAENTITYID=entity["LOCATIONID"],
                      MEGAENTITYNAME=entity["NAME"])
    record.update(fields)
    return record


def advance_modified(record: dict[str, Any], now: datetime) -> None:
    """WHENMODIFIED moves forward by at least a second, so incremental filters see every change."""
    previous = parse_timestamp(record.get("WHENMODIFIED", ""))
    moment = now.replace(microsecond=0)
    if previous and moment <= previous:
        moment = previous + timedelta(seconds=1)
    record["WHENMODIFIED"] = format_timestamp(moment)
    record["MODIFIEDBY"] = INTEGRATION_USER_KEY
