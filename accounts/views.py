from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own account page: security settings and links."""
    return render(request, "accounts/account.html")
