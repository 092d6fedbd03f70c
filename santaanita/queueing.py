"""Publishing tasks when the broker may be down.

Work that a scan finds again (a pending delivery) is enqueued with ``enqueue_on_commit``:
when the broker does not answer, the failure is logged and the request that saved the
record goes on to its success page; the row stays pending and the periodic scan publishes
it once the broker is back. A 500 after the record was saved would make a resident send the
form again for a registration that exists.

Only the broker's own error is tolerated: in the embedded mode tasks run eagerly here, and
an error of the task itself still propagates as before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_each(task: Task[..., object], calls: Sequence[tuple[object, ...]]) -> int:
    """Publish ``task(*args)`` for each ``args`` in ``calls``; returns how many went out.

    Stops at the first broker failure (logged): the rest would each wait for the same dead
    broker, and all of them are found again by the scan.
    """
    for published, args in enumerate(calls):
        try:
            task.delay(*args)
        except OperationalError as exc:
            logger.warning(
                "Broker unreachable, %d × %s left for the next scan: %s",
                len(calls) - published,
                task.name,
                exc,
            )
            return published
    return len(calls)


def enqueue_on_commit(task: Task[..., object], calls: Sequence[tuple[object, ...]]) -> None:
    """``enqueue_each`` once the current transaction commits (see the module)."""
    transaction.on_commit(lambda: enqueue_each(task, calls))
