"""SMS gateways. settings.SMS_BACKEND names a class with `send(phone, text)`; the default one writes every message to
the console and the log (development, tests), and keeps the last messages in memory so that tests can read the
verification code a citizen would have received. Nothing calls a gateway directly: SMS are queued with
notifications.services.queue_sms and delivered by the worker (notifications.delivery)."""

import logging
import sys
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger("tiaojie.sms")


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str
    at: datetime


class ConsoleBackend:
    """Development backend: nothing leaves the machine."""

    outbox: deque[SentSms] = deque(maxlen=200)
    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        with self._lock:
            self.outbox.append(SentSms(phone, text, timezone.now()))
        logger.info("SMS to %s: %s", phone, text)
        print(f"[SMS → {phone}] {text}", file=sys.stderr, flush=True)

    @classmethod
    def last_to(cls, phone: str) -> SentSms | None:
        with cls._lock:
            for sms in reversed(cls.outbox):
                if sms.phone == phone:
                    return sms
        return None
