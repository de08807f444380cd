from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals

        from accounts import receivers
        from accounts.roles import sync_role_permissions

        # Permissions only exist after every app has migrated, so roles are synced afterwards.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
        auth_signals.user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="accounts.logged_in")
        auth_signals.user_logged_out.connect(receivers.on_user_logged_out, dispatch_uid="accounts.logged_out")
        auth_signals.user_login_failed.connect(receivers.on_user_login_failed, dispatch_uid="accounts.login_failed")
