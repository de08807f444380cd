"""Locust scenario for bench/load.py: portal patients log in, browse, book and cancel.

Every simulated user is a different demo patient (patient<N>@demo.clinic from
BENCH_FIRST_PATIENT up), so django-axes never sees one account from many places. A booking
that loses a race for a slot answers 409 with alternatives: that is correct behaviour, counted
as "slot taken", not as an error.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import time
from html import unescape

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "clinic-demo-2026")
KIND = os.environ.get("BENCH_KIND", "")
MIN_LEAD_SECONDS = 26 * 3600  # book past the cancellation cut-off (24 h), so cancelling is allowed
_numbers = itertools.count(int(os.environ.get("BENCH_FIRST_PATIENT", "5001")))

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SLOT = re.compile(r'href="(/appointments/book/confirm/\?[^"]+)"')
START = re.compile(r"start=(\d+)")
BOOKED = re.compile(r"^/appointments/(\d+)/$")


def _csrf(text: str) -> str | None:
    match = CSRF.search(text)
    return match.group(1) if match else None


class PortalPatient(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.email = f"patient{next(_numbers)}@demo.clinic"
        self.booked: list[str] = []
        form = self.client.get("/accounts/login/", name="login form")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.email, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(form.text) or ""},
            allow_redirects=False,
            catch_response=True,
            name="login",
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.email} answered {response.status_code}")

    @task(3)
    def browse(self) -> None:
        self.client.get("/", name="portal home")
        self.client.get("/appointments/", name="my appointments")
        self.client.get("/records/", name="my record")

    @task(2)
    def book(self) -> None:
        week = self.client.get(
            f"/appointments/book/?specialty=general_practice&appointment_type={KIND}", name="slot finder"
        )
        later = [
            unescape(url)
            for url in SLOT.findall(week.text)
            if int(START.search(url).group(1)) > time.time() + MIN_LEAD_SECONDS
        ]
        if not later:
            return
        url = random.choice(later)
        confirm = self.client.get(url, name="booking confirm page")
        token = _csrf(confirm.text)
        if token is None:
            return
        fields = dict(pair.split("=", 1) for pair in url.split("?", 1)[1].split("&"))
        with self.client.post(
            "/appointments/book/confirm/",
            data={**fields, "reason": "Load test", "csrfmiddlewaretoken": token},
            allow_redirects=False,
            catch_response=True,
            name="book",
        ) as response:
            if response.status_code == 302 and BOOKED.match(response.headers.get("Location", "")):
                self.booked.append(BOOKED.match(response.headers["Location"]).group(1))
            elif response.status_code == 409:
                response.success()  # someone else took the slot first: the right answer
                self.environment.events.request.fire(
                    request_type="INFO", name="slot taken (409)", response_time=0, response_length=0, exception=None
                )
            else:
                response.failure(f"booking answered {response.status_code}")

    @task(1)
    def cancel(self) -> None:
        if not self.booked:
            return
        pk = self.booked.pop()
        page = self.client.get(f"/appointments/{pk}/cancel/", name="cancel page")
        token = _csrf(page.text)
        if token is None:
            return
        with self.client.post(
            f"/appointments/{pk}/cancel/",
            data={"reason": "Load test", "csrfmiddlewaretoken": token},
            allow_redirects=False,
            catch_response=True,
            name="cancel",
        ) as response:
            if response.status_code != 302:
                response.failure(f"cancel answered {response.status_code}")
