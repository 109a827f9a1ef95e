"""The REST matcher's cases for the one classifier table: each REST-only pattern with a text the REST API
answers (the reference's section 6, or the sandbox's REST router where Intacct's text is not public)."""

from include.error_classes import ErrorClass
from include.intacct.errors import ErrorDetail


def rest(error_id="", message="", code=""):
    return ErrorDetail(errorno=error_id, description2=message, code=code)


WRAPPER = rest("REST-7001", "POST request on objects/general-ledger/journal-entry object was unsuccessful",
               "operationFailed")

REST_CASES = {
    "gateway_unable_to_process": ([rest("GW-0001", "Unable to process request", "GW-0001")], ErrorClass.TRANSIENT),
    "rest_token_request_refused": ([rest("GW-0012", "Missing Tenant Data", "GW-0012")], ErrorClass.AUTH),
    "oauth_client_refused": ([rest("", "Client authentication failed", "invalid_client")], ErrorClass.AUTH),
    "rest_token_invalid": ([rest("GW-0031", "Invalid Token", "GW-0031")], ErrorClass.AUTH),
    "rest_forbidden": ([rest("GW-0042", "Forbidden", "GW-0042")], ErrorClass.PERMISSION),
    # fylein/fyle-intacct-api tests/test_sageintacct/fixtures.py sage_intacct_rest_error_response (reference §6.3)
    "transactions_do_not_balance": (
        [WRAPPER, rest("GL-0951", "Could not create GLBatch record.", "unableToCreateRecordError"),
         rest("GL-1009", "Transactions do not balance for Place ,", "invalidConfiguration")], ErrorClass.VALIDATION),
}
