"""clinic.memo.Memo: made once per key, nothing kept when making fails, emptied at its size."""

from __future__ import annotations

import pytest

from clinic.memo import Memo


def test_a_value_is_made_once_per_key():
    memo: Memo[str] = Memo(4)
    made = []
    for key in ("a", "b", "a", "a"):
        assert memo.get(key, lambda key=key: made.append(key) or key.upper()) == key.upper()
    assert made == ["a", "b"] and len(memo) == 2


def test_a_make_that_raises_keeps_nothing():
    memo: Memo[str] = Memo(4)

    def fail():
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            memo.get("a", fail)
    assert len(memo) == 0
    assert memo.get("a", lambda: "A") == "A"


def test_it_is_emptied_when_full():
    memo: Memo[int] = Memo(3)
    for n in range(3):
        memo.get(n, lambda n=n: n)
    assert len(memo) == 3
    assert memo.get(3, lambda: 3) == 3
    assert len(memo) == 1  # the three older values went
    made = []
    assert memo.get(0, lambda: made.append(0) or 0) == 0 and made == [0]
