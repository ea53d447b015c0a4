"""The layer keeps its arrows pointing down and its storage shape in the data layer."""

from __future__ import annotations

import pytest

from hoa_local import ROOT
from tests.architecture.boundaries import check_source, check_tree


def test_the_layer_and_the_handlers_keep_the_dependency_rules():
    violations = check_tree(ROOT)
    assert not violations, "\n".join(map(str, violations))


@pytest.mark.parametrize(
    ("area", "source"),
    [
        ("invoices", 'update = {"ConditionExpression": "attribute_not_exists(invoice_id)"}'),
        ("publish_all", 'status = row["gsi_status_sk"]'),
        ("invoices", 'status, _ = key.split("#", 1)'),
        ("payments", 'query = {"IndexName": "ByResident"}'),
        ("invoices", "from hoa_billing.data.invoices import DynamoInvoices"),
        ("publish_all", "from hoa_billing.invoices.publish import Publisher"),
        ("core", "from hoa_billing.invoices import Publisher"),
        ("data", "from hoa_billing.email import InvoiceEmailer"),
        ("handler", "from hoa_billing.data.outbox import DynamoEmailOutbox"),
        ("handler", "from hoa_billing.publish_all.worker import Worker"),
    ],
)
def test_the_check_catches_a_feature_that_reaches_into_storage_or_another_feature(area, source):
    assert check_source(source, "example.py", area), f"{area}: {source!r} was not caught"


@pytest.mark.parametrize(
    ("area", "source"),
    [
        ("publish_all", "from hoa_billing.invoices import Publisher"),
        ("handler", "from hoa_billing.api.http import ApiFunction"),
        ("data", "from hoa_billing.core.models import Invoice"),
        ("invoices", '"""A docstring may say ConditionExpression."""'),
    ],
)
def test_what_the_rules_allow_passes(area, source):
    assert check_source(source, "example.py", area) == []
