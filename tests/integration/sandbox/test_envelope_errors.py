"""Requests that are not well formed, break the schema, or fail the control block: answered with
Intacct's envelope (a control failure, nothing run) and libxml2's report as Intacct words it
(https://developer.intacct.com/web-services/error-handling/)."""

from include import demo_company as demo
from tests.integration.sandbox.raw_gateway import call, children, envelope, fn, post

SESSIONLESS = ("<request><control><senderid>demo_sender</senderid><password>sandbox-sender-pw</password>"
               "<controlid>ctl-7</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>"
               "<operation><authentication><login><userid>xml_gateway</userid><companyid>DEMO</companyid>"
               "<password>sandbox-user-pw</password></login></authentication><content>{functions}</content>"
               "</operation></request>")


def _control_failure(reply) -> tuple[list[str], str, str]:
    root = reply.root
    assert children(root) == ["control", "errormessage"] and root.findtext("control/status") == "failure"
    control = [c.text or "" for c in root.find("control")]
    return control, root.findtext("errormessage/error/errorno"), root.findtext("errormessage/error/description2")


def test_a_tag_mismatch_is_reported_as_intacct_reports_it_and_echoes_the_control_block(sandbox):
    body = SESSIONLESS.format(functions='<function controlid="f1">\n<delete><object>CLASS</object>\n</function>')
    control, errorno, text = _control_failure(post(sandbox.url, body))
    assert control == ["failure", demo.SANDBOX_SENDER_ID, "ctl-7", "false", "3.0"]
    assert errorno == "XL03000003"
    assert text == ("XML Parse schema error: Fatal Error 76: Opening and ending tag mismatch: delete line 2 and "
                    "function. Line: 3, column: 12.")


def test_an_empty_or_non_xml_body_is_a_parse_error(sandbox):
    for body, message in (("", "Fatal Error 4: Document is empty. Line: 1, column: 1."),
                          ("hello", "Fatal Error 4: Start tag expected, '<' not found. Line: 1, column: 1.")):
        control, errorno, text = _control_failure(post(sandbox.url, body))
        assert (errorno, text) == ("XL03000003", f"XML Parse schema error: {message}")
        assert control == ["failure", "", "", "", ""]


def test_a_control_block_without_controlid_breaks_the_schema(sandbox):
    body = ("<request><control><senderid>demo_sender</senderid><password>sandbox-sender-pw</password>"
            "<uniqueid>false</uniqueid></control><operation><authentication><sessionid>x</sessionid>"
            "</authentication></operation></request>")
    control, errorno, text = _control_failure(post(sandbox.url, body))
    assert control == ["failure", demo.SANDBOX_SENDER_ID, "", "false", "3.0"]
    assert (errorno, text) == ("XL03000003", "XML Parse schema error: Error 1871: Element 'uniqueid': This element "
                                             "is not expected. Expected is ( controlid ). Line: 1, column: 0.")


def test_a_function_outside_the_schema_fails_the_whole_request(sandbox):
    body = SESSIONLESS.format(functions=fn("<getAPISession/>") + fn("<get_everything/>", "f2"))
    _, errorno, text = _control_failure(post(sandbox.url, body))
    assert errorno == "XL03000003"
    assert text.startswith("XML Parse schema error: Error 1871: Element 'get_everything': This element is not "
                           "expected. Expected is one of ( create_apaccountlabel, ")


def test_a_function_without_controlid_fails_the_whole_request(sandbox):
    body = SESSIONLESS.format(functions="<function><getAPISession/></function>")
    _, errorno, text = _control_failure(post(sandbox.url, body))
    assert (errorno, text) == ("XL03000003", "XML Parse schema error: Error 1868: Element 'function': The attribute "
                                             "'controlid' is required but missing. Line: 1, column: 0.")


def test_a_schema_function_the_sandbox_does_not_serve_fails_alone(sandbox):
    reply = call(sandbox, fn("<get_companyprefs/>") + fn("<getFinancialSetup/>", "f2"))
    assert [r.findtext("status") for r in reply.results()] == ["failure", "success"]
    assert reply.errors(0) == [("BL01001973", "The sandbox does not serve get_companyprefs: it is an Intacct "
                                              "function the sandbox does not model.")]


def test_wrong_sender_credentials_echo_the_control_block(sandbox):
    reply = post(sandbox.url, envelope(fn("<getFinancialSetup/>"), sender_password="wrong", controlid="ctl-9",
                                       uniqueid=None))
    control, errorno, text = _control_failure(reply)
    assert control == ["failure", demo.SANDBOX_SENDER_ID, "ctl-9", "true", "3.0"]
    assert (errorno, text) == ("XL03000006", "Incorrect Intacct XML Partner ID or password.")
