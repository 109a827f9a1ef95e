"""Measures how many documents per second the Intacct sandbox accepts with zero latency.

Starts a sandbox on a free port in a temporary folder, signs in, then posts requests of
100 generic APBILL creates (3 lines each) from N client threads and prints documents per
second and the ratio to the 2,000 docs/s target. The machine may be shared: the script also
prints the load average and the server's own CPU time, so "documents per server CPU second"
shows what the sandbox sustains when it has a core to itself.

Then it reads the bills back with readByQuery `fields=*` (every standard field, pages of 1000,
readMore until done) and the customers likewise, and prints records read per server CPU second:
`fields=*` answers every catalogue field, so this is what a wide catalogue costs.

    .venv/bin/python bench/sandbox_throughput.py [--requests 40] [--threads 2] [--per-request 100] [--read-passes 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
import requests
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from include import demo_company as demo  # noqa: E402
from include.intacct_sandbox.process import start_sandbox  # noqa: E402

TARGET_DOCS_PER_SECOND = 2000


def _envelope(auth: str, functions: str, sender_password: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><request><control><senderid>{demo.SANDBOX_SENDER_ID}'
            f"</senderid><password>{sender_password}</password><controlid>bench</controlid>"
            f"<uniqueid>true</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication>{auth}"
            f"</authentication><content>{functions}</content></operation></request>").encode()


def _bills(request_no: int, per_request: int, when: str) -> str:
    parts = []
    for n in range(per_request):
        number = f"BENCH-{request_no}-{n}"
        vendor = demo.vendor(n % 28)["vendor_id"]  # active vendors only
        lines = "".join(f"<APBILLITEM><ACCOUNTNO>{acct}</ACCOUNTNO><TRX_AMOUNT>{10 + k}.{n % 100:02d}</TRX_AMOUNT>"
                        f"<ENTRYDESCRIPTION>line {k}</ENTRYDESCRIPTION></APBILLITEM>"
                        for k, acct in enumerate(("6100", "6200", "6700")))
        parts.append(f'<function controlid="{number}"><create><APBILL><WHENCREATED>{when}</WHENCREATED>'
                     f"<VENDORID>{vendor}</VENDORID><RECORDID>{number}</RECORDID><TERMNAME>N30</TERMNAME>"
                     f"<APBILLITEMS>{lines}</APBILLITEMS></APBILL></create></function>")
    return "".join(parts)


def _read_all(http: requests.Session, endpoint: str, auth: str, sender_password: str, obj: str) -> int:
    """Every record of obj through readByQuery fields=* and readMore; the number of records read."""
    body = (f'<function controlid="r"><readByQuery><object>{obj}</object><fields>*</fields><query></query>'
            "<pagesize>1000</pagesize></readByQuery></function>")
    records = 0
    while True:
        root = etree.fromstring(http.post(endpoint, data=_envelope(auth, body, sender_password), timeout=120).content)
        data = root.find(".//result/data")
        if data is None:
            raise RuntimeError(f"readByQuery {obj} failed: {etree.tostring(root)[:500]!r}")
        records += int(data.get("count"))
        if data.get("numremaining") in (None, "0"):
            return records
        body = (f'<function controlid="m"><readMore><resultId>{data.get("resultId")}</resultId></readMore>'
                "</function>")


def _read_back(endpoint: str, auth: str, sender_password: str, server, passes: int):
    """(records, seconds, server CPU seconds) of reading every bill and customer back `passes` times."""
    if passes <= 0:
        return None
    http = requests.Session()
    cpu_before = sum(server.cpu_times()[:2])
    started = time.perf_counter()
    records = sum(_read_all(http, endpoint, auth, sender_password, obj)
                  for _ in range(passes) for obj in ("APBILL", "CUSTOMER"))
    return records, time.perf_counter() - started, sum(server.cpu_times()[:2]) - cpu_before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--per-request", type=int, default=100)
    parser.add_argument("--read-passes", type=int, default=3,
                        help="times every bill and customer is read back with readByQuery fields=* (0: no reads)")
    args = parser.parse_args()
    when = datetime.now(UTC).strftime("%m/%d/%Y")
    with tempfile.TemporaryDirectory() as state, start_sandbox(state, concurrency_limit=args.threads) as sandbox:
        kwargs = sandbox.config_kwargs()
        login = (f"<login><userid>{kwargs['user_id']}</userid><companyid>{kwargs['company_id']}</companyid>"
                 f"<password>{kwargs['user_password']}</password></login>")
        reply = etree.fromstring(requests.post(sandbox.url, data=_envelope(
            login, '<function controlid="s"><getAPISession/></function>', kwargs["sender_password"]),
            timeout=30).content)
        session_id, endpoint = reply.findtext(".//sessionid"), reply.findtext(".//endpoint")
        auth = f"<sessionid>{session_id}</sessionid>"
        payloads = [_envelope(auth, _bills(i, args.per_request, when), kwargs["sender_password"])
                    for i in range(args.requests)]
        failures: list[str] = []
        next_index = iter(range(len(payloads)))
        lock = threading.Lock()

        def worker():
            http = requests.Session()
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                response = http.post(endpoint, data=payloads[index], timeout=120)
                root = etree.fromstring(response.content)
                failed = [r for r in root.iter("result") if r.findtext("status") != "success"]
                if response.status_code != 200 or failed:
                    failures.append(f"request {index}: HTTP {response.status_code}, {len(failed)} failed results")

        server = psutil.Process(sandbox.process.pid)
        cpu_before = sum(server.cpu_times()[:2])
        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        server_cpu = sum(server.cpu_times()[:2]) - cpu_before
        posted = len(sandbox.admin.posted("APBILL"))
        read_stats = _read_back(endpoint, auth, kwargs["sender_password"], server, args.read_passes)
    documents = args.requests * args.per_request
    rate = documents / elapsed
    print(f"posted {posted} of {documents} bills (3 lines each) in {elapsed:.2f} s with {args.threads} client "
          f"threads, {args.per_request} functions per request")
    print(f"throughput: {rate:,.0f} documents/s; ratio to the {TARGET_DOCS_PER_SECOND:,} docs/s target: "
          f"{rate / TARGET_DOCS_PER_SECOND:.2f}")
    print(f"server CPU: {server_cpu:.2f} s, i.e. {documents / server_cpu:,.0f} documents per server CPU second "
          f"(ratio {documents / server_cpu / TARGET_DOCS_PER_SECOND:.2f}); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if read_stats:
        records, read_elapsed, read_cpu = read_stats
        print(f"readByQuery fields=*: {records:,} records in {read_elapsed:.2f} s, "
              f"{records / read_cpu:,.0f} records per server CPU second")
    if failures:
        print(f"{len(failures)} requests had failures, e.g. {failures[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
