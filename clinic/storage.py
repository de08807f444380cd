"""Static files storage for production (``DEBUG`` off): WhiteNoise's compressed manifest storage,
with each file's URL worked out once per process.

``{% static %}`` asks the storage for the hashed URL of a name on every use: split the name, look
it up in the manifest, join and unquote it again, about 110 Python calls each, eight times on an
admin page. The manifest is read once when the storage starts and never changes while the
process runs, so the answer for a name does not change either."""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from clinic.memo import Memo


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: Memo[str] = Memo(2048)

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        # In DEBUG the storage answers with the unhashed name. A name missing from the manifest
        # raises, and is not kept.
        hashed_url = super().url
        return self._urls.get((name, settings.DEBUG), lambda: hashed_url(name))
