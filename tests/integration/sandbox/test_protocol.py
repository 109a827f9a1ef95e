"""The gateway protocol: envelopes, authentication, sessions, and the shape of every
function's response, compared element by element with the reference (sections 1-3)."""

import re

from include import demo_company as demo
from tests.integration.sandbox.raw_gateway import (
    call,
    children,
    envelope,
    fn,
    login_xml,
    post,
    session,
)

ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def test_get_api_session_answers_with_the_reference_envelope_and_the_login_url_as_endpoint(sandbox):
    reply = post(sandbox.url, envelope(fn("<getAPISession/>", "testControlId"), controlid="ControlIdHere"))
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/xml")
    root = reply.root
    assert children(root) == ["control", "operation"]
    control = root.find("control")
    assert children(control) == ["status", "senderid", "controlid", "uniqueid", "dtdversion"]
    assert [c.text for c in control] == ["success", demo.SANDBOX_SENDER_ID, "ControlIdHere", "false", "3.0"]
    auth = root.find("operation/authentication")
    assert children(auth) == ["status", "userid", "companyid", "locationid", "sessiontimestamp", "sessiontimeout"]
    assert auth.findtext("status") == "success" and auth.findtext("userid") == demo.SANDBOX_USER_ID
    assert auth.findtext("companyid") == "DEMO" and auth.findtext("locationid") == ""
    assert ISO_MOMENT.match(auth.findtext("sessiontimestamp")) and ISO_MOMENT.match(auth.findtext("sessiontimeout"))
    result = reply.result()
    assert children(result) == ["status", "function", "controlid", "data"]
    assert [result.findtext(t) for t in ("status", "function", "controlid")] == [
        "success", "getAPISession", "testControlId"]
    api = result.find("data/api")
    assert children(api) == ["sessionid", "endpoint", "locationid"]
    assert len(api.findtext("sessionid")) >= 24
    # Sage's SDK fixtures answer getAPISession with the login URL itself (reference section 1.7).
    assert api.findtext("endpoint") == sandbox.url


def test_session_ids_are_opaque_and_different_for_every_sign_in(sandbox):
    first, _ = session(sandbox)
    second, _ = session(sandbox)
    assert first != second
    assert "DEMO" not in first and demo.SANDBOX_USER_ID not in first


def test_session_id_works_on_the_main_gateway_url_as_production_clients_send_it(sandbox):
    session_id, endpoint = session(sandbox)
    assert endpoint == sandbox.url
    ok = post(sandbox.url, envelope(fn("<getFinancialSetup/>"), auth=f"<sessionid>{session_id}</sessionid>"))
    assert ok.root.findtext("operation/authentication/status") == "success"
    assert ok.result().findtext("status") == "success"


def test_unknown_session_fails_authentication_with_invalid_session_and_runs_nothing(sandbox):
    _, endpoint = session(sandbox)
    reply = post(endpoint, envelope(fn(
        "<create><CLASS><CLASSID>NEW</CLASSID><NAME>New</NAME></CLASS></create>"), auth="<sessionid>nope</sessionid>"))
    operation = reply.root.find("operation")
    assert children(operation) == ["authentication", "errormessage"]
    assert operation.findtext("authentication/status") == "failure"
    assert operation.findtext("errormessage/error/errorno") == "XL03000006"
    assert operation.findtext("errormessage/error/description2") == "Invalid session"
    assert not [r for r in sandbox.admin.posted()]


def test_session_timeout_slides_with_every_call_and_expires_after_an_idle_hour(sandbox):
    session_id, endpoint = session(sandbox)
    request = envelope(fn("<getFinancialSetup/>"), auth=f"<sessionid>{session_id}</sessionid>")
    sandbox.admin.advance_clock(50 * 60)
    assert post(endpoint, request).root.findtext("operation/authentication/status") == "success"
    sandbox.admin.advance_clock(50 * 60)  # 100 minutes after sign-in, 50 after the last call
    assert post(endpoint, request).root.findtext("operation/authentication/status") == "success"
    sandbox.admin.advance_clock(61 * 60)
    expired = post(endpoint, request).root
    assert expired.findtext("operation/authentication/status") == "failure"
    assert expired.findtext("operation/errormessage/error/description2") == "Invalid session"


def test_admin_can_expire_every_session(sandbox):
    session_id, endpoint = session(sandbox)
    assert sandbox.admin.expire_sessions() >= 1
    reply = post(endpoint, envelope(fn("<getFinancialSetup/>"), auth=f"<sessionid>{session_id}</sessionid>"))
    assert reply.root.findtext("operation/errormessage/error/errorno") == "XL03000006"


def test_malformed_xml_is_a_control_failure_xl03000003(sandbox):
    reply = post(sandbox.url, "<request><control><senderid>x</senderid></request>")
    root = reply.root
    assert children(root) == ["control", "errormessage"]
    assert root.findtext("control/status") == "failure"
    assert root.findtext("errormessage/error/errorno") == "XL03000003"
    assert root.findtext("errormessage/error/description2").startswith("XML Parse schema error: ")


def test_wrong_sender_password_is_a_control_failure_naming_the_partner_id(sandbox):
    reply = call(sandbox, fn("<getAPISession/>"), sender_password="wrong")
    root = reply.root
    assert root.findtext("control/status") == "failure"
    assert root.findtext("control/senderid") == demo.SANDBOX_SENDER_ID
    assert root.find("operation") is None
    error = root.find("errormessage/error")
    assert [error.findtext(t) for t in ("errorno", "description2")] == [
        "XL03000006", "Incorrect Intacct XML Partner ID or password."]
    assert "wrong" not in reply.text


def test_sender_not_authorized_for_the_company_fails_authentication_with_the_faq_text(sandbox):
    reply = call(sandbox, fn("<getAPISession/>"), sender="other_sender")
    operation = reply.root.find("operation")
    assert operation.findtext("authentication/status") == "failure"
    assert operation.findtext("authentication/companyid") == "DEMO"
    error = operation.find("errormessage/error")
    assert error.findtext("errorno") == "XL03000006"
    assert error.findtext("description") == "Invalid Web Services Authorization"
    assert error.findtext("description2") == ("The sender ID 'other_sender' is not authorized to make Web Services "
                                              "requests to company ID 'DEMO'.")
    assert error.findtext("correction") == (
        "Contact the company administrator to grant Web Services authorization to this sender ID.")
    # The second sender is authorized for the multi-entity company.
    other = call(sandbox, fn("<getAPISession/>"), sender="other_sender", auth=login_xml("DEMO-ME"))
    assert other.root.findtext("operation/authentication/status") == "success"


def test_wrong_user_password_fails_authentication_with_sign_in_incorrect(sandbox):
    reply = call(sandbox, fn("<getAPISession/>"), auth=login_xml(password="nope"))
    error = reply.root.find("operation/errormessage/error")
    assert error.findtext("errorno") == "XL03000006"
    assert error.findtext("description") == "Sign-in information is incorrect"
    assert "nope" not in reply.text


def test_read_by_query_returns_lowercase_records_and_pages_with_read_more(sandbox):
    query = ("<readByQuery><object>CUSTOMER</object><query>CUSTOMERID like 'C-100%'</query>"
             "<fields>CUSTOMERID,NAME</fields><pagesize>4</pagesize></readByQuery>")
    data = call(sandbox, fn(query)).result().find("data")
    assert data.get("listtype") == "customer"
    assert [data.get(a) for a in ("count", "totalcount", "numremaining")] == ["4", "9", "5"]
    result_id = data.get("resultId")
    assert result_id
    assert children(data) == ["customer"] * 4 and children(data[0]) == ["CUSTOMERID", "NAME"]
    more = fn(f"<readMore><resultId>{result_id}</resultId></readMore>")
    second = call(sandbox, more).result().find("data")
    assert [second.get(a) for a in ("count", "numremaining", "resultId")] == ["4", "1", result_id]
    last = call(sandbox, more).result().find("data")
    assert [last.get(a) for a in ("count", "numremaining")] == ["1", "0"]
    ids = [r.findtext("CUSTOMERID") for d in (data, second, last) for r in d]
    assert ids == [f"C-{1001 + n}" for n in range(9)]
    # The last page invalidated the result set.
    gone = call(sandbox, more)
    assert gone.result().findtext("status") == "failure"
    assert gone.errors() == [("readMore failed",
                              f"Attempt to readMore with an invalid or expired resultId: {result_id}")]


def test_read_more_with_an_expired_result_id_fails_with_the_reference_text(sandbox):
    sandbox.admin.update_settings(result_ttl_seconds=60)
    query = "<readByQuery><object>VENDOR</object><query></query><pagesize>10</pagesize></readByQuery>"
    result_id = call(sandbox, fn(query)).result().find("data").get("resultId")
    sandbox.admin.advance_clock(61)
    reply = call(sandbox, fn(f"<readMore><resultId>{result_id}</resultId></readMore>", "readMore"))
    result = reply.result()
    assert children(result) == ["status", "function", "controlid", "errormessage"]
    assert reply.errors() == [("readMore failed", f"Attempt to readMore with an invalid or expired resultId: "
                                                  f"{result_id}")]


def test_empty_read_by_query_result_has_the_reference_empty_shape(sandbox):
    reply = call(sandbox, fn("<readByQuery><object>DEPARTMENT</object><query>DEPARTMENTID = 'NONE'</query>"
                             "</readByQuery>"))
    data = reply.result().find("data")
    assert dict(data.attrib) == {"listtype": "department", "count": "0", "totalcount": "0", "numremaining": "0",
                                 "resultId": ""}
    assert len(data) == 0


def test_read_by_query_nests_related_fields_and_returns_all_fields_for_star(sandbox):
    reply = call(sandbox, fn("<readByQuery><object>CUSTOMER</object><query>CUSTOMERID = 'C-1001'</query>"
                             "<fields>*</fields></readByQuery>"))
    customer = reply.result().find("data/customer")
    for name in ("RECORDNO", "CUSTOMERID", "NAME", "STATUS", "TERMNAME", "WHENCREATED", "WHENMODIFIED",
                 "MEGAENTITYID", "RECORD_URL"):
        assert customer.find(name) is not None, name
    assert customer.findtext("DISPLAYCONTACT/EMAIL1") == "ap@apexsupply.example"
    assert re.match(r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$", customer.findtext("WHENMODIFIED"))


def test_query_returns_uppercase_records_with_dotted_related_fields_and_paging_attributes(sandbox):
    body = ("<query><object>CUSTOMER</object><select><field>CUSTOMERID</field><field>DISPLAYCONTACT.EMAIL1</field>"
            "<field>PARENTID</field></select><filter><and><like><field>CUSTOMERID</field><value>C-10%</value></like>"
            "<equalto><field>STATUS</field><value>active</value></equalto></and></filter>"
            "<orderby><order><field>CUSTOMERID</field><descending/></order></orderby>"
            "<pagesize>5</pagesize><offset>5</offset></query>")
    data = call(sandbox, fn(body)).result().find("data")
    assert data.get("listtype") == "CUSTOMER"
    assert [data.get(a) for a in ("totalcount", "offset", "count", "numremaining")] == ["97", "5", "5", "87"]
    first = data[0]
    assert first.tag == "CUSTOMER"
    assert children(first) == ["CUSTOMERID", "DISPLAYCONTACT.EMAIL1", "PARENTID"]
    assert first.findtext("PARENTID") == ""  # a real field with no value comes back empty
    assert [r.findtext("CUSTOMERID") for r in data] == ["C-1094", "C-1093", "C-1092", "C-1091", "C-1090"]


def test_query_requires_select_and_rejects_unknown_fields_and_oversized_pages(sandbox):
    no_select = call(sandbox, fn("<query><object>VENDOR</object><select/></query>"))
    assert no_select.result().findtext("status") == "failure"
    assert no_select.errors()[0][0] == "Query Failed"
    unknown = call(sandbox, fn("<query><object>VENDOR</object><select><field>NOPE</field></select></query>"))
    # Intacct's text (intacct/intacct-sdk-net#150): "The following fields cannot be queried: [ item: [BASEUOM] ]"
    assert unknown.errors() == [("XL03000006", "The following fields cannot be queried: [ vendor: [NOPE] ]")]
    big = call(sandbox, fn("<query><object>VENDOR</object><select><field>VENDORID</field></select>"
                           "<pagesize>2001</pagesize></query>"))
    assert big.result().findtext("status") == "failure"
    unknown_object = call(sandbox, fn("<readByQuery><object>BADOBJECT</object><query></query></readByQuery>"))
    assert unknown_object.errors() == [("Query Failed", "Object definition BADOBJECT not found")]


def test_query_is_case_sensitive_unless_the_caseinsensitive_option_is_set(sandbox):
    def count(options: str) -> str:
        body = (f"<query><object>ARTERM</object><select><field>NAME</field></select>{options}"
                "<filter><equalto><field>NAME</field><value>net 30</value></equalto></filter></query>")
        return call(sandbox, fn(body)).result().find("data").get("totalcount")

    assert count("") == "0"
    assert count("<options><caseinsensitive>true</caseinsensitive></options>") == "1"


def test_query_counts_with_an_aggregate(sandbox):
    body = ("<query><object>VENDOR</object><select><field>STATUS</field><count>RECORDNO</count></select>"
            "<orderby><order><field>STATUS</field></order></orderby></query>")
    rows = call(sandbox, fn(body)).result().find("data")
    assert [(r.findtext("STATUS"), r.findtext("COUNT.RECORDNO")) for r in rows] == [("active", "58"),
                                                                                  ("inactive", "2")]


def test_query_filters_by_when_modified_as_a_timestamp(sandbox):
    sandbox.admin.update_record("VENDOR", "V-2005", {"NAME": "Renamed Vendor"})
    sandbox.admin.advance_clock(5)
    changed = sandbox.admin.update_record("VENDOR", "V-2007", {"NAME": "Also Renamed"})
    body = ("<query><object>VENDOR</object><select><field>VENDORID</field><field>WHENMODIFIED</field></select>"
            f"<filter><greaterthanorequalto><field>WHENMODIFIED</field><value>{changed['WHENMODIFIED']}</value>"
            "</greaterthanorequalto></filter></query>")
    rows = call(sandbox, fn(body)).result().find("data")
    assert [r.findtext("VENDORID") for r in rows] == ["V-2007"]


def test_read_and_read_by_name_return_uppercase_records(sandbox):
    by_name = call(sandbox, fn("<readByName><object>GLACCOUNT</object><keys>6000,1000,9999</keys>"
                               "<fields>ACCOUNTNO,TITLE,REQUIREDEPT</fields></readByName>")).result().find("data")
    assert dict(by_name.attrib) == {"listtype": "GLACCOUNT", "count": "2"}
    assert children(by_name) == ["GLACCOUNT", "GLACCOUNT"]
    assert [(r.findtext("ACCOUNTNO"), r.findtext("REQUIREDEPT")) for r in by_name] == [("6000", "true"),
                                                                                    ("1000", "false")]
    recordno = by_name[0].findtext("RECORDNO") or call(sandbox, fn(
        "<readByName><object>GLACCOUNT</object><keys>6000</keys><fields>RECORDNO</fields></readByName>"
    )).result().findtext("data/GLACCOUNT/RECORDNO")
    read = call(sandbox, fn(f"<read><object>GLACCOUNT</object><keys>{recordno}</keys><fields>*</fields></read>"))
    assert read.result().findtext("data/GLACCOUNT/ACCOUNTNO") == "6000"


def test_lookup_lists_fields_and_relationships(sandbox):
    data = call(sandbox, fn("<lookup><object>GLBATCH</object></lookup>")).result().find("data")
    type_el = data.find("Type")
    assert type_el.get("Name") == "GLBATCH"
    field_ids = [f.findtext("ID") for f in type_el.findall("Fields/Field")]
    assert {"RECORDNO", "JOURNAL", "BATCH_DATE", "BATCH_TITLE", "WHENMODIFIED", "RECORD_URL"} <= set(field_ids)
    # As the docs' GLBATCH example: VALIDVALUES only on a field that has valid values (STATE, STATUS).
    assert children(type_el.find("Fields/Field")) == ["ID", "LABEL", "DESCRIPTION", "REQUIRED", "READONLY",
                                                      "DATATYPE", "ISCUSTOM"]
    status = next(f for f in type_el.findall("Fields/Field") if f.findtext("ID") == "STATUS")
    assert [v.text for v in status.findall("VALIDVALUES/VALIDVALUE")] == ["active", "inactive"]
    assert type_el.findtext("Relationships/Relationship/OBJECTPATH") == "JOURNAL"
    customer = call(sandbox, fn("<lookup><object>CUSTOMER</object></lookup>")).result()
    ids = [f.findtext("ID") for f in customer.findall("data/Type/Fields/Field")]
    assert {"DISPLAYCONTACT.EMAIL1", "MEGAENTITYID", "RECORD_URL"} <= set(ids)


def test_inspect_lists_objects_and_fields(sandbox):
    everything = call(sandbox, fn("<inspect><object>*</object></inspect>")).result().find("data")
    names = [t.get("typename") for t in everything.findall("type")]
    assert {"CUSTOMER", "APBILL", "GLBATCH", "REGION", "CHANNEL"} <= set(names)
    one = call(sandbox, fn('<inspect detail="1"><object>APBILL</object></inspect>')).result()
    assert one.find("data/Type").get("Name") == "APBILL"


def test_get_dimensions_lists_standard_and_user_defined_dimensions(sandbox):
    dims = call(sandbox, fn("<getDimensions/>")).result().findall("data/dimensions/dimension")
    by_name = {d.findtext("objectName"): d for d in dims}
    assert children(dims[0]) == ["objectName", "objectLabel", "termLabel", "userDefinedDimension", "enabledInGL"]
    assert by_name["DEPARTMENT"].findtext("userDefinedDimension") == "false"
    assert by_name["REGION"].findtext("userDefinedDimension") == "true"
    assert by_name["CHANNEL"].findtext("objectLabel") == "Sales Channel"


def test_get_closedbooksdate_and_get_financial_setup(sandbox):
    sandbox.admin.close_books("2026-08-31", module="GL")
    closed = call(sandbox, fn("<get_closedbooksdate/>")).result().find("data/closedbooksdate")
    assert [c.text for c in closed] == ["2026", "08", "31"] and children(closed) == ["year", "month", "day"]
    setup = call(sandbox, fn("<getFinancialSetup/>")).result().find("data/financialSetup")
    assert setup.findtext("baseCurrency") == "USD" and setup.findtext("multiEntityShared") == "false"


def test_reading_an_unpermitted_udd_fails_with_a_permission_error(sandbox):
    by_query = call(sandbox, fn("<readByQuery><object>CHANNEL</object><query></query></readByQuery>"))
    assert by_query.errors() == [("PL04000005", "You do not have permission for API operation READ_BY_QUERY on "
                                                "objects of type channel")]
    new_query = call(sandbox, fn("<query><object>CHANNEL</object><select><field>id</field></select></query>"))
    assert new_query.errors() == [("PL04000005", "You do not have permission for API operation QUERY on objects "
                                                 "of type channel")]
    sandbox.admin.grant_udd("CHANNEL")
    values = call(sandbox, fn("<readByQuery><object>CHANNEL</object><query></query><fields>id,name</fields>"
                              "</readByQuery>")).result().find("data")
    assert [(v.findtext("id"), v.findtext("name")) for v in values] == [
        ("20001", "Direct"), ("20002", "Distributor"), ("20003", "Online")]


def test_an_inactive_udd_cannot_return_values(sandbox):
    sandbox.admin.set_udd("REGION", status="inactive")
    reply = call(sandbox, fn("<readByQuery><object>REGION</object><query></query></readByQuery>"))
    assert reply.errors()[0][0] == "PL04000005"


def test_transaction_true_rolls_back_earlier_functions_and_aborts_later_ones(sandbox):
    functions = (fn("<create><CLASS><CLASSID>T1</CLASSID><NAME>One</NAME></CLASS></create>", "a")
                 + fn("<create><CLASS><CLASSID>RETAIL</CLASSID><NAME>Dup</NAME></CLASS></create>", "b")
                 + fn("<create><CLASS><CLASSID>T3</CLASSID><NAME>Three</NAME></CLASS></create>", "c"))
    reply = call(sandbox, functions, transaction=True)
    statuses = [(r.findtext("status"), r.findtext("controlid")) for r in reply.results()]
    assert statuses == [("aborted", "a"), ("failure", "b"), ("aborted", "c")]
    rolled_back = ("XL03000009", "The entire transaction in this operation has been rolled back due to an error.")
    assert reply.errors(0) == [rolled_back] and reply.errors(2) == [rolled_back]
    assert reply.errors(1) == [("BL34000061", "Another Class with the given value(s) RETAIL  already exists"),
                               ("BL01001973", "Could not create Class record!"), rolled_back]
    classes = call(sandbox, fn("<readByQuery><object>CLASS</object><query>CLASSID in ('T1','T3')</query>"
                               "</readByQuery>")).result().find("data")
    assert classes.get("count") == "0"


def test_without_transaction_each_function_succeeds_or_fails_on_its_own(sandbox):
    functions = (fn("<create><CLASS><CLASSID>T1</CLASSID><NAME>One</NAME></CLASS></create>", "a")
                 + fn("<create><CLASS><CLASSID>RETAIL</CLASSID><NAME>Dup</NAME></CLASS></create>", "b"))
    reply = call(sandbox, functions)
    assert [r.findtext("status") for r in reply.results()] == ["success", "failure"]
    assert reply.result(1).find("data").get("count") == "0"


def test_multi_entity_login_with_locationid_gives_an_entity_level_session(sandbox):
    session_id, endpoint = session(sandbox, "DEMO-ME", entity="E200")
    reply = post(endpoint, envelope(fn("<getFinancialSetup/>"), auth=f"<sessionid>{session_id}</sessionid>"))
    auth = reply.root.find("operation/authentication")
    assert auth.findtext("companyid") == "DEMO-ME" and auth.findtext("locationid") == "E200"
    assert reply.result().findtext("data/financialSetup/multiEntityShared") == "true"
    bad = call(sandbox, fn("<getAPISession/>"), auth=login_xml("DEMO-ME", entity="E999"))
    assert bad.root.findtext("operation/authentication/status") == "failure"


def test_get_api_session_for_an_unknown_entity_fails(sandbox):
    reply = call(sandbox, fn("<getAPISession><locationid>E999</locationid></getAPISession>"),
                 auth=login_xml("DEMO-ME"))
    assert reply.result().findtext("status") == "failure"
    assert reply.errors() == [("XL03000006", "Invalid entity 'E999' specified for this company.")]
