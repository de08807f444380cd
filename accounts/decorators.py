from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login

from accounts import security


def reauth_required(view):
    """Ask for the password (and the 2FA code, where enrolled) again unless given recently.

    Guards changes of e-mail, password and two-factor settings: a session left open on a
    shared computer must not be enough to take the account over.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if security.recently_authenticated(request):
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path(), "accounts:reauthenticate")

    return wrapped
