"""What the bots remember between messages, in this process's memory, bounded.

- :class:`Conversations`: the latest turns of each chat (one-to-one) or thread (group),
  keyed by platform + conversation id, so "那谁牵头？" after a question reads it as the
  page does. A conversation left alone for ``ttl_s`` is forgotten; at most
  ``max_conversations`` are kept, the least recently used going first.
- :class:`Seen`: the delivery ids already taken (event ids, message ids), so a
  platform's retry of a message is answered once.

Both are thread-safe (answers finish in worker threads) and take a clock, so expiry is
testable. Several server processes would each have their own: see the README
("Messaging bots") for what a multi-replica deployment uses instead.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable

from service.query import Turn

# Retries come within seconds (WeCom, Slack) to hours (Feishu: 5 s, 5 min, 1 h, 6 h).
SEEN_TTL_S = 12 * 3600
SEEN_MAX = 100_000


class Conversations:
    """The last ``max_turns`` turns of each conversation, forgotten after ``ttl_s`` idle.

    >>> now = [0.0]
    >>> store = Conversations(ttl_s=1800, max_turns=2, clock=lambda: now[0])
    >>> store.add(("slack", "D1"), Turn("user", "铁路谁牵头？"), Turn("assistant", "…【任务7】"))
    >>> store.add(("slack", "D1"), Turn("user", "那参与的呢？"))
    >>> [turn.text for turn in store.history(("slack", "D1"))]
    ['…【任务7】', '那参与的呢？']
    >>> store.history(("slack", "D2"))
    ()
    >>> now[0] = 1801.0
    >>> store.history(("slack", "D1"))
    ()
    """

    def __init__(
        self,
        *,
        ttl_s: float = 1800,
        max_turns: int = 6,
        max_conversations: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_conversations < 1:
            raise ValueError("max_conversations must be at least 1")
        self.ttl_s = ttl_s
        self.max_turns = max_turns
        self.max_conversations = max_conversations
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (when last used, turns); least recently used first
        self._chats: OrderedDict[Hashable, tuple[float, deque[Turn]]] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._chats)

    def _expire(self, now: float) -> None:
        while self._chats:
            key, (used, _) = next(iter(self._chats.items()))
            if now - used < self.ttl_s:
                break
            del self._chats[key]

    def history(self, key: Hashable) -> tuple[Turn, ...]:
        """The remembered turns of ``key``, oldest first (empty when none or expired)."""
        with self._lock:
            self._expire(self._clock())
            found = self._chats.get(key)
            return tuple(found[1]) if found else ()

    def add(self, key: Hashable, *turns: Turn) -> None:
        """Append ``turns`` to ``key``'s conversation (keeping the last ``max_turns``)."""
        if self.max_turns == 0 or self.ttl_s <= 0:
            return
        with self._lock:
            now = self._clock()
            self._expire(now)
            found = self._chats.pop(key, None)
            kept = found[1] if found else deque(maxlen=self.max_turns)
            kept.extend(turns)
            self._chats[key] = (now, kept)
            while len(self._chats) > self.max_conversations:
                self._chats.popitem(last=False)


class Seen:
    """A bounded set of ids with expiry: :meth:`first` is true once per id.

    >>> now = [0.0]
    >>> seen = Seen(ttl_s=60, clock=lambda: now[0])
    >>> seen.first("evt-1"), seen.first("evt-1"), seen.first("evt-2")
    (True, False, True)
    >>> now[0] = 61.0
    >>> seen.first("evt-1")
    True
    """

    def __init__(
        self,
        *,
        ttl_s: float = SEEN_TTL_S,
        max_ids: int = SEEN_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_ids = max_ids
        self._clock = clock
        self._lock = threading.Lock()
        self._ids: OrderedDict[Hashable, float] = OrderedDict()  # id -> first seen, oldest first

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            self._expire(self._clock())
            return key in self._ids

    def _expire(self, now: float) -> None:
        while self._ids:
            key, when = next(iter(self._ids.items()))
            if now - when < self.ttl_s:
                break
            del self._ids[key]

    def first(self, *keys: Hashable) -> bool:
        """Record ``keys``; true when none of them was seen before (a new delivery).

        Several keys name one message in several ways (Feishu's event id and message
        id): a repeat of any of them is a repeat.
        """
        with self._lock:
            now = self._clock()
            self._expire(now)
            new = not any(key in self._ids for key in keys)
            for key in keys:
                self._ids.pop(key, None)
                self._ids[key] = now
            while len(self._ids) > self.max_ids:
                self._ids.popitem(last=False)
            return new
