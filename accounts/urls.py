from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.decorators import reauth_required
from accounts.forms import EmailAuthenticationForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("2fa/backup-codes/", views.otp_backup_codes, name="otp_backup_codes"),
    path("2fa/disable/", views.otp_disable, name="otp_disable"),
    path("reauthenticate/", views.reauthenticate, name="reauthenticate"),
    path("email/", views.email_change, name="email_change"),
    path("logins/", views.login_history, name="login_history"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path(
        "password/change/",
        reauth_required(views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done"))),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="emails/password_reset_body.txt",
            subject_template_name="emails/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", views.account, name="account"),
]
