"""Daily schedule: Open invoices past their due date (in the property's time zone) -> Overdue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing import compose
from hoa_billing.core.observability import instrumented, logger, metrics
from hoa_billing.overdue import OverdueSweep


@instrumented
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: OverdueSweep | None = None) -> dict[str, Any]:
    result = (deps or compose.overdue_sweep()).run()
    metrics.add_metric(name="InvoicesMarkedOverdue", unit="Count", value=len(result.moved))
    logger.info("overdue sweep finished", **result.as_dict())
    return result.as_dict()
