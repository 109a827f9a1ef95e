"""Parsing every response shape in the protocol reference."""

from datetime import UTC, datetime

import pytest

from include.intacct.errors import ResponseFormatError
from include.intacct.xml import parse_response
from tests.unit.intacct import gateway_responses as r


def test_get_api_session_success_gives_session_id_and_endpoint():
    response = parse_response(r.GET_API_SESSION_SUCCESS)
    assert response.control.status == "success"
    assert response.authentication.status == "success"
    assert response.authentication.userid == "fakeuser"
    result = response.result_for("testControlId")
    assert result.ok and result.function == "getAPISession"
    assert result.records == [
        {"sessionid": "fAkESesSiOnId..", "endpoint": "https://api.intacct.com/ia/xml/xmlgw.phtml", "locationid": ""}
    ]


def test_control_failure_carries_error_line_with_support_id_decoded_and_stripped():
    response = parse_response(r.CONTROL_PARSE_FAILURE)
    assert response.control.status == "failure"
    assert response.authentication is None and response.results == []
    [error] = response.control_errors
    assert error.errorno == "XL03000003"
    assert error.description2.endswith("Line: 19, column: 18.")
    assert "Support ID" not in error.description2
    assert error.support_id == "p5rxS~YxEXrDEnVyr0F531W8X9bQAAACQ"


def test_gateway_failure_without_senderid_or_controlid_parses():
    response = parse_response(r.GATEWAY_INVALID_REQUEST)
    assert response.control.status == "failure" and response.control.senderid == ""
    assert response.control_errors[0].errorno == "GW-0011"


def test_authentication_failure_has_operation_errors_and_no_results():
    response = parse_response(r.AUTHENTICATION_FAILURE)
    assert response.control.status == "success"
    assert response.authentication.status == "failure"
    assert response.results == []
    [error] = response.authentication_errors
    assert error.description2 == (
        "The sender ID 'test_sender_id' is not authorized to make Web Services requests to company ID "
        "'test_company_id'."
    )
    assert error.correction.startswith("Contact the company administrator")


def test_function_failure_result_keeps_its_error_lines():
    result = parse_response(r.envelope(r.FUNCTION_FAILURE)).results[0]
    assert result.status == "failure" and not result.ok
    assert result.errors[0].errorno == "Query Failed"
    assert result.errors[0].description2 == "Object definition BADOBJECT not found"


def test_aborted_result_carries_cause_and_rollback_lines():
    result = parse_response(r.envelope(r.ABORTED)).results[0]
    assert result.status == "aborted"
    assert [e.errorno for e in result.errors] == ["Query Failed", "XL03000009"]


def test_business_error_lists_cause_before_generic_line_and_ignores_additional_info():
    result = parse_response(r.envelope(r.BUSINESS_ERROR_WITH_ADDITIONAL_INFO)).results[0]
    assert result.records == [] and result.count == 0
    assert [e.description2 for e in result.errors] == [
        "The account number '5000.11' already exists",
        "Could not create GL Account record.",
    ]
    assert result.errors[0].support_id == "EsppO~ZEcj0DEGV_L5hm95Ec91twAAABA"


def test_empty_result_is_an_empty_list_with_zero_counts():
    result = parse_response(r.envelope(r.READ_BY_QUERY_EMPTY)).results[0]
    assert result.records == []
    assert (result.count, result.total_count, result.num_remaining, result.result_id) == (0, 0, 0, "")


def test_one_record_result_is_still_a_list_and_empty_fields_are_empty_strings():
    result = parse_response(r.envelope(r.READ_BY_QUERY_ONE_RECORD)).results[0]
    assert result.records == [{"RECORDNO": "1", "ACCOUNTNO": "1010", "TITLE": "Cash & Equivalents", "CATEGORY": ""}]
    assert result.list_type == "glaccount" and result.record_tags == ["glaccount"]


def test_read_by_query_first_page_and_read_more_last_page_attributes():
    first = parse_response(r.envelope(r.READ_BY_QUERY_FIRST_PAGE)).results[0]
    last = parse_response(r.envelope(r.READ_MORE_LAST_PAGE)).results[0]
    assert (first.total_count, first.num_remaining, first.result_id) == (2, 1, "7765623330Vqb8pMCoA4IAAEnuglgAAAAL5")
    assert (last.function, last.num_remaining, last.result_id) == ("readMore", 0, first.result_id)
    assert last.records == [{"RECORDNO": "2", "ACCOUNTNO": "1020"}]


def test_query_result_keeps_dotted_field_names_and_offset():
    result = parse_response(r.envelope(r.QUERY_TWO_RECORDS)).results[0]
    assert result.offset == 0 and result.total_count == 2
    assert [rec["RECORDNO"] for rec in result.records] == ["10", "11"]
    assert result.records[0]["JOURNAL.SYMBOL"] == "APJ"


def test_repeated_nested_elements_become_lists():
    record = parse_response(r.envelope(r.READ_WITH_NESTED_LINES)).results[0].records[0]
    assert record["ARINVOICEITEMS"] == {"arinvoiceitem": [{"LINE_NO": "1"}, {"LINE_NO": "2"}]}


def test_generic_create_returns_objects_list_with_recordno():
    result = parse_response(r.envelope(r.CREATE_OBJECTS)).results[0]
    assert result.list_type == "objects" and result.record_tags == ["apbill"]
    assert result.records[0]["RECORDNO"] == "3430"


def test_legacy_create_returns_key_without_data():
    result = parse_response(r.envelope(r.LEGACY_KEY)).results[0]
    assert result.key == "C1234" and result.records == []


def test_delete_success_has_no_data():
    result = parse_response(r.envelope(r.DELETE_SUCCESS)).results[0]
    assert result.ok and result.records == [] and result.key is None


def test_session_timeout_is_read_from_every_authentication_block():
    response = parse_response(r.envelope(r.DELETE_SUCCESS, session_timeout="2023-04-25T03:00:25+00:00"))
    assert response.authentication.session_timeout == datetime(2023, 4, 25, 3, 0, 25, tzinfo=UTC)


def test_results_are_found_by_controlid_not_position():
    response = parse_response(r.envelope(r.LEGACY_KEY, r.CREATE_OBJECTS))
    assert response.result_for("bill-1").records[0]["RECORDNO"] == "3430"
    assert response.result_for("inv-1").key == "C1234"
    assert response.result_for("absent") is None


def test_html_page_is_not_a_response():
    with pytest.raises(ResponseFormatError, match="expected <response>") as raised:
        parse_response(r.HTML_ERROR_PAGE, http_status=502)
    assert raised.value.http_status == 502


def test_an_answer_declaring_entities_is_refused_never_read_as_empty_values():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<response><control><status>&xxe;</status></control></response>"
    )
    with pytest.raises(ResponseFormatError, match="declares a DTD") as raised:
        parse_response(body, http_status=200)
    assert "root:" not in str(raised.value)  # nothing was read from the file
    assert "<!DOCTYPE response" in raised.value.snippet and raised.value.http_status == 200


def test_wrong_root_element_fails_with_clear_message():
    with pytest.raises(ResponseFormatError, match="expected <response>"):
        parse_response(b"<html/>")


def test_result_without_controlid_is_rejected():
    body = r.envelope(b"<result><status>success</status><function>read</function></result>")
    with pytest.raises(ResponseFormatError, match="missing its status or controlid"):
        parse_response(body)


def test_malformed_xml_fails_with_clear_message():
    with pytest.raises(ResponseFormatError, match="not well-formed XML"):
        parse_response(b"<response><control>")
