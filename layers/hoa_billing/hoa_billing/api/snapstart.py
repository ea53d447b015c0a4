"""SnapStart for the API functions (template parameter ``ApiSnapStart``).

With SnapStart on, Lambda runs a function's initialisation once, when a version is
published, snapshots the execution environment, and resumes each cold start from that
snapshot instead of importing the code again. Several environments resume from one
snapshot, so what the snapshot holds must not be unique to one process or tied to the
moment it was taken (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html):

* before the snapshot, the function's dependencies are built (the composition root's
  repositories, the DynamoDB client and the SDK's service model), so the snapshot holds
  them and the first request does not build them;
* after each restore: Python's ``random`` is seeded again (the snapshot froze its state:
  every environment would draw the same jitter); the id generator's monotonic sequence
  starts afresh (ids take their randomness from ``os.urandom``, which the kernel supplies
  anew, but the sequence's last value is in the snapshot); the clients' pooled
  connections are closed (their sockets belong to the process that was snapshotted).

Credentials need nothing: a SnapStart function gets them from Lambda's container
credentials endpoint, which the SDK reads and refreshes itself, rather than from
variables set at initialisation. Nothing else here is bound to the time of the snapshot:
cached SSM values expire by their age, settings come from the environment.

Lambda's Python runtime includes ``snapshot_restore_py``; without SnapStart it never
calls the hooks.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from snapshot_restore_py import register_after_restore, register_before_snapshot

from hoa_billing.core.clock import forget_last_id
from hoa_billing.data import aws


def after_restore() -> None:
    random.seed()
    forget_last_id()
    aws.close_connections()


def prepare(build: Callable[[], Any]) -> None:
    """Register this function's hooks: ``build`` (its dependencies) runs before the
    snapshot, ``after_restore`` after each restore."""

    def before_snapshot() -> None:
        build()
        aws.client("dynamodb")

    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
