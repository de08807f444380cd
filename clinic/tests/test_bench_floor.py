from __future__ import annotations

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import clinic.urls

pytestmark = pytest.mark.django_db


def _reload_urls() -> None:
    importlib.reload(clinic.urls)
    clear_url_caches()


def test_the_bench_floor_is_not_routed_by_default(client):
    assert client.get("/bench/floor/").status_code == 404


def test_the_bench_floor_answers_a_constant_when_enabled(client):
    try:
        with override_settings(BENCH_FLOOR_VIEW=True):
            _reload_urls()
            response = client.get("/bench/floor/")
    finally:
        _reload_urls()  # the setting is off again: the floor is gone for every later test
    assert response.status_code == 200
    assert response.content == b"ok"
    assert client.get("/bench/floor/").status_code == 404
