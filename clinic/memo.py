"""Values worked out once per key and process (rendered menus, URLs), bounded in size."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """A per-process dict filled by ``get(key, make)``. For values that depend on nothing but
    their key (which must name everything they depend on); when it holds ``size`` values it is
    emptied, so keys that stop being asked for cannot pile up. A ``make`` that raises keeps
    nothing."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: dict[Hashable, V] = {}

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        value = self._values.get(key)
        if value is None:
            value = make()
            if len(self._values) >= self.size:
                self._values.clear()
            self._values[key] = value
        return value

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
