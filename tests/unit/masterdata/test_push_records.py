"""ERP masters as Intacct records, and what counts as a difference when linking an existing one."""

import pytest

from include import demo_company as demo
from include.erp.documents import SourceMaster
from include.masterdata.push import controlid_for, differences, intacct_fields, stream_for


def _customer(**fields):
    return SourceMaster("customer", "C-1001", {**demo.customer(0), **fields})


def test_customer_becomes_a_customer_record_with_its_contact_and_without_empty_fields():
    record = intacct_fields(_customer(email=""))
    assert record == {"CUSTOMERID": "C-1001", "NAME": "Apex Supply", "STATUS": "active", "TERMNAME": "N30",
                      "CURRENCY": "USD", "DISPLAYCONTACT": {"PRINTAS": "Apex Supply"}}


def test_item_keeps_its_id_as_the_intacct_item_id():
    item = SourceMaster("item", "I-3001", demo.item(0))
    assert intacct_fields(item)["ITEMID"] == "I-3001" and intacct_fields(item)["ITEMTYPE"] == "Non-Inventory"


def test_status_differing_only_in_case_is_not_a_difference_but_a_renamed_party_is():
    wanted = intacct_fields(_customer())
    same = {**wanted, "STATUS": "Active", "DISPLAYCONTACT": {"EMAIL1": "ap@apexsupply.example"}}
    assert differences("customer", wanted, same) == []
    assert differences("customer", wanted, {**same, "NAME": "Apex"}) == ["NAME"]


def test_controlid_is_deterministic_from_type_key_version_and_attempt():
    assert controlid_for("vendor", "V-2001", "abc123", 1) == controlid_for("vendor", "V-2001", "abc123", 1)
    assert controlid_for("vendor", "V-2001", "abc123", 2) != controlid_for("vendor", "V-2001", "abc123", 1)


def test_unknown_master_type_fails_naming_the_known_ones():
    with pytest.raises(ValueError, match="'project' is not an ERP-owned master; known: customer, vendor, item"):
        stream_for("project")
