from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.contrib.auth.models import Group, Permission
        from django.contrib.contenttypes.models import ContentType
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from accounts import receivers
        from accounts.backends import bump_permission_stamp, bump_permission_stamp_after_migrate
        from accounts.models import User
        from accounts.roles import sync_role_permissions

        # Permissions only exist after every app has migrated, so roles are synced afterwards.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
        # Anything that can change somebody's permissions or group names replaces the stamp the
        # permission backend keeps them under (accounts.backends.ModelBackend).
        post_migrate.connect(bump_permission_stamp_after_migrate, sender=self, dispatch_uid="accounts.stamp_migrate")
        for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(
                bump_permission_stamp, sender=through, dispatch_uid=f"accounts.stamp_{through.__name__}"
            )
        for model in (Group, Permission, ContentType):
            for signal in (post_save, post_delete):
                signal.connect(bump_permission_stamp, sender=model, dispatch_uid=f"accounts.stamp_{model.__name__}")
        auth_signals.user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="accounts.logged_in")
        auth_signals.user_logged_out.connect(receivers.on_user_logged_out, dispatch_uid="accounts.logged_out")
        auth_signals.user_login_failed.connect(receivers.on_user_login_failed, dispatch_uid="accounts.login_failed")
