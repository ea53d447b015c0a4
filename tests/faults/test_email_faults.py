"""The invoice email after a publish, with a fault on each AWS call the email sender
makes (claim, SES send, record). The stream redelivers what failed; the resident gets
exactly one email, except in the documented window: SES accepted the message and its
acceptance was never recorded (the function died, or SES's answer was lost), so the
retry sends an identical second one."""

from __future__ import annotations

import pytest

from hoa_local.faults import CRASH_AFTER, CRASH_BEFORE, READ_TIMEOUT
from tests.support.faults import EmailPipe, Recovery, Step, actions, dynamodb, rows_for
from tests.support.stories import create_draft, create_resident, detail, publish

CLAIM = Step("claim queued->sending", "dynamodb", "UpdateItem", "InvoicesTable", call=1)
SEND = Step("SES SendEmail", "sesv2", "SendEmail")
RECORD = Step("record sent", "dynamodb", "UpdateItem", "InvoicesTable", call=2)
ROWS = rows_for([CLAIM, SEND, RECORD])


def in_the_window(row) -> bool:
    """SES accepted the message and the sender died or never heard it did."""
    return (row.step == SEND and row.fault in (READ_TIMEOUT, CRASH_AFTER)) or (
        row.step == RECORD and row.fault is CRASH_BEFORE
    )


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_a_fault_on_the_email_path_sends_the_email_once(api, stack, properties, clock, outcome, row):
    outcome(path="email", step=row.step.name, operation=row.step.operation, fault=row.fault.name, times=row.times)
    outcome(index=ROWS.index(row))
    draft = create_draft(api, create_resident(api, email="pat@example.com")["resident_id"], 32500)
    pipe = EmailPipe(stack, clock)
    assert publish(api, draft, {"send_email": True}).status == 200
    recovery = Recovery()

    with row.inject(stack).installed(dynamodb(), pipe.ses) as faults:
        pipe.deliver(recovery)
    outcome(recovered_via=recovery.summary(faults), emails=len(pipe.sent()), window=in_the_window(row))

    assert faults.fired(), "the fault never happened"
    shown = detail(api, draft)
    assert shown["invoice"]["status"] == "Open"
    assert shown["invoice"]["email"]["status"] == "sent"
    assert actions(shown["history"]) == ["created", "published", "email_sent"]
    sent = pipe.sent()
    expected = 2 if in_the_window(row) else 1
    assert len(sent) == expected, [message.id for message in sent]
    assert {(m.subject, m.body) for m in sent} == {(sent[0].subject, sent[0].body)}
    assert shown["invoice"]["email"]["details"]["message_id"] == sent[-1].id
