"""Daily schedule: Open invoices past their due date (in the property's time zone) -> Overdue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing.observability import logger, metrics, tracer
from hoa_billing.overdue import OverdueSweep
from hoa_billing.payment_wiring import overdue_sweep


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext, sweep: OverdueSweep | None = None) -> dict[str, Any]:
    result = (sweep or overdue_sweep()).run()
    metrics.add_metric(name="InvoicesMarkedOverdue", unit="Count", value=len(result.moved))
    logger.info("overdue sweep finished", **result.as_dict())
    return result.as_dict()
