"""Django's ``migrate``, run as the owner role when DATABASE_OWNER_URL is set.

The schema belongs to the owner; the application's role (DATABASE_URL) owns nothing. After
migrating, the application's role is granted what it may do (core/db_roles.py), so a table a
migration adds is usable at once, and an append-only one only for SELECT and INSERT."""

from __future__ import annotations

import environ
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from core.db_roles import grant_app_role

CONNECTION_KEYS = ("USER", "PASSWORD")


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " As the owner role when DATABASE_OWNER_URL is set."

    def handle(self, *args, **options):
        owner_url = settings.DATABASE_OWNER_URL
        alias = options["database"]
        if not owner_url or alias != DEFAULT_DB_ALIAS:
            return super().handle(*args, **options)
        connection = connections[alias]
        owner = environ.Env.db_url_config(owner_url)
        app_role = connection.settings_dict["USER"]
        for key in ("ENGINE", "NAME", "HOST", "PORT"):
            if str(owner.get(key) or "") != str(connection.settings_dict.get(key) or ""):
                raise CommandError(f"DATABASE_OWNER_URL must name the same database as DATABASE_URL ({key}).")
        if owner["USER"] == app_role:
            raise CommandError("DATABASE_OWNER_URL and DATABASE_URL must use two different roles.")
        connection.close()
        original = {key: connection.settings_dict.get(key) for key in CONNECTION_KEYS}
        connection.settings_dict.update({key: owner.get(key) for key in CONNECTION_KEYS})
        try:
            super().handle(*args, **options)
            grant_app_role(connection=connection, app_role=app_role)
            if options["verbosity"] >= 1:
                self.stdout.write(f"Granted the application's role {app_role} its privileges.")
        finally:
            connection.close()
            connection.settings_dict.update(original)
