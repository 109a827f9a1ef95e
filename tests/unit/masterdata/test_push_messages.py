from include.intacct.errors import ErrorDetail
from include.intacct.responses import WriteOutcome
from include.masterdata.push import _message


def test_a_failed_push_is_recorded_with_intacct_s_own_text():
    outcome = WriteOutcome("customer-C-1-v1-1", "failure", errors=[
        ErrorDetail("BL01001973", "", "Invalid Term 'Net 99' specified."),
        ErrorDetail("BL01001973", "", "Could not create Customer record!")], resolution="rejected")
    message = _message(outcome)
    assert "Invalid Term 'Net 99' specified." in message and "Could not create Customer record!" in message
