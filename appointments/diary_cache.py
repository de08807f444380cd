"""A per-process cache of the slot finder's free times: one entry per provider, local week and
visit length, holding every free start of that week (past ones too; the page cuts them to the
booking notice and horizon after reading).

Entries are keyed by the provider's ``diary_version``, which every write that can change the
diary changes in its own transaction (``services.provider_diary_bump``) and which the page reads
with the providers, in its own query. A worker therefore serves free times at least as fresh as
that read, whichever worker (or admin, or command) wrote last: no message between processes and
no expiry is needed. Old versions are never read again; they age out of the LRU order.

Free times are not patient data: nothing here depends on who asks.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Hashable, Iterable

# About 1.3 kB a full week; a hundred clinicians' thirteen weeks of two visit lengths fit twice.
MAX_ENTRIES = 4096

_entries: OrderedDict[Hashable, array] = OrderedDict()
_lock = threading.Lock()


def get(key: Hashable) -> array | None:
    with _lock:
        epochs = _entries.get(key)
        if epochs is not None:
            _entries.move_to_end(key)
        return epochs


def put(key: Hashable, epochs: Iterable[int]) -> array:
    """Keep ``epochs`` (sorted Unix seconds) under ``key``; returns the stored copy."""
    stored = array("q", epochs)
    with _lock:
        _entries[key] = stored
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return stored


def clear() -> None:
    with _lock:
        _entries.clear()
