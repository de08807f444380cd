"""What an uploaded file really is, judged from its first bytes (never its name or header)."""

from __future__ import annotations

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
