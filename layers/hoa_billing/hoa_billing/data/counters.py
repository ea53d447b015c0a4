"""A property's invoice counts, kept with the transitions: the summary behind the Invoices
page and "Publish All (N)" in one small read, however many invoices the property has.

One item per property in the invoices table, ``invoice_id = "counts#{property_id}"``:
the number of invoices in each status (attributes named by the status) and
``draft_total``, the drafts' amounts added up. Nothing else lives under that key (an
invoice id starts with ``inv_``), and it carries no index key, so no index holds it.

How the counts stay exact: every transition of one invoice writes the invoice and its
count change in one transaction (both or neither; a refused invoice write leaves the
counts alone), and Publish All counts each chunk's publishes in the transaction that
already counts the chunk once on its job (the message marker), so a redelivered chunk is
counted once and a worker that dies before counting leaves the chunk to its redelivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hoa_billing.core.models import InvoiceStatus
from hoa_billing.data.writes import Update

COUNTS_PREFIX = "counts#"
DRAFT_TOTAL = "draft_total"


def counts_key(property_id: str) -> dict[str, str]:
    return {"invoice_id": COUNTS_PREFIX + property_id}


@dataclass(frozen=True)
class CountChange:
    """What a transition does to its property's counts."""

    moves: dict[InvoiceStatus, int] = field(default_factory=dict)
    draft_total: int = 0

    @classmethod
    def move(
        cls, from_status: InvoiceStatus | None, to_status: InvoiceStatus | None, draft_total: int = 0
    ) -> CountChange:
        moves: dict[InvoiceStatus, int] = {}
        if from_status is not None:
            moves[from_status] = moves.get(from_status, 0) - 1
        if to_status is not None:
            moves[to_status] = moves.get(to_status, 0) + 1
        return cls({s: n for s, n in moves.items() if n}, draft_total)

    @property
    def empty(self) -> bool:
        return not self.moves and not self.draft_total

    def update(self) -> Update:
        update = Update()
        for status, amount in sorted(self.moves.items()):
            update.add(status.value, amount)
        if self.draft_total:
            update.add(DRAFT_TOTAL, self.draft_total)
        return update
