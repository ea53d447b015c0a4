"""Stripe payments recorded on the invoice they pay: ``payments.<payment_intent_id>``
(state, amount, session, failure) and ``refunds.<charge_id>`` (amount refunded), created
empty with the invoice so a conditional update can address one entry directly.

A change that tells the resident something (a receipt, a failed bank payment) puts its
notice in the notices table in the same transaction: the notice exists if and only if
the payment was applied."""

from __future__ import annotations

from typing import Any

from hoa_billing.core.changes import AttentionFlag, PaymentChange, RefundChange
from hoa_billing.core.clock import iso
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import Invoice, InvoiceStatus
from hoa_billing.data.counters import CountChange
from hoa_billing.data.invoices import InvoiceTable, leave_open, recorded
from hoa_billing.data.notices import notice_put
from hoa_billing.data.writes import Update


class DynamoPaymentRecords(InvoiceTable):
    def __init__(self, table_name: str, notices_table: str, client: Any | None = None) -> None:
        super().__init__(table_name, client)
        self.notices_table = notices_table

    def apply_payment(self, invoice: Invoice, change: PaymentChange) -> Invoice:
        """One payment event's change, if the invoice is still at ``change.seen_version``
        and the payment record is as the plan saw it; the invoice as written."""
        if change.paid_at is not None:
            # The version condition below pins the status the invoice leaves (Open or Overdue).
            update = leave_open(
                invoice.property_id,
                invoice.invoice_id,
                InvoiceStatus.PAID,
                frozenset({invoice.status}),
                change.entry,
                paid_at=iso(change.paid_at),
            )
        else:
            update = recorded(Update(), change.entry)
        path = f"payments.{change.payment_id}"
        if change.record is not None:
            update.set(path, change.record.model_dump(mode="json", exclude_none=True))
            update.require_absent(path)
        else:
            if change.new_state is not None:
                update.set(f"{path}.state", change.new_state.value)
            if change.session_id:
                update.set(f"{path}.session_id", change.session_id)
            if change.failure:
                update.set(f"{path}.failure", change.failure)
            update.set(f"{path}.updated_at", iso(change.at))
            assert change.seen_state is not None
            update.require("{" + path + ".state} = :state", state=change.seen_state.value)
        if change.paid:
            update.add("amount_paid", change.paid)
        if change.processing:
            update.add("amount_processing", change.processing)
        if change.attention:
            update.set("needs_attention", True)
        update.require("{version} = :version", version=change.seen_version)
        if change.paid_at is None and change.notice is None:
            return self._apply(invoice.invoice_id, update)
        count = CountChange.move(invoice.status, InvoiceStatus.PAID) if change.paid_at else CountChange()
        also = []
        if change.notice is not None:
            put = notice_put(invoice, change.notice)
            also.append({"Put": {k: v for k, v in put.request(self.notices_table).items() if k != "ReturnValues"}})
        try:
            paid = self._counted(invoice.invoice_id, update, invoice.property_id, count, read_back=True, also=also)
        except Refused as refused:
            if refused.current is not None:
                raise
            # Not the invoice's condition (the notice's): the invoice as it stands says why.
            raise Refused(self.get(invoice.invoice_id)) from refused
        assert paid is not None
        return paid

    def record_refund(self, invoice: Invoice, change: RefundChange) -> Invoice:
        """Refunds are recorded and flagged; the invoice's status never moves backwards."""
        path = f"refunds.{change.charge_id}"
        update = (
            recorded(Update(), change.entry)
            .set(path, change.amount_refunded)
            .add("amount_refunded", change.amount_refunded - (change.before or 0))
            .set("needs_attention", True)
        )
        if change.before is None:
            update.require_absent(path)
        else:
            update.require("{" + path + "} = :before", before=change.before)
        return self._apply(invoice.invoice_id, update)

    def flag(self, invoice_id: str, flag: AttentionFlag) -> Invoice:
        """Flag the invoice for a person; amounts, payments and status stay as they are."""
        update = recorded(Update(), flag.entry).set("needs_attention", True).require_present("invoice_id")
        return self._apply(invoice_id, update)
