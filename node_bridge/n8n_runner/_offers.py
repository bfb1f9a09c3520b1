"""The runner's open task offers: n8n hands a task only to a runner with a live offer, and
offers lapse, so the runner keeps topping them up to its free slots."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass

from .messages import RunnerTaskOffer

__all__ = ["OFFER_JITTER_MS", "OfferBook"]

OFFER_JITTER_MS = 500  # spreads offer expiry so offers do not all lapse at once
EXPIRY_MARGIN = 0.1  # seconds: forget an offer before the broker does


@dataclass
class _Offer:
    task_type: str
    valid_until: float  # time.monotonic()


class OfferBook:
    def __init__(self, types: list[str], valid_for_seconds: float) -> None:
        self._types = types
        self._valid_for_ms = valid_for_seconds * 1000
        self._offers: dict[str, _Offer] = {}

    def clear(self) -> None:
        self._offers.clear()

    def take(self, offer_id: str) -> str | None:
        """The task type of a live offer, which is used up; `None` if it lapsed."""
        offer = self._offers.pop(offer_id, None)
        return None if offer is None else offer.task_type

    def top_up(self, free_slots: int) -> list[RunnerTaskOffer]:
        """Drop lapsed offers; keep `free_slots` open per task type. Offering more in total
        than there are slots is safe: extra accepts are rejected, and the broker then matches
        the request with the next offer."""
        now = time.monotonic()
        self._offers = {k: o for k, o in self._offers.items() if o.valid_until > now}
        new: list[RunnerTaskOffer] = []
        for task_type in self._types:
            open_now = sum(1 for o in self._offers.values() if o.task_type == task_type)
            for _ in range(max(0, free_slots - open_now)):
                valid_ms = int(self._valid_for_ms + random.randint(0, OFFER_JITTER_MS))
                offer_id = uuid.uuid4().hex
                self._offers[offer_id] = _Offer(task_type,
                                                now + valid_ms / 1000 - EXPIRY_MARGIN)
                new.append(RunnerTaskOffer(offer_id=offer_id, task_type=task_type,
                                           valid_for=valid_ms))
        return new
