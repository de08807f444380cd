from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts.roles import sync_role_permissions

        # Permissions only exist after every app has migrated, so roles are synced afterwards.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
