"""Load demo data. Idempotent: running it twice does not duplicate anything.

Each app that has demo data provides `<app>.demo.seed(command, options)`; they run in order."""

from __future__ import annotations

import importlib
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from crm.demo import DEMO_PASSWORD, DEMO_USERS, seed_users

SEEDERS = ["crm.demo", "boards.demo", "campaigns.demo", "boards.reporting.demo"]


class Command(BaseCommand):
    help = "Create demo users (one per role) and a believable demo world. Safe to run repeatedly."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contacts", type=int, default=None, help="Scale the registry to N contacts.")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with transaction.atomic():
            seed_users()
        for module_name in SEEDERS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue
            seed = getattr(module, "seed", None)
            if seed is not None:
                seed(self, options)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s."))
        if not options["quiet_logins"]:
            self.stdout.write(f"\nDemo logins (password for each: {DEMO_PASSWORD}):")
            for demo in DEMO_USERS:
                self.stdout.write(f"  {demo.role.label:<15} {demo.email}")
