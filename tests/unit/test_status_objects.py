"""The status page's objects tab and object page (include.status) against a real SQLite ledger
filled through the Ledger API: filters, paging, history, the re-sync action and its command."""

import json
import shlex
from datetime import timedelta

import pytest

from include.error_classes import ERROR_CLASSES, ErrorClass
from include.ledger import Ledger
from include.ledger.types import utcnow
from include.resync.request import request_from_params
from include.settings import load_settings
from include.status import (
    ObjectFilters,
    StatusFilterError,
    detail_to_json,
    find_object,
    list_objects,
    object_detail,
    object_path,
    objects_listing,
    objects_to_json,
    parse_object_filters,
    render_object_page,
    render_objects_page,
    render_page,
    status_summary,
)

HOSTILE_KEY = "INV-<script>alert('x')</script>/&?#%2F\"ü"
HOSTILE_MESSAGE = "<img src=x onerror=alert(1)> & 'quoted'"


@pytest.fixture
def settings(integration_data_dir):
    return load_settings({"INTEGRATION_DATA_DIR": str(integration_data_dir)})


@pytest.fixture
def ledger(settings):
    with Ledger(settings.integration_db_url) as ledger:
        yield ledger


def _post(ledger, object_type, key, record_no="900", version="v1"):
    ledger.observe(object_type, key, version, amount="7.00" if object_type != "customer" else None)
    ledger.claim(object_type, [key], run_id="run-1", worker="test", strict=True)
    ledger.record_success(object_type, key, run_id="run-1", record_no=record_no)


def _fail(ledger, object_type, key, error_class, message, *, hold=None, period=None):
    ledger.observe(object_type, key, "v1", amount="100.00" if object_type != "customer" else None)
    ledger.claim(object_type, [key], run_id="run-1", worker="test", strict=True)
    ledger.record_error(object_type, key, run_id="run-1", error_class=error_class, message=message, hold=hold,
                        held_for_period=period)


def _fill(ledger):
    """One object per status, in this order of change (the last one changed last)."""
    ledger.observe("ar_invoice", "INV-NEW", "v1", amount="5.00")  # not_integrated
    _post(ledger, "ar_invoice", "INV-POSTED", record_no="1001")  # success
    _post(ledger, "ar_invoice", "INV_1", record_no="1002")
    ledger.observe("ar_invoice", "INV_1", "v2-abcdef0123456789", amount="8.00")  # desynchronized
    _fail(ledger, "ar_invoice", "INV-CLOSED", "closed_period", "Periods are closed.", hold="closed_period",
          period="2026-09")
    ledger.observe("ap_bill", "BILL-1", "v1", amount="9.00")
    ledger.claim("ap_bill", ["BILL-1"], run_id="run-2", worker="test", strict=True)  # pending
    _fail(ledger, "customer", "C-1", "invalid_reference", "Invalid Customer")
    _fail(ledger, "ar_invoice", HOSTILE_KEY, "payment_term", HOSTILE_MESSAGE)


def _keys(page):
    return [line.row.key for line in page.lines]


def test_the_list_holds_every_object_newest_change_first_with_its_state(ledger):
    _fill(ledger)

    page = list_objects(ledger)

    assert page.total == 7 and page.pages == 1
    assert _keys(page) == [HOSTILE_KEY, "C-1", "BILL-1", "INV-CLOSED", "INV_1", "INV-POSTED", "INV-NEW"]
    states = {line.row.key: line.state for line in page.lines}
    assert states == {HOSTILE_KEY: "error", "C-1": "error", "BILL-1": "pending",
                      "INV-CLOSED": "held: closed_period (2026-09)", "INV_1": "desynchronized",
                      "INV-POSTED": "success", "INV-NEW": "not_integrated"}
    posted = next(line.row for line in page.lines if line.row.key == "INV-POSTED")
    assert (posted.intacct_record_no, posted.attempts, posted.source_version) == ("1001", 1, "v1")


@pytest.mark.parametrize("filters, keys", [
    (ObjectFilters(category="master"), ["C-1"]),
    (ObjectFilters(category="finance", status="error"), [HOSTILE_KEY, "INV-CLOSED"]),
    (ObjectFilters(object_type="ap_bill"), ["BILL-1"]),
    (ObjectFilters(status="desynchronized"), ["INV_1"]),
    (ObjectFilters(error_class="closed_period"), ["INV-CLOSED"]),
    (ObjectFilters(error_class="unclassified"), []),  # every error the ledger records has a class
    (ObjectFilters(key="INV-NEW"), ["INV-NEW"]),
    (ObjectFilters(key="INV-"), []),  # exact by default
    (ObjectFilters(key="INV-", key_match="prefix"), [HOSTILE_KEY, "INV-CLOSED", "INV-POSTED", "INV-NEW"]),
    (ObjectFilters(key="INV_", key_match="prefix"), ["INV_1"]),  # "_" is a character, not a wildcard
    (ObjectFilters(key=HOSTILE_KEY), [HOSTILE_KEY]),
    (ObjectFilters(version="v2-abc"), ["INV_1"]),  # a prefix of the ERP version
])
def test_the_list_filters_by_category_type_status_error_class_key_and_version(ledger, filters, keys):
    _fill(ledger)

    page = list_objects(ledger, filters)

    assert _keys(page) == keys and page.total == len(keys)


def test_a_desynchronized_object_is_found_by_the_version_in_intacct_too(ledger):
    _fill(ledger)
    filters = ObjectFilters(version="v1", object_type="ar_invoice", status="desynchronized")

    assert _keys(list_objects(ledger, filters)) == ["INV_1"]


def test_the_list_pages_newest_first(ledger):
    _fill(ledger)

    pages = [list_objects(ledger, ObjectFilters(page=n, page_size=3)) for n in (1, 2, 3, 4)]

    assert [_keys(p) for p in pages] == [[HOSTILE_KEY, "C-1", "BILL-1"], ["INV-CLOSED", "INV_1", "INV-POSTED"],
                                         ["INV-NEW"], []]
    assert {p.pages for p in pages} == {3} and {p.total for p in pages} == {7}


@pytest.mark.parametrize("kwargs, message", [
    ({"category": "finances"}, "category 'finances' is not one of: finance, master"),
    ({"object_type": "invoice"}, "object_type 'invoice' is not one of: ar_invoice, ap_bill"),
    ({"status": "failed"}, "status 'failed' is not one of: not_integrated, pending, success, error, desynchronized"),
    ({"error_class": "timeout"}, "error_class 'timeout' is not one of: transient, auth"),
    ({"key_match": "contains"}, "key_match 'contains' is not one of: exact, prefix"),
    ({"category": "master", "object_type": "ar_invoice"}, "object_type 'ar_invoice' is finance data, not category"),
    ({"key": "K" * 129}, "key is longer than 128 characters"),
    ({"page": "0"}, "page '0' must be at least 1"),
    ({"page_size": "501"}, "page_size '501' must be from 1 to 500"),
])
def test_bad_list_filters_are_refused_naming_the_parameter_and_the_allowed_values(kwargs, message):
    with pytest.raises(ValueError) as raised:
        parse_object_filters(**kwargs)

    assert message in str(raised.value)
    if "is not one of" in message:
        assert isinstance(raised.value, StatusFilterError)


def test_empty_list_filters_mean_everything_and_the_key_is_kept_as_typed():
    assert parse_object_filters("", "", "", "", "", "", "", "", "") == ObjectFilters()
    assert parse_object_filters(key=" K 1") == ObjectFilters(key=" K 1")
    assert parse_object_filters("master", "customer", "error", "auth", "C", "prefix", "v", "2", "10") == (
        ObjectFilters("master", "customer", "error", "auth", "C", "prefix", "v", 2, 10))


def test_the_detail_has_the_row_and_every_event_oldest_first_with_the_fix(ledger):
    _fill(ledger)
    ledger.log_decision("ar_invoice", "INV-CLOSED", run_id="run-3", decision="redated",
                        reason="period 2026-09 is closed; posting date moved to 2026-10-01",
                        details={"from": "2026-09-30", "to": "2026-10-01"})

    detail = object_detail(ledger, "ar_invoice", "INV-CLOSED")

    assert detail.row.key == "INV-CLOSED" and detail.row.hold == "closed_period"
    assert detail.state == "held: closed_period (2026-09)"
    assert [(ev.kind, ev.from_status, ev.to_status) for ev in detail.events] == [
        ("observed", None, "not_integrated"), ("claimed", "not_integrated", "pending"),
        ("failed", "pending", "error"), ("redated", "error", "error")]
    assert detail.events[-1].details == {"from": "2026-09-30", "to": "2026-10-01"}
    assert detail.remediation == ERROR_CLASSES[ErrorClass.CLOSED_PERIOD].person_does
    assert object_detail(ledger, "ar_invoice", "INV-POSTED").remediation is None
    assert object_detail(ledger, "ar_invoice", "NO-SUCH") is None
    assert object_detail(ledger, "ap_bill", "INV-CLOSED") is None  # keys are per object type


@pytest.mark.parametrize("object_type, key, action, label", [
    ("ar_invoice", "INV-NEW", "synchronize", "Synchronize"),
    ("ar_invoice", "INV_1", "synchronize", "Synchronize"),
    ("ar_invoice", "INV-CLOSED", "force_synchronize", "Force synchronize"),
    ("customer", "C-1", "force_synchronize", "Force synchronize"),
    ("ar_invoice", HOSTILE_KEY, "force_synchronize", "Force synchronize"),
])
def test_the_action_per_status_comes_as_a_command_the_resync_dag_accepts(ledger, object_type, key, action, label):
    _fill(ledger)

    hint = object_detail(ledger, object_type, key).resync

    assert (hint.action, hint.label) == (action, label)
    assert "\n" not in hint.command and hint.command.isascii()
    argv = shlex.split(hint.command)
    assert argv[:5] == ["airflow", "dags", "trigger", "intacct_resync", "--conf"] and len(argv) == 6
    conf = json.loads(argv[5])
    assert conf == hint.conf == {"object_type": object_type, "action": action, "keys": [key]}
    request = request_from_params(conf, run_id="manual__test")
    assert (request.object_type, request.action, request.keys) == (object_type, action, (key,))


def test_no_action_applies_to_pending_or_synchronized_objects_and_the_page_says_why(ledger):
    _fill(ledger)

    pending = object_detail(ledger, "ap_bill", "BILL-1").resync
    expired = object_detail(ledger, "ap_bill", "BILL-1", now=utcnow() + timedelta(hours=1)).resync
    posted = object_detail(ledger, "ar_invoice", "INV-POSTED").resync

    assert pending.action is None and pending.command is None and pending.label == "none"
    assert "already synchronizing (claimed by run-2 until" in pending.reason
    assert "neither Synchronize nor Force synchronize" in pending.reason
    assert "the claim expired" in expired.reason and "intacct_post_transactions recovers it" in expired.reason
    assert posted.action is None and posted.reason.startswith("Already synchronized")


def test_an_expired_master_claim_is_left_to_the_next_master_data_run(ledger):
    ledger.observe("vendor", "V-STUCK", "v1")
    ledger.claim("vendor", ["V-STUCK"], run_id="run-9", worker="test", strict=True)

    hint = object_detail(ledger, "vendor", "V-STUCK", now=utcnow() + timedelta(hours=1)).resync

    assert hint.action is None and "the claim expired" in hint.reason
    assert "The next run of intacct_master_data recovers it with the same controlid" in hint.reason


def test_a_key_the_resync_dag_would_trim_gets_no_command(ledger):
    ledger.observe("customer", " C-SPACED ", "v1")

    hint = object_detail(ledger, "customer", " C-SPACED ").resync

    assert hint.action is None and hint.command is None and "leading or trailing spaces" in hint.reason


def test_object_paths_quote_the_key_as_one_segment_and_dot_keys_go_in_the_query():
    assert object_path("ar_invoice", "INV-1") == "object/ar_invoice/INV-1"
    assert object_path("ar_invoice", "A/B?c#d %") == "object/ar_invoice/A%2FB%3Fc%23d%20%25"
    assert object_path("ar_invoice", "..") == "object/ar_invoice?key=.."
    assert object_path("ar_invoice", ".") == "object/ar_invoice?key=."


def test_the_objects_tab_escapes_keys_and_quotes_them_in_links(ledger, settings):
    _fill(ledger)

    html = render_objects_page(objects_listing(ObjectFilters(), settings))

    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;/&amp;?#%2F&quot;ü" in html
    quoted = "object/ar_invoice/INV-%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E%2F%26%3F%23%252F%22%C3%BC"
    assert f"<a href='{quoted}'>" in html and f"<a href='{quoted}#resync'>Force synchronize</a>" in html
    assert "<a href='object/ar_invoice/INV-NEW#resync'>Synchronize</a>" in html
    assert "title='Pending: already synchronizing" in html  # the reason no action applies
    assert "<td class='mono'><span title='v2-abcdef0123456789'>v2-abcdef012…</span></td><td>1002</td>" in html
    assert "held: closed_period (2026-09)" in html and "<option value='master'>Master data</option>" in html


def test_the_objects_tab_links_keep_the_filters(ledger, settings):
    _fill(ledger)

    second = render_objects_page(objects_listing(ObjectFilters(key="INV-", key_match="prefix", page=2,
                                                               page_size=2), settings))
    first = render_objects_page(objects_listing(ObjectFilters(page=2), settings))

    assert "href='?key=INV-&amp;key_match=prefix&amp;page_size=2'>&larr; newer" in second
    assert "href='api/objects?key=INV-&amp;key_match=prefix&amp;page=2&amp;page_size=2'" in second
    assert "<input type='hidden' name='page_size' value='2'>" in second
    assert "href='objects'>&larr; newer" in first


def test_the_object_page_shows_history_fix_and_command_everything_escaped(ledger, settings):
    _fill(ledger)

    html = render_object_page(find_object("ar_invoice", HOSTILE_KEY, settings))

    assert "<script>" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &#x27;quoted&#x27;" in html  # the last message
    assert ERROR_CLASSES[ErrorClass.PAYMENT_TERM].person_does.replace(">", "&gt;") in html
    assert "<td>failed</td><td>pending &rarr; error</td>" in html
    assert "<pre>airflow dags trigger intacct_resync --conf &#x27;{&quot;object_type&quot;" in html
    assert "<a class='ui-link' href='../../../dags/intacct_resync' target='_top'>" in html
    assert "<a href='../../objects'>objects</a>" in html
    assert "href='../../api/object/ar_invoice/INV-%3Cscript%3E" in html
    dot = render_object_page(find_object("ar_invoice", "INV-NEW", settings), root="../")
    assert "<a class='ui-link' href='../../dags/intacct_resync' target='_top'>" in dot


def test_the_overview_links_keys_to_their_page_and_counts_to_the_objects_tab(ledger, settings):
    _fill(ledger)

    html = render_page(status_summary(settings=settings))

    assert "<td><a href='object/customer/C-1'>C-1</a></td>" in html and "<a href='./objects'>objects</a>" in html
    assert "<td class='n'><a href='objects?object_type=ap_bill&amp;status=pending'>1</a></td>" in html


def test_the_json_twins_carry_the_same_content(ledger, settings):
    _fill(ledger)

    listing = json.loads(json.dumps(objects_to_json(objects_listing(ObjectFilters(status="error"), settings))))
    detail = json.loads(json.dumps(detail_to_json(find_object("customer", "C-1", settings))))

    assert listing["total"] == 3 and listing["filters"]["status"] == "error"
    customer = next(o for o in listing["objects"] if o["key"] == "C-1")
    assert customer["detail_path"] == "object/customer/C-1" and customer["resync"]["action"] == "force_synchronize"
    assert customer["resync"]["dag_ui_path"] == "dags/intacct_resync"
    assert detail["object"]["status"] == "error" and detail["object"]["error_class"] == "invalid_reference"
    assert detail["remediation"] == ERROR_CLASSES[ErrorClass.INVALID_REFERENCE].person_does
    assert [ev["kind"] for ev in detail["events"]] == ["observed", "claimed", "failed"]
    assert detail["resync"]["conf"] == {"object_type": "customer", "action": "force_synchronize", "keys": ["C-1"]}


def test_before_the_first_migration_the_tab_says_so_and_no_object_is_found(tmp_path):
    settings = load_settings({"INTEGRATION_DATA_DIR": str(tmp_path / "fresh")})

    listing = objects_listing(settings=settings)

    assert listing.ledger_ready is False and "no tables yet" in render_objects_page(listing)
    assert objects_to_json(listing)["objects"] == []
    assert find_object("ar_invoice", "INV-1", settings) is None
    assert not (tmp_path / "fresh" / "integration.db").exists()


def test_dimension_objects_have_the_master_category_and_their_own_type_filter(ledger, settings):
    ledger.observe("dimension", "CHANNEL", "v1", category="master")
    ledger.observe("ar_invoice", "INV-1", "v1")

    masters = list_objects(ledger, parse_object_filters(category="master"))
    dimensions = list_objects(ledger, parse_object_filters(object_type="dimension"))
    html = render_objects_page(objects_listing(parse_object_filters(category="master"), settings))

    assert [line.row.key for line in masters.lines] == ["CHANNEL"] == [line.row.key for line in dimensions.lines]
    assert "<td>dimension</td><td>Master data</td>" in html and "<option value='dimension'>" in html
    with pytest.raises(ValueError, match="'dimension' is master data, not category 'finance'"):
        parse_object_filters(category="finance", object_type="dimension")
