"""Load or refresh the English upper-tier local authorities from crm/data/local_areas.csv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.services.areas import LOCAL_AREAS_CSV, load_local_areas


class Command(BaseCommand):
    help = "Create or update the ONS local areas (keyed on their code). Safe to run repeatedly."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=LOCAL_AREAS_CSV, help="A CSV with code,name,kind,region.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"No file at {path}.")
        try:
            result = load_local_areas(path=path)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"Could not load {path.name}: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Local areas: {result.created} added, {result.updated} updated, {result.unchanged} already up to date."
            )
        )
