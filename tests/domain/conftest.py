"""The domain suite: the help article and the design's invariants, told against
in-memory fakes of the repositories, with a fixed clock. No AWS, no moto.

``make test-domain`` runs it with moto, boto3 and botocore made unimportable
(``HOA_DOMAIN_ONLY=1``): a domain module that reached for AWS would fail here.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

_FORBIDDEN = ("moto", "boto3", "botocore")


class _NoAws(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.split(".")[0] in _FORBIDDEN:
            raise ImportError(f"the domain suite must not import {name}")


if os.environ.get("HOA_DOMAIN_ONLY") == "1":
    assert not any(name.split(".")[0] in _FORBIDDEN for name in sys.modules), "AWS SDK imported before the suite"
    sys.meta_path.insert(0, _NoAws())

from typing import Any  # noqa: E402

from hoa_billing.core.clock import FixedClock, today_in  # noqa: E402
from hoa_billing.core.models import Actor, ActorKind, Invoice, Property  # noqa: E402
from hoa_billing.invoices import Invoices  # noqa: E402
from tests.support.fakes import FakeDirectory, FakeInvoices, FakeJobs, FakeProcessedEvents  # noqa: E402

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
MANAGER = Actor(kind=ActorKind.API, id="mgr-1", name="Dana Manager")
MAPLE = Property(property_id="prop_a", name="Maple Court HOA", time_zone="America/New_York")


@dataclass
class World:
    """One property's world: the repositories (in-memory fakes, or the DynamoDB ones over
    moto), the clock, and the invoice operations over them. ``store`` answers for every
    invoice port, as the one invoices table does."""

    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    store: Any = field(default_factory=FakeInvoices)
    directory: Any = field(default_factory=FakeDirectory)
    jobs: Any = field(default_factory=FakeJobs)
    events: Any = field(default_factory=FakeProcessedEvents)

    def __post_init__(self) -> None:
        if isinstance(self.jobs, FakeJobs) and isinstance(self.store, FakeInvoices) and self.jobs.counts is None:
            self.jobs.counts = self.store.counts  # one table: the chunks move the invoices' counts
        self.directory.put_property(MAPLE)
        self.invoices = Invoices.build(self.store, self.store, self.directory, self.clock)

    def force(self, invoice: Invoice, **changes: Any) -> Invoice:
        """Put an invoice in a state the story needs (as Stripe or the sweep would have
        left it), bypassing the domain; the invoice as stored afterwards."""
        if isinstance(self.store, FakeInvoices):
            self.store.items[invoice.invoice_id] = invoice.model_copy(update=changes)
        else:
            self.store.force(invoice.invoice_id, changes)
        forced = self.store.get(invoice.invoice_id)
        assert forced is not None
        return forced

    def stream_record(self, invoice_id: str, token: str) -> dict[str, Any]:
        """The stream record the email sender would receive for the invoice as it is now."""
        if isinstance(self.store, FakeInvoices):
            return {"invoice_id": invoice_id, "token": token}
        return self.store.stream_record(invoice_id, token)

    @property
    def today(self) -> date:
        """Today where the property is."""
        return today_in(self.clock, MAPLE.time_zone)

    def later(self, **delta: float) -> None:
        self.clock.at = self.clock.at + timedelta(**delta)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each domain test runs against the fakes and, where moto is allowed, against the
    DynamoDB repositories too (``HOA_DOMAIN_STORES=fake|dynamodb`` picks one)."""
    if "world" in metafunc.fixturenames:
        default = "fake" if os.environ.get("HOA_DOMAIN_ONLY") else "fake,dynamodb"
        chosen = os.environ.get("HOA_DOMAIN_STORES") or default
        metafunc.parametrize("world", chosen.split(","), indirect=True)


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    if request.param == "fake":
        return World()
    from tests.support.dynamo_world import dynamodb_world

    return dynamodb_world(request.getfixturevalue("stack"), World)
