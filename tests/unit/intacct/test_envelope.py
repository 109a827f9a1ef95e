"""Building request envelopes: escaping, element order, uniqueid, transaction, input checks."""

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from include.intacct.functions import (
    Create,
    CreateApTerm,
    CreateBill,
    CreateInvoice,
    Delete,
    GetAPISession,
    Query,
    Read,
    ReadByName,
    ReadByQuery,
    ReadMore,
    Update,
)
from include.intacct.query_filter import Filter
from include.intacct.xml import build_request

NASTY = "Bäcker & Söhne <GmbH> \"quoted\" 'single' 東京"


def build(functions, **kwargs):
    kwargs.setdefault("session_id", "SESSION")
    body = build_request(sender_id="sender", sender_password="sender-pw", request_controlid="req-1",
                         functions=functions, **kwargs)
    return body, etree.fromstring(body)


def test_special_characters_and_non_ascii_round_trip_in_every_field():
    body, root = build([Create({"CUSTOMER": {"CUSTOMERID": NASTY, "NAME": NASTY}}, controlid=NASTY)],
                       session_id=NASTY)
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert root.findtext("operation/authentication/sessionid") == NASTY
    function = root.find("operation/content/function")
    assert function.get("controlid") == NASTY
    assert function.findtext("create/CUSTOMER/CUSTOMERID") == NASTY
    assert function.findtext("create/CUSTOMER/NAME") == NASTY


def test_control_block_has_sender_and_dtd_version_in_schema_order():
    _, root = build([ReadByQuery("VENDOR")])
    assert [child.tag for child in root.find("control")] == [
        "senderid", "password", "controlid", "uniqueid", "dtdversion", "includewhitespace",
    ]
    assert root.findtext("control/dtdversion") == "3.0"


def test_uniqueid_true_for_writes_and_false_for_reads():
    _, write_root = build([Delete("CLASS", ["5"], controlid="d1")], unique_id=True)
    _, read_root = build([ReadByQuery("CLASS")])
    assert write_root.findtext("control/uniqueid") == "true"
    assert read_root.findtext("control/uniqueid") == "false"


def test_transaction_attribute_only_when_requested():
    _, with_tx = build([Delete("CLASS", ["5"], controlid="d1")], transaction=True)
    _, without = build([Delete("CLASS", ["5"], controlid="d1")])
    assert with_tx.find("operation").get("transaction") == "true"
    assert without.find("operation").get("transaction") is None


def test_login_authentication_with_entity_location():
    _, root = build([GetAPISession("E100")], session_id=None,
                    login={"userid": "u", "companyid": "C", "password": "pw", "locationid": "E100"})
    assert [c.tag for c in root.find("operation/authentication/login")] == ["userid", "companyid", "password", "locationid"]
    assert root.findtext("operation/content/function/getAPISession/locationid") == "E100"


def test_generic_record_dict_keeps_insertion_order_repeats_lists_and_formats_values():
    record = {"APBILL": {
        "VENDORID": "V1", "WHENCREATED": date(2024, 5, 1), "ONHOLD": False, "DESCRIPTION": None,
        "APBILLITEMS": {"APBILLITEM": [{"TRX_AMOUNT": Decimal("100.10"), "ACCOUNTNO": 6220}, {"TRX_AMOUNT": 2.5}]},
    }}
    _, root = build([Create(record, controlid="bill-V1-1-v1")])
    bill = root.find("operation/content/function/create/APBILL")
    assert [c.tag for c in bill] == ["VENDORID", "WHENCREATED", "ONHOLD", "APBILLITEMS"]
    assert bill.findtext("WHENCREATED") == "05/01/2024"
    assert bill.findtext("ONHOLD") == "false"
    items = bill.findall("APBILLITEMS/APBILLITEM")
    assert [i.findtext("TRX_AMOUNT") for i in items] == ["100.10", "2.5"]
    assert [c.tag for c in items[0]] == ["TRX_AMOUNT", "ACCOUNTNO"]


def test_legacy_create_invoice_writes_date_blocks_in_schema_order_whatever_the_dict_order():
    invoice = CreateInvoice({
        "invoiceitems": {"lineitem": [{"glaccountno": "4000", "amount": Decimal("76343.43")}]},
        "termname": "N30", "datecreated": date(2015, 6, 30), "customerid": "CUSTOMER1",
    }, controlid="inv-1")
    _, root = build([invoice])
    element = root.find("operation/content/function/create_invoice")
    assert [c.tag for c in element] == ["customerid", "datecreated", "termname", "invoiceitems"]
    assert [(c.tag, c.text) for c in element.find("datecreated")] == [("year", "2015"), ("month", "06"), ("day", "30")]


def test_legacy_create_bill_requires_term_or_due_date_and_rejects_unknown_fields():
    fields = {"vendorid": "V1", "datecreated": date(2024, 1, 2), "billitems": {"lineitem": [{"amount": 1}]}}
    with pytest.raises(ValueError, match="create_bill bill-1: termname or datedue is required"):
        CreateBill(fields, controlid="bill-1")
    with pytest.raises(ValueError, match="unknown field.*VENDORID"):
        CreateBill({**fields, "VENDORID": "x", "termname": "N30"}, controlid="bill-1")
    with pytest.raises(ValueError, match="missing required field.*vendorid"):
        CreateBill({"datecreated": date(2024, 1, 2), "termname": "N30", "billitems": {}}, controlid="bill-1")


def test_query_writes_filter_tree_order_and_page_size():
    query = Query("APBILL", ["RECORDNO", "VENDORID"],
                  Filter.equalto("STATE", "Posted") & Filter.greaterthan("RECORDNO", 5) & Filter.in_("VENDORID", ["V1", "V2"]),
                  order_by=["RECORDNO", "-WHENMODIFIED"], page_size=2000, offset=4000)
    _, root = build([query])
    element = root.find("operation/content/function/query")
    and_element = element.find("filter/and")
    assert [c.tag for c in and_element] == ["equalto", "greaterthan", "in"]
    assert [v.text for v in and_element.findall("in/value")] == ["V1", "V2"]
    orders = element.findall("orderby/order")
    assert [(o.findtext("field"), o[1].tag) for o in orders] == [("RECORDNO", "ascending"), ("WHENMODIFIED", "descending")]
    assert (element.findtext("pagesize"), element.findtext("offset")) == ("2000", "4000")


def test_or_of_ands_nests_and_flattens_same_operator():
    tree = (Filter.equalto("A", 1) & Filter.equalto("B", 2)) | Filter.isnull("C") | Filter.isnotnull("D")
    parent = etree.Element("filter")
    tree.write(parent)
    assert [c.tag for c in parent.find("or")] == ["and", "isnull", "isnotnull"]


def test_read_by_query_escapes_query_text():
    _, root = build([ReadByQuery("VENDOR", "NAME = 'Erin\\'s & Co' AND RECORDNO < 5", ["RECORDNO", "NAME"], 1000)])
    element = root.find("operation/content/function/readByQuery")
    assert element.findtext("query") == "NAME = 'Erin\\'s & Co' AND RECORDNO < 5"
    assert element.findtext("fields") == "RECORDNO,NAME"


def test_read_more_and_read_by_name_shapes():
    _, root = build([ReadMore("abc"), ReadByName("GLACCOUNT", ["1010", "1020"])])
    functions = root.findall("operation/content/function")
    assert functions[0].findtext("readMore/resultId") == "abc"
    assert functions[1].findtext("readByName/keys") == "1010,1020"


def test_update_and_delete_shapes():
    _, root = build([Update({"APBILL": {"RECORDNO": 3430, "SUPDOCID": "A1"}}, controlid="u1"),
                     Delete("CLASS", ["5", "6"], controlid="d1")])
    functions = root.findall("operation/content/function")
    assert functions[0].findtext("update/APBILL/RECORDNO") == "3430"
    assert functions[1].findtext("delete/keys") == "5,6"


@pytest.mark.parametrize("object_name", [None, 42, b"VENDOR", ["VENDOR"]])
def test_object_name_that_is_not_a_string_fails_fast(object_name):
    with pytest.raises(TypeError, match="object name must be a string"):
        ReadByQuery(object_name)


def test_read_by_query_page_size_over_1000_fails_fast():
    with pytest.raises(ValueError, match="page size must be an integer from 1 to 1000, got 1001"):
        ReadByQuery("VENDOR", page_size=1001)


def test_query_page_size_over_2000_fails_fast():
    with pytest.raises(ValueError, match="page size must be an integer from 1 to 2000, got 2001"):
        Query("VENDOR", ["RECORDNO"], page_size=2001)


def test_query_without_select_fields_fails_fast():
    with pytest.raises(ValueError, match="select must list field names"):
        Query("VENDOR", ["*"])


def test_more_than_100_keys_in_one_read_fails_fast():
    with pytest.raises(ValueError, match="101 keys in one call; Intacct allows at most 100"):
        Read("VENDOR", range(101))


def test_controlid_longer_than_256_characters_fails_fast():
    with pytest.raises(ValueError, match="is 257 characters; Intacct allows at most 256"):
        Create({"CLASS": {"CLASSID": "C1"}}, controlid="x" * 257)


def test_write_without_controlid_fails_fast():
    with pytest.raises(ValueError, match="deterministic controlid"):
        Create({"CLASS": {"CLASSID": "C1"}}, controlid=None)


def test_record_with_unsupported_value_type_names_the_field():
    with pytest.raises(TypeError, match=r"create c1\.CLASS\.NAME: unsupported value type object"):
        build([Create({"CLASS": {"NAME": object()}}, controlid="c1")])


def test_record_that_is_not_a_dict_fails_fast():
    with pytest.raises(TypeError, match="records must be a non-empty dict"):
        Create([{"CLASSID": "C1"}], controlid="c1")


def test_floats_are_written_as_plain_digits_and_non_finite_values_are_refused():
    _, root = build([Create({"GLENTRY": {"A": 1e-05, "B": 2.5, "C": 1e16}}, controlid="c1")])
    entry = root.find("operation/content/function/create/GLENTRY")
    assert [entry.findtext(t) for t in "ABC"] == ["0.00001", "2.5", "10000000000000000"]
    with pytest.raises(ValueError, match=r"create c1\.GLENTRY\.A: nan is not a number"):
        build([Create({"GLENTRY": {"A": float("nan")}}, controlid="c1")])


def test_legacy_term_creation_writes_schema_order():
    term = CreateApTerm({"due": {"dueday": 17, "duefrom": "from bill date"}, "name": "Net 17", "status": "active"},
                        controlid="apterm-Net 17")
    _, root = build([term])
    element = root.find("operation/content/function/create_apterm")
    assert [c.tag for c in element] == ["name", "status", "due"]
    assert element.findtext("due/dueday") == "17"
