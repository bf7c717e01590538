"""The bots' memory: conversations with expiry and bounds, and the retries seen."""

from __future__ import annotations

import threading

import pytest

from service.bots.memory import Conversations, Seen
from service.query import Turn


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _turns(n: int) -> list[Turn]:
    return [Turn("user" if i % 2 == 0 else "assistant", f"turn {i}") for i in range(n)]


def test_a_conversation_keeps_its_last_turns() -> None:
    store = Conversations(max_turns=6)
    store.add(("feishu", "oc_1"), *_turns(8))
    assert [t.text for t in store.history(("feishu", "oc_1"))] == [f"turn {i}" for i in range(2, 8)]


def test_conversations_are_kept_apart_by_platform_and_id() -> None:
    store = Conversations()
    store.add(("slack", "X"), Turn("user", "slack question"))
    store.add(("feishu", "X"), Turn("user", "feishu question"))
    assert store.history(("slack", "X")) == (Turn("user", "slack question"),)
    assert store.history(("feishu", "X")) == (Turn("user", "feishu question"),)
    assert store.history(("dingtalk", "X")) == ()


def test_an_idle_conversation_expires_and_a_used_one_does_not() -> None:
    clock = Clock()
    store = Conversations(ttl_s=1800, clock=clock)
    store.add("idle", Turn("user", "a"))
    store.add("used", Turn("user", "b"))
    clock.now += 1000
    store.add("used", Turn("user", "c"))  # using it renews it
    clock.now += 900
    assert store.history("idle") == ()
    assert [t.text for t in store.history("used")] == ["b", "c"]
    assert len(store) == 1
    clock.now += 1800
    assert store.history("used") == () and len(store) == 0


def test_the_number_of_conversations_is_bounded_least_recently_used_first() -> None:
    store = Conversations(max_conversations=2)
    store.add("a", Turn("user", "1"))
    store.add("b", Turn("user", "2"))
    store.add("a", Turn("user", "3"))
    store.add("c", Turn("user", "4"))
    assert store.history("b") == ()
    assert len(store.history("a")) == 2 and len(store.history("c")) == 1
    assert len(store) == 2


@pytest.mark.parametrize("bounds", [{"max_turns": 0}, {"ttl_s": 0}])
def test_memory_can_be_turned_off(bounds) -> None:
    store = Conversations(**bounds)
    store.add("a", Turn("user", "1"))
    assert store.history("a") == () and len(store) == 0


def test_concurrent_use_keeps_the_bounds() -> None:
    store = Conversations(max_turns=6, max_conversations=50)
    seen = Seen(max_ids=100)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(400):
                store.add(f"chat-{(n * 7 + i) % 80}", Turn("user", str(i)))
                store.history(f"chat-{i % 80}")
                seen.first(f"{n}-{i}")
        except BaseException as err:  # pragma: no cover - the failure is the assert below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store) <= 50 and len(seen) <= 100
    assert all(len(store.history(f"chat-{k}")) <= 6 for k in range(80))


def test_seen_is_true_once_per_id_across_its_names() -> None:
    seen = Seen()
    assert seen.first(("feishu", "event", "e1"), ("feishu", "message", "m1"))
    # Another event for the same message (a re-push): a repeat.
    assert not seen.first(("feishu", "event", "e2"), ("feishu", "message", "m1"))
    assert ("feishu", "event", "e2") in seen
    assert seen.first(("feishu", "event", "e3"), ("feishu", "message", "m3"))


def test_seen_forgets_after_its_ttl_and_stays_bounded() -> None:
    clock = Clock()
    seen = Seen(ttl_s=60, max_ids=3, clock=clock)
    for key in "abcd":
        assert seen.first(key)
    assert len(seen) == 3 and "a" not in seen  # the oldest went first
    clock.now += 61
    assert seen.first("b") and len(seen) == 1
