"""The catalogue of Intacct's standard fields, served by query, readByQuery, read, readByName and
lookup; fields computed from a record's relations; dotted related fields in query."""

from include import demo_company as demo
from tests.integration.sandbox.raw_gateway import bill, call, children, fn

# Fields the issue names, which open-source clients select (Fyle's SDK select lists among them).
CLIENT_FIELDS = {
    "CUSTOMER": ["ENTITY", "PARENTKEY", "PARENTID", "PARENTNAME", "CUSTREPNAME", "TOTALDUE", "GLGRPKEY", "GLGROUP",
                 "ONETIME", "OBJECTRESTRICTION"],
    "VENDOR": ["VENDORACCOUNTNO", "ACCOUNTLABEL", "APACCOUNTTITLE", "DISPLAYCONTACT.PHONE2"],
    "GLACCOUNT": ["ALTERNATIVEACCOUNT"],
    "DEPARTMENT": ["SUPERVISORNAME", "CUSTTITLE"],
    "CLASS": ["DESCRIPTION"],
    "PROJECT": ["PROJECTTYPE", "CUSTOMERKEY", "BUDGETID"],
    "APBILL": ["TOTALPAID", "WHENPAID", "ONHOLD", "DUE_IN_DAYS", "PRBATCH"],
    "TAXDETAIL": ["TAXUID", "TAXAUTHORITY"],
    "EMPLOYEE": ["EMPLOYEETYPE", "BIRTHDATE", "CONTACT.EMAIL1", "DEPARTMENTKEY"],
    "ARINVOICE": ["CUSTMESSAGEID", "TOTALPAID", "BILLTO.CONTACTNAME"],
    "ARINVOICEITEM": ["ACCOUNTTITLE", "DEPARTMENTNAME", "LOCATIONNAME"],
}


def _query(sandbox, obj: str, fields: list[str], filter_xml: str = "", pagesize: int = 100):
    select = "".join(f"<field>{f}</field>" for f in fields)
    body = (f"<query><object>{obj}</object><select>{select}</select>"
            f"{f'<filter>{filter_xml}</filter>' if filter_xml else ''}<pagesize>{pagesize}</pagesize></query>")
    return call(sandbox, fn(body))


def test_query_selects_the_standard_fields_clients_select_empty_where_the_sandbox_has_no_value(sandbox):
    for obj, fields in CLIENT_FIELDS.items():
        reply = _query(sandbox, obj, ["RECORDNO", *fields], pagesize=1)
        assert reply.result().findtext("status") == "success", (obj, reply.errors())
        data = reply.result().find("data")
        for record in data:
            assert children(record) == ["RECORDNO", *fields]


def test_a_customer_reads_its_parent_and_total_due_from_its_relations(sandbox):
    sandbox.admin.update_record("CUSTOMER", "C-1002", {"PARENTID": "C-1001"})
    call(sandbox, fn("<create_invoice><customerid>C-1002</customerid><datecreated><year>2099</year><month>1</month>"
                     "<day>15</day></datecreated><termname>N30</termname><invoiceitems><lineitem>"
                     "<glaccountno>4000</glaccountno><amount>250.5</amount></lineitem></invoiceitems></create_invoice>"))
    parent = call(sandbox, fn("<readByName><object>CUSTOMER</object><keys>C-1001</keys><fields>RECORDNO,NAME"
                              "</fields></readByName>")).result().find("data/CUSTOMER")
    child = _query(sandbox, "CUSTOMER", ["CUSTOMERID", "PARENTKEY", "PARENTNAME", "TOTALDUE", "ONETIME"],
                   "<equalto><field>CUSTOMERID</field><value>C-1002</value></equalto>").result().find("data/CUSTOMER")
    assert [child.findtext(f) for f in ("PARENTKEY", "PARENTNAME", "TOTALDUE", "ONETIME")] == [
        parent.findtext("RECORDNO"), parent.findtext("NAME"), "250.50", "false"]


def test_read_by_query_star_returns_every_catalogue_field_nested_as_intacct_nests_them(sandbox):
    reply = call(sandbox, fn("<readByQuery><object>VENDOR</object><fields>*</fields><query>VENDORID = 'V-2001'"
                             "</query></readByQuery>"))
    vendor = reply.result().find("data/vendor")
    tags = children(vendor)
    assert len(tags) > 100 and len(tags) == len(set(tags))  # top level: the contact blocks nest
    assert {"VENDORACCOUNTNO", "ACCOUNTLABEL", "APACCOUNTTITLE", "DISPLAYCONTACT", "PAYTO", "RETURNTO"} <= set(tags)
    assert vendor.findtext("DISPLAYCONTACT/PHONE2") == ""
    assert vendor.findtext("DISPLAYCONTACT/EMAIL1") == demo.vendor(0)["email"]
    assert vendor.findtext("APACCOUNTTITLE") == "Accounts Payable"


def test_read_and_read_by_name_serve_catalogue_fields_too(sandbox):
    by_name = call(sandbox, fn("<readByName><object>DEPARTMENT</object><keys>ADMIN</keys>"
                               "<fields>DEPARTMENTID,SUPERVISORNAME,CUSTTITLE</fields></readByName>"))
    department = by_name.result().find("data/DEPARTMENT")
    assert children(department) == ["DEPARTMENTID", "SUPERVISORNAME", "CUSTTITLE"]
    recordno = call(sandbox, fn("<readByName><object>CLASS</object><keys>RETAIL</keys><fields>RECORDNO</fields>"
                                "</readByName>")).result().findtext("data/CLASS/RECORDNO")
    read = call(sandbox, fn(f"<read><object>CLASS</object><keys>{recordno}</keys><fields>*</fields></read>"))
    assert {"DESCRIPTION", "PARENTKEY", "MEGAENTITYNAME"} <= set(children(read.result().find("data/CLASS")))


def test_unknown_fields_are_refused_together_with_intacct_text(sandbox):
    reply = _query(sandbox, "CUSTOMER", ["CUSTOMERID", "COLOUR", "SHOESIZE"])
    assert reply.errors() == [("XL03000006", "The following fields cannot be queried: [ customer: "
                                             "[COLOUR, SHOESIZE] ]")]
    by_query = call(sandbox, fn("<readByQuery><object>VENDOR</object><fields>VENDORID,NOPE</fields><query></query>"
                                "</readByQuery>"))
    assert by_query.errors() == [("XL03000006", "The following fields cannot be queried: [ vendor: [NOPE] ]")]


def test_query_reads_and_filters_on_fields_of_related_objects(sandbox):
    first = call(sandbox, fn(bill("REL-1", vendor="V-2001")))
    call(sandbox, fn(bill("REL-2", vendor="V-2002")))
    assert first.result().findtext("status") == "success"
    reply = _query(sandbox, "APBILL", ["RECORDID", "VENDOR.NAME", "VENDOR.TERM.DUEDATE", "VENDOR.DISPLAYCONTACT.EMAIL1"],
                   f"<equalto><field>VENDOR.NAME</field><value>{demo.vendor(0)['name']}</value></equalto>")
    [row] = reply.result().find("data")
    assert children(row) == ["RECORDID", "VENDOR.NAME", "VENDOR.TERM.DUEDATE", "VENDOR.DISPLAYCONTACT.EMAIL1"]
    assert [row.findtext(c) for c in children(row)] == ["REL-1", demo.vendor(0)["name"], "45",
                                                         demo.vendor(0)["email"]]
    journal = _query(sandbox, "PROJECT", ["PROJECTID", "PARENT.NAME"], "<equalto><field>PROJECTID</field>"
                     "<value>P-1001</value></equalto>")
    assert journal.result().findtext("status") == "success"
    line = _query(sandbox, "APBILLITEM", ["RECORDNO", "APBILL.RECORDID", "GLACCOUNT.TITLE", "ACCOUNTTITLE"],
                  "<equalto><field>APBILL.RECORDID</field><value>REL-2</value></equalto>").result().find("data")[0]
    assert [line.findtext(f) for f in ("APBILL.RECORDID", "GLACCOUNT.TITLE", "ACCOUNTTITLE")] == [
        "REL-2", "Office Supplies", "Office Supplies"]


def test_one_hierarchical_hop_is_allowed_and_two_are_refused(sandbox):
    one = _query(sandbox, "CUSTOMER", ["CUSTOMERID", "PARENT.NAME"])
    assert one.result().findtext("status") == "success"
    two = _query(sandbox, "CUSTOMER", ["CUSTOMERID", "PARENT.PARENT.NAME"])
    assert two.errors() == [("XL03000006", "The following fields cannot be queried: [ customer: "
                                           "[PARENT.PARENT.NAME] ]")]


def test_read_by_query_takes_no_joins(sandbox):
    reply = call(sandbox, fn("<readByQuery><object>APBILL</object><fields>RECORDNO,VENDOR.NAME</fields>"
                             "<query></query></readByQuery>"))
    assert reply.errors()[0][0] == "XL03000006"


def test_lookup_types_fields_from_the_catalogue_and_lists_relationships(sandbox):
    data = call(sandbox, fn("<lookup><object>APBILL</object></lookup>")).result().find("data/Type")
    fields = {f.findtext("ID"): f for f in data.findall("Fields/Field")}
    # APBILL's metadata comes from a real tenant's lookup (hotglue's captured catalog): read-only totals, and
    # TOTALDUE typed CURRENCY where the sandbox compares it as a decimal.
    assert fields["TOTALPAID"].findtext("READONLY") == "true"
    assert fields["TOTALDUE"].findtext("DATATYPE") == "CURRENCY"
    assert fields["VENDORID"].findtext("REQUIRED") == "true"
    paths = {r.findtext("OBJECTPATH"): r.findtext("OBJECTNAME") for r in data.findall("Relationships/Relationship")}
    assert paths == {"VENDOR": "VENDOR", "TERM": "APTERM"}
    customer = call(sandbox, fn("<lookup><object>CUSTOMER</object></lookup>")).result().find("data/Type")
    ids = [f.findtext("ID") for f in customer.findall("Fields/Field")]
    assert len(ids) > 200 and {"ENTITY", "OBJECTRESTRICTION", "GLGRPKEY"} <= set(ids)


def test_an_empty_field_name_is_a_clear_query_error(sandbox):
    reply = _query(sandbox, "CUSTOMER", ["CUSTOMERID", ""])
    assert reply.errors() == [("Query Failed", "Invalid query: a field name is empty")]
