"""Put a ledger object into a given status through the public API only."""

from include.ledger import Action, Ledger, Status

INVOICE = "ar_invoice"


def object_in(ledger: Ledger, status: Status, key: str, *, for_action: Action | None = None) -> None:
    """Drive ``key`` into ``status``, meeting the guard of ``for_action`` where it has one.

    Guards: ``recover`` needs an expired lease; ``release`` an error whose hold was released;
    ``retry`` an error without a hold.
    """
    ledger.observe(INVOICE, key, "v1", amount="100.00", posting_date="2026-09-15")
    if status is Status.NOT_INTEGRATED:
        return
    lease = 0 if for_action is Action.RECOVER else 900
    ledger.claim(INVOICE, [key], run_id="run-setup", worker="setup", lease_seconds=lease, strict=True)
    if status is Status.PENDING:
        return
    if status is Status.ERROR:
        held = for_action in (Action.RELEASE, Action.RELEASE_HOLD)
        ledger.record_error(
            INVOICE,
            key,
            run_id="run-setup",
            error_class="closed_period",
            message="Periods are closed.",
            hold="closed_period" if held else None,
        )
        if for_action is Action.RELEASE:
            ledger.release_holds(hold="closed_period", reason="period reopened")
        return
    ledger.record_success(INVOICE, key, run_id="run-setup", record_no="9001")
    if status is Status.DESYNCHRONIZED:
        ledger.observe(INVOICE, key, "v2", amount="120.00", posting_date="2026-09-15")
