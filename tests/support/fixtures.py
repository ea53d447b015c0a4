"""Fixtures for the suites that run against moto: a copy of the stack built from
template.yaml, an API client that routes through the template's routes, and two
properties. moto is imported only when one of these is used."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from hoa_billing.core.models import Property
from tests.support.api import PARAMETERS, STACK, Api

if TYPE_CHECKING:
    from hoa_billing.data.directory import DynamoDirectory
    from hoa_local.template import Stack

# Every function sees the same Globals environment; names are deterministic per stack.
for _key, _value in STACK.function_environment("InvoiceReadsFunction").items():
    os.environ.setdefault(_key, _value)
os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"


@pytest.fixture
def stack() -> Iterator[Stack]:
    import boto3
    from moto import mock_aws

    from hoa_billing import compose
    from hoa_local.moto_fixes import make_dynamodb_requests_atomic
    from hoa_local.provision import provision
    from hoa_local.template import Stack

    make_dynamodb_requests_atomic()
    with mock_aws():
        yield provision(Stack(name=STACK.name, parameters=dict(PARAMETERS)), boto3.client)
    compose.reset()


@pytest.fixture
def api(stack: Stack) -> Api:
    return Api(stack)


@pytest.fixture
def directory(stack: Stack) -> DynamoDirectory:
    from hoa_billing.data.directory import DynamoDirectory

    return DynamoDirectory(stack.physical_name("PropertiesTable"))


@pytest.fixture
def properties(directory: DynamoDirectory) -> dict[str, Property]:
    """Two properties: the manager in ``api`` manages only ``prop_a``."""
    created = {
        "prop_a": Property(property_id="prop_a", name="Maple Court HOA", time_zone="America/New_York"),
        "prop_b": Property(property_id="prop_b", name="Birch Hill HOA", time_zone="America/Los_Angeles"),
    }
    for prop in created.values():
        directory.put_property(prop)
    return created
