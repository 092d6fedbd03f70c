"""Ten requests for a code to one number at the same moment: the limit still holds.

On PostgreSQL (READ COMMITTED) two transactions could both count four codes and both send a
fifth and sixth; the gate rows locked before counting make them count one after the other.
Run on SQLite and, in CI's PostgreSQL stage, on PostgreSQL."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import connection

from platform_app.codes.services import CodeLimitError, code_request_record
from platform_app.models import CodeRequest
from tests.conftest import TRANSACTIONAL

pytestmark = TRANSACTIONAL


def test_simultaneous_requests_for_one_number_never_exceed_its_limit():
    attempts = 2 * settings.PHONE_CODES_PER_NUMBER_HOUR
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []
    lock = threading.Lock()

    def ask(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            code_request_record(
                phone="+51987654321", ip=f"10.0.0.{index}", purpose=CodeRequest.Purpose.SIGN_IN
            )
            result = "sent"
        except CodeLimitError:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    limit = settings.PHONE_CODES_PER_NUMBER_HOUR
    assert sorted(outcomes) == ["refused"] * (attempts - limit) + ["sent"] * limit
    assert CodeRequest.objects.filter(phone="+51987654321").count() == limit
