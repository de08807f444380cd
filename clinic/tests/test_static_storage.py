"""clinic.storage.StaticStorage: the manifest's hashed URLs, worked out once per name."""

from __future__ import annotations

import json

import pytest

from clinic.storage import StaticStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    manifest = {"version": "1.1", "paths": {"css/site.css": "css/site.0123abcd.css"}, "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticStorage(location=str(tmp_path), base_url="/static/")


def test_the_url_is_the_manifests_hashed_name(storage):
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    # Kept: the manifest is read once when the storage starts, so the answer cannot change.
    storage.hashed_files["css/site.css"] = "css/site.ffff.css"
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"


def test_a_name_missing_from_the_manifest_raises_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
    assert len(storage._urls) == 0


def test_debug_gets_the_plain_name(storage, settings):
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    settings.DEBUG = True
    assert storage.url("css/site.css") == "/static/css/site.css"
    settings.DEBUG = False
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"


def test_production_uses_it():
    from clinic.tests.test_settings import PRODUCTION, _python

    code = "import clinic.settings as s; print(s.STORAGES['staticfiles']['BACKEND'])"
    done = _python(code, PRODUCTION)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clinic.storage.StaticStorage"
