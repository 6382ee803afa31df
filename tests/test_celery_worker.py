"""A real Celery worker, started here, takes the e-mail task from the broker and sends the message.

Needs a broker (CELERY_BROKER_URL, as CI sets it); without one the test is skipped, saying so. The worker
gets its own queue, so another worker on the same broker cannot take the task, and the file-based e-mail
backend, so the message can be read back. send_email_task needs no database.

The result is read under `allow_join_result()`: this client is not inside a task, but Celery keeps "a task
is running here" in one process-wide flag that each eager task sets and then restores. Eager tasks run by
two threads at once (the concurrency tests' checkouts send their e-mails eagerly) can restore it in the
wrong order and leave it set, and `get()` would then refuse to wait.
"""

import os
import uuid

import pytest
from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import allow_join_result

from benchmarks.celery_worker import celery_worker

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
RESULT_TIMEOUT = 60  # seconds, worker start-up included
STOP_TIMEOUT = 20

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not BROKER_URL, reason="no broker: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) "
                                              "to run a real Celery worker"),
]


@pytest.fixture
def mail_dir(tmp_path):
    return tmp_path / "mail"


@pytest.fixture
def worker_queue(tmp_path, mail_dir):
    """Starts `celery -A storefront worker` (solo pool) on a queue of its own; stops it afterwards."""
    queue = f"test-worker-{uuid.uuid4().hex}"
    env = {
        "DJANGO_SETTINGS_MODULE": "storefront.settings.base",
        "CELERY_BROKER_URL": BROKER_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    log_path = tmp_path / "worker.log"
    with celery_worker(queues=[queue], env=env, log_path=log_path, stop_timeout=STOP_TIMEOUT):
        yield queue, log_path


def test_a_real_worker_sends_the_email_task_taken_from_the_broker(worker_queue, mail_dir):
    queue, log_path = worker_queue
    client = Celery("worker-test-client", broker=BROKER_URL, backend=BROKER_URL)
    subject = f"Your order has shipped ({queue})"
    try:
        result = client.send_task(
            "storefront.send_email", queue=queue,
            kwargs={"subject": subject, "body": "It is on its way.", "to": ["oliver@example.com"]},
        )
        try:
            with allow_join_result():
                sent = result.get(timeout=RESULT_TIMEOUT)
        except CeleryTimeoutError:
            pytest.fail(f"no result within {RESULT_TIMEOUT}s; worker log:\n{log_path.read_text()}")
    finally:
        client.close()

    assert sent == 1
    messages = [path.read_text() for path in mail_dir.glob("*.log")]
    assert len(messages) == 1
    assert f"Subject: {subject}" in messages[0]
    assert "To: oliver@example.com" in messages[0]
