"""Real gateway response bodies, as published in the protocol reference (section 2), used
by the parser tests and replayed by the local test gateway."""

GET_API_SESSION_SUCCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<response>
  <control>
    <status>success</status><senderid>testsenderid</senderid><controlid>ControlIdHere</controlid>
    <uniqueid>false</uniqueid><dtdversion>3.0</dtdversion>
  </control>
  <operation>
    <authentication>
      <status>success</status><userid>fakeuser</userid><companyid>fakecompany</companyid>
      <locationid></locationid><sessiontimestamp>2015-10-22T20:58:27-07:00</sessiontimestamp>
    </authentication>
    <result>
      <status>success</status><function>getAPISession</function><controlid>testControlId</controlid>
      <data><api><sessionid>fAkESesSiOnId..</sessionid>
        <endpoint>https://api.intacct.com/ia/xml/xmlgw.phtml</endpoint><locationid></locationid></api></data>
    </result>
  </operation>
</response>"""

CONTROL_PARSE_FAILURE = b"""<response>
  <control><status>failure</status><senderid>intacct_dev</senderid><controlid>1662064558</controlid>
    <uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>
  <errormessage><error><errorno>XL03000003</errorno><description></description>
    <description2>XML Parse schema error: Fatal Error 76: Opening and ending tag mismatch: delete line 16 and function. Line: 19, column: 18. [Support ID: p5rxS%7EYxEXrDEnVyr0F531W8X9bQAAACQ]</description2>
    <correction></correction></error></errormessage>
</response>"""

GATEWAY_INVALID_REQUEST = b"""<response><control><status>failure</status></control>
  <errormessage><error><errorno>GW-0011</errorno>
    <description>Invalid Request [Request ID: AC47C2BE:D9EE_63EBC07F.59]</description></error></errormessage></response>"""

AUTHENTICATION_FAILURE = b"""<response>
  <control><status>success</status><senderid>test_sender_id</senderid><controlid>c1</controlid>
    <uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>
  <operation>
    <authentication><status>failure</status><userid>test_user_id</userid><companyid>test_company_id</companyid></authentication>
    <errormessage><error>
      <errorno>XL03000006</errorno><description>Invalid Web Services Authorization</description>
      <description2>The sender ID &#039;test_sender_id&#039; is not authorized to make Web Services requests to company ID &#039;test_company_id&#039;.</description2>
      <correction>Contact the company administrator to grant Web Services authorization to this sender ID.</correction>
    </error></errormessage>
  </operation>
</response>"""


def envelope(*results: bytes, session_timeout: str = "2099-01-01T00:00:00+00:00") -> bytes:
    """A successful control + authentication block around ``<result>`` elements."""
    return (
        b"<response><control><status>success</status><senderid>s</senderid><controlid>c</controlid>"
        b"<uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication>"
        b"<status>success</status><userid>u</userid><companyid>C</companyid>"
        b"<sessiontimestamp>2023-04-25T00:50:25+00:00</sessiontimestamp>"
        b"<sessiontimeout>" + session_timeout.encode() + b"</sessiontimeout></authentication>"
        + b"".join(results)
        + b"</operation></response>"
    )


FUNCTION_FAILURE = b"""<result><status>failure</status><function>readByQuery</function><controlid>testControlId</controlid>
  <errormessage><error><errorno>Query Failed</errorno><description></description>
    <description2>Object definition BADOBJECT not found</description2><correction></correction></error></errormessage></result>"""

ABORTED = b"""<result><status>aborted</status><function>readByQuery</function><controlid>testFunctionId</controlid>
  <errormessage>
    <error><errorno>Query Failed</errorno><description></description><description2>Object definition VENDOR9 not found</description2><correction></correction></error>
    <error><errorno>XL03000009</errorno><description></description><description2>The entire transaction in this operation has been rolled back due to an error.</description2><correction></correction></error>
  </errormessage></result>"""

BUSINESS_ERROR_WITH_ADDITIONAL_INFO = b"""<result><status>failure</status><function>create</function><controlid>testFunctionId</controlid>
  <data listtype="objects" count="0"/>
  <errormessage>
    <error><errorno>BL01001973</errorno><description>Duplicate account number</description>
      <description2>The account number &#039;5000.11&#039; already exists [Support ID: EsppO%7EZEcj0DEGV_L5hm95Ec91twAAABA]</description2>
      <correction>Enter unique account number</correction>
      <additionalinfo><errorid>GL-0493</errorid><category>Duplication Prevention</category>
        <target domain="" requestinfo="..." object="" field="" businessinfo=""/></additionalinfo>
    </error>
    <error><errorno>BL01001973</errorno><description></description><description2>Could not create GL Account record.</description2><correction></correction></error>
  </errormessage></result>"""

READ_BY_QUERY_EMPTY = b"""<result><status>success</status><function>readByQuery</function><controlid>empty</controlid>
  <data listtype="department" count="0" totalcount="0" numremaining="0" resultId=""/></result>"""

READ_BY_QUERY_ONE_RECORD = b"""<result><status>success</status><function>readByQuery</function><controlid>one</controlid>
  <data listtype="glaccount" count="1" totalcount="1" numremaining="0" resultId="">
    <glaccount><RECORDNO>1</RECORDNO><ACCOUNTNO>1010</ACCOUNTNO><TITLE>Cash &amp; Equivalents</TITLE><CATEGORY></CATEGORY></glaccount>
  </data></result>"""

READ_BY_QUERY_FIRST_PAGE = b"""<result><status>success</status><function>readByQuery</function><controlid>page1</controlid>
  <data listtype="glaccount" count="1" totalcount="2" numremaining="1" resultId="7765623330Vqb8pMCoA4IAAEnuglgAAAAL5">
    <glaccount><RECORDNO>1</RECORDNO><ACCOUNTNO>1010</ACCOUNTNO></glaccount>
  </data></result>"""

READ_MORE_LAST_PAGE = b"""<result><status>success</status><function>readMore</function><controlid>page2</controlid>
  <data listtype="glaccount" count="1" totalcount="2" numremaining="0" resultId="7765623330Vqb8pMCoA4IAAEnuglgAAAAL5">
    <glaccount><RECORDNO>2</RECORDNO><ACCOUNTNO>1020</ACCOUNTNO></glaccount>
  </data></result>"""

QUERY_TWO_RECORDS = b"""<result><status>success</status><function>query</function><controlid>q</controlid>
  <data listtype="APBILL" totalcount="2" offset="0" count="2" numremaining="0">
    <APBILL><RECORDNO>10</RECORDNO><JOURNAL.SYMBOL>APJ</JOURNAL.SYMBOL></APBILL>
    <APBILL><RECORDNO>11</RECORDNO><JOURNAL.SYMBOL>APJ</JOURNAL.SYMBOL></APBILL>
  </data></result>"""

READ_WITH_NESTED_LINES = b"""<result><status>success</status><function>read</function><controlid>r</controlid>
  <data listtype="ARINVOICE" count="1"><ARINVOICE><RECORDNO>7</RECORDNO>
    <ARINVOICEITEMS><arinvoiceitem><LINE_NO>1</LINE_NO></arinvoiceitem><arinvoiceitem><LINE_NO>2</LINE_NO></arinvoiceitem></ARINVOICEITEMS>
  </ARINVOICE></data></result>"""

CREATE_OBJECTS = b"""<result><status>success</status><function>create</function><controlid>bill-1</controlid>
  <data listtype="objects" count="1"><apbill><RECORDNO>3430</RECORDNO><RECORD_URL>https://www.intacct.com/ia/acct/ur.phtml?.r=x</RECORD_URL></apbill></data></result>"""

LEGACY_KEY = b"""<result><status>success</status><function>create_invoice</function><controlid>inv-1</controlid><key>C1234</key></result>"""

DELETE_SUCCESS = b"""<result><status>success</status><function>delete</function><controlid>del-1</controlid></result>"""

CLOSED_BOOKS_DATE = b"""<result><status>success</status><function>get_closedbooksdate</function><controlid>cbd</controlid>
  <data><closedbooksdate><year>2024</year><month>03</month><day>31</day></closedbooksdate></data></result>"""

HTML_ERROR_PAGE = b"""<!DOCTYPE html>
<html lang="en-US"><head><title>api.intacct.com | 502: Bad gateway</title></head>
<body><div id="cf-error-details" class="cf-error-details-wrapper"><h1>Bad gateway</h1></div></body></html>"""
