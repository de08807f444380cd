"""Document uploads: an oversized file is dropped while it streams in, and the staff member gets
the form back with a clear error; nothing of it is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.test import RequestFactory

from records.files import OversizedUpload, UploadSizeLimitHandler
from records.models import Document
from records.tests.factories import CareRelationshipFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/records/document/add/"
LIMIT = 100 * 1024
PDF_HEAD = b"%PDF-1.4\n"


def _pdf(size: int, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_HEAD + b"0" * (size - len(PDF_HEAD)), content_type="application/pdf")


def _stored_files(settings) -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


class _Counting(FileUploadHandler):
    """Counts the bytes that reach Django's own handlers (placed just before them)."""

    received = 0

    def receive_data_chunk(self, raw_data, start):
        type(self).received += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture
def upload_settings(settings, tmp_path):
    """A 100 KiB limit, and every upload over 1 KiB streamed to a temporary file we can watch."""
    settings.DOCUMENT_MAX_BYTES = LIMIT
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    first, *django_handlers = settings.FILE_UPLOAD_HANDLERS
    assert first == "records.files.UploadSizeLimitHandler"
    settings.FILE_UPLOAD_HANDLERS = [first, f"{__name__}._Counting", *django_handlers]
    _Counting.received = 0
    return settings


@pytest.fixture
def uploader(client, doctor, patient):
    CareRelationshipFactory(staff=doctor, patient=patient)
    client.force_login(doctor)
    return client


def _post(client, patient, upload):
    return client.post(
        ADD_URL, {"patient": patient.pk, "title": "Scan from the referral", "kind": "other", "upload": upload}
    )


def test_an_oversized_upload_gets_the_form_back_with_the_size_error_and_stores_nothing(
    uploader, patient, upload_settings, tmp_path
):
    before = _stored_files(upload_settings)
    response = _post(uploader, patient, _pdf(3 * LIMIT))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["upload"] == ["The file is too large (at most 0.1 MB)."]
    assert form["title"].value() == "Scan from the referral"  # the other fields survive
    assert 0 < _Counting.received <= LIMIT  # the rest of the file was never kept anywhere
    assert not Document.objects.exists()
    assert _stored_files(upload_settings) == before
    assert list(tmp_path.iterdir()) == []


def test_an_upload_of_exactly_the_limit_is_stored(uploader, patient, upload_settings, tmp_path):
    response = _post(uploader, patient, _pdf(LIMIT))
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.size == LIMIT
    assert document.file.size == LIMIT


def test_a_small_upload_kept_in_memory_is_stored(uploader, patient, upload_settings):
    upload_settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * LIMIT
    assert _post(uploader, patient, _pdf(1000)).status_code == 302
    assert Document.objects.get().size == 1000


def test_the_handlers_after_the_limit_get_no_byte_past_it_and_their_temporary_file_is_deleted(
    upload_settings, tmp_path
):
    # The file field comes first: the field after it must still be read.
    request = RequestFactory().post(ADD_URL, {"upload": _pdf(5 * LIMIT), "title": "after the file"})
    disk = TemporaryFileUploadHandler(request)
    request.upload_handlers = [UploadSizeLimitHandler(request, max_bytes=LIMIT), _Counting(request), disk]

    upload = request.FILES["upload"]
    assert isinstance(upload, OversizedUpload)
    assert upload.size == 5 * LIMIT
    assert upload.read() == b""
    assert request.POST["title"] == "after the file"
    assert 0 < _Counting.received <= LIMIT
    assert disk.file.closed
    assert list(tmp_path.iterdir()) == []  # deleted now, not when the request is collected


def test_a_file_within_the_limit_passes_through_untouched(upload_settings):
    request = RequestFactory().post(ADD_URL, {"upload": _pdf(LIMIT - 1)})  # the handlers from the settings
    upload = request.FILES["upload"]
    assert not isinstance(upload, OversizedUpload)
    assert upload.read().startswith(PDF_HEAD)
    assert upload.size == LIMIT - 1
