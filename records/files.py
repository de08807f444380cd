"""Uploaded files: what one really is, judged from its first bytes (never its name or
header), and a size limit applied while the upload streams in rather than after it arrived."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from records.models import Document

_MAGIC = (
    (b"%PDF-", Document.ContentType.PDF),
    (b"\x89PNG\r\n\x1a\n", Document.ContentType.PNG),
    (b"\xff\xd8\xff", Document.ContentType.JPEG),
)


def sniff_content_type(uploaded_file) -> str | None:
    """``application/pdf``, ``image/png``, ``image/jpeg`` or ``None`` for anything else."""
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


class OversizedUpload(UploadedFile):
    """Stands for a file that went past the size limit: ``size`` is how much was sent, the
    content is empty (none of it was kept), so the form's size check refuses it by name."""

    def __init__(self, *, name: str, size: int, content_type: str | None, charset: str | None):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class UploadSizeLimitHandler(FileUploadHandler):
    """Keeps no more than ``max_bytes`` (``DOCUMENT_MAX_BYTES``) of any one uploaded file.

    It is first in ``FILE_UPLOAD_HANDLERS``: set there, not per view, because the CSRF
    middleware reads the body before any view code could add it (documents are the only
    uploads, so one project-wide limit is theirs). It hands each chunk on to Django's handlers
    (memory or a temporary file, per ``FILE_UPLOAD_MAX_MEMORY_SIZE``;
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` still bounds the other fields) until the file passes the
    limit; that chunk and the rest are dropped, what the other handlers kept of the file is
    closed (a temporary file is deleted on close), and the field gets an ``OversizedUpload``,
    which the form refuses as "too large". The rest of the body is still read and thrown away,
    so the browser gets the form back rather than a reset connection; a hard cap on a whole
    request belongs to the proxy in front (nginx's ``client_max_body_size``).
    """

    def __init__(self, request=None, *, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = settings.DOCUMENT_MAX_BYTES if max_bytes is None else max_bytes
        self.oversized = False
        self._released = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        # A part that declares its length is refused before any of it is read.
        self.oversized = self.content_length is not None and self.content_length > self.max_bytes
        self._released = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.max_bytes:
            self.oversized = True
        if not self.oversized:
            return raw_data
        if not self._released:
            self._release_later_handlers_files()
        return None  # the later handlers get nothing more of this file

    def file_complete(self, file_size: int) -> OversizedUpload | None:
        if not self.oversized:
            return None  # the next handler returns the file it kept
        return OversizedUpload(
            name=self.file_name, size=file_size, content_type=self.content_type, charset=self.charset
        )

    def _release_later_handlers_files(self) -> None:
        """The later handlers never complete this file now: free what they hold of it (Django's
        parser relies on the same ``handler.file`` convention when it abandons a file)."""
        self._released = True
        handlers = list(self.request.upload_handlers) if self.request is not None else []
        for handler in handlers[handlers.index(self) + 1 :] if self in handlers else []:
            kept = getattr(handler, "file", None)
            if kept is not None:
                kept.close()
