"""Check every mapped row before anything is written, and plan what the write will do.

Lookups against the database are done once per file in bulk (areas, organisations, existing emails,
tags), never once per row, so a file of 50,000 rows checks in seconds. A row with any error is
rejected as a whole and reported by row and column; the rest go ahead."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection
from django.db.models.functions import Lower
from django.utils import timezone

from crm.models import (
    Contact,
    ContactEmail,
    ImportJob,
    LawfulBasis,
    LocalArea,
    Organisation,
    PractitionerGroup,
    Seniority,
    Tag,
)

from .columns import target_labels
from .readers import Table
from .values import (
    choice_lookup,
    parse_uk_date,
    parse_yes_no,
    split_emails,
    split_list,
    split_name,
    squash,
)

LOOKUP_CHUNK = 2000
ARRAY_CHUNK = 50_000
NOON = dt.time(12, 0)
ERROR = "error"
MATCH = "match"
NOTICE = "notice"

MATCH_ACTIONS = {
    "skip": "Leave the existing record as it is",
    "update": "Update the existing record with the values in the file",
    "create": "Create a new record anyway",
}

PRACTITIONER_GROUPS = choice_lookup(
    PractitionerGroup,
    {
        "health visitor": "health_visiting",
        "midwife": "midwifery",
        "GP": "general_practice",
        "teacher": "school_staff",
        "school": "school_staff",
        "social care": "childrens_social_care",
        "social worker": "childrens_social_care",
        "early help": "family_support",
        "family support": "family_support",
        "councillor": "elected_member",
    },
)
SENIORITIES = choice_lookup(
    Seniority,
    {
        "frontline": "frontline",
        "practitioner": "frontline",
        "team leader": "team_leader",
        "supervisor": "team_leader",
        "manager": "manager",
        "head of service": "senior",
        "assistant director": "senior",
        "director": "director",
        "chief executive": "director",
        "councillor": "elected",
    },
)
LAWFUL_BASES = choice_lookup(
    LawfulBasis,
    {
        "legitimate interests": "legitimate_interests",
        "legitimate interest": "legitimate_interests",
        "LI": "legitimate_interests",
        "professional": "legitimate_interests",
        "consented": "consent",
        "opt-in": "consent",
        "none": "none",
        "": "none",
    },
)
ORGANISATION_KINDS = choice_lookup(
    Organisation.Kind,
    {
        "LA": "local_authority",
        "council": "local_authority",
        "NHS": "nhs_trust",
        "NHS foundation trust": "nhs_trust",
        "ICB": "icb",
        "GP": "gp_practice",
        "GP surgery": "gp_practice",
        "school": "school",
        "academy": "school",
        "academy trust": "school",
        "police": "police",
        "housing association": "housing",
        "charity": "voluntary",
        "VCS": "voluntary",
        "VCSE": "voluntary",
        "family hub": "family_hub",
        "children's centre": "family_hub",
        "contact centre": "contact_centre",
    },
)
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "job_title": 200,
    "phone": 40,
    "consent_source": 200,
    "role": 200,
}


@dataclass
class Problem:
    row: int
    column: str
    message: str
    severity: str = ERROR

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "severity": self.severity}


@dataclass
class RowPlan:
    row: int
    values: dict[str, Any]
    # Which fields the file gave a value for: an update never blanks what the file left empty.
    present: set[str]
    action: str = "create"
    match_id: int | None = None


@dataclass
class Plan:
    kind: str
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)
    missing_organisations: dict[str, str] = field(default_factory=dict)  # lower name -> name as written
    total: int = 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "total": self.total,
            "create": self.count("create"),
            "update": self.count("update"),
            "skip": self.count("skip"),
            "rejected": len(self.rejected),
        }

    def problem_dicts(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in sorted(self.problems, key=lambda p: (p.row, p.severity != ERROR))]


@dataclass
class Options:
    match_action: str = "skip"
    create_missing_organisations: bool = False


def _chunks(values: Iterable[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def area_index() -> dict[str, int]:
    """{lower-case name or ONS code: area id}. Areas number in the hundreds, so read them all."""
    index: dict[str, int] = {}
    for pk, name, code in LocalArea.objects.values_list("pk", "name", "code"):
        index[name.lower()] = pk
        index[squash(name)] = pk
        if code:
            index[code.lower()] = pk
    return index


def organisations_named(names: Iterable[str]) -> dict[str, list[tuple[int, int | None, str]]]:
    """{lower name: [(id, area id, name)]} for the names given, read in chunks."""
    found: dict[str, list[tuple[int, int | None, str]]] = defaultdict(list)
    for chunk in _chunks({n.lower() for n in names}):
        rows = (
            Organisation.objects.annotate(lower_name=Lower("name"))
            .filter(lower_name__in=chunk)
            .order_by("pk")
            .values_list("lower_name", "pk", "area_id", "name")
        )
        for lower_name, pk, area_id, name in rows:
            found[lower_name].append((pk, area_id, name))
    return found


def contacts_with_emails(emails: Iterable[str]) -> dict[str, list[int]]:
    """{email: [contact ids]} over primary and other addresses (stored lower-case), read in chunks."""
    found: dict[str, list[int]] = defaultdict(list)
    for email, pk in _email_owners(list(emails)):
        if pk not in found[email.lower()]:
            found[email.lower()].append(pk)
    for ids in found.values():
        ids.sort()
    return found


def _email_owners(emails: list[str]) -> Iterator[tuple[str, int]]:
    if connection.vendor == "postgresql":
        # One array parameter instead of an IN list of thousands: binding 100,000 separate parameters took
        # longer than checking every row of the file.
        contact, other = Contact._meta.db_table, ContactEmail._meta.db_table
        with connection.cursor() as cursor:
            for chunk in _chunks(emails, ARRAY_CHUNK):
                cursor.execute(
                    f"SELECT email, id FROM {contact} WHERE erased_at IS NULL AND email = ANY(%s) "  # noqa: S608
                    f"UNION ALL SELECT o.email, o.contact_id FROM {other} o JOIN {contact} c ON c.id = o.contact_id "
                    "WHERE c.erased_at IS NULL AND o.email = ANY(%s)",
                    [chunk, chunk],
                )
                yield from cursor.fetchall()
        return
    for chunk in _chunks(emails):
        yield from Contact.objects.filter(email__in=chunk, erased_at__isnull=True).values_list("email", "pk")
        extra = ContactEmail.objects.filter(email__in=chunk, contact__erased_at__isnull=True)
        yield from extra.values_list("email", "contact_id")


def contact_names(ids: Iterable[int]) -> dict[int, str]:
    """{contact id: full name}, for the preview's notes on rows that match someone already there."""
    names: dict[int, str] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for chunk in _chunks(ids, ARRAY_CHUNK):
                cursor.execute(
                    f"SELECT id, first_name, last_name FROM {Contact._meta.db_table} WHERE id = ANY(%s)",  # noqa: S608
                    [chunk],
                )
                for pk, first, last in cursor.fetchall():
                    names[pk] = f"{first} {last}".strip()
        return names
    for chunk in _chunks(ids):
        for pk, first, last in Contact.objects.filter(pk__in=chunk).values_list("pk", "first_name", "last_name"):
            names[pk] = f"{first} {last}".strip()
    return names


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _one_organisation(
    candidates: list[tuple[int, int | None, str]], area_id: int | None
) -> tuple[int | None, str | None]:
    """Pick the organisation a name means; an error message when it could mean several."""
    if len(candidates) == 1:
        return candidates[0][0], None
    in_area = [c for c in candidates if area_id is not None and c[1] == area_id]
    if len(in_area) == 1:
        return in_area[0][0], None
    return None, (
        f"{len(candidates)} organisations are called “{candidates[0][2]}”. Give the contact’s local area "
        "so the right one can be chosen, or rename one of them."
    )


def validate(
    table: Table,
    mapping: dict[str, str],
    kind: str,
    options: Options,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    if kind == ImportJob.Kind.ORGANISATIONS:
        return _validate_organisations(table, mapping, options, progress)
    return _validate_contacts(table, mapping, options, progress)


class _Columns:
    """Where each mapped field is in a row, and the column name to show in a problem about it."""

    def __init__(self, table: Table, mapping: dict[str, str], kind: str) -> None:
        index = {h: i for i, h in enumerate(table.headers)}
        self.positions = {key: index[header] for header, key in mapping.items() if key and header in index}
        self.headers = {key: header for header, key in mapping.items() if key and header in index}
        self.labels = target_labels(kind)

    def column(self, key: str) -> str:
        return self.headers.get(key) or self.labels.get(key, key)

    def cell(self, cells: list[str], key: str) -> str:
        pos = self.positions.get(key)
        return cells[pos] if pos is not None else ""


def _validate_contacts(
    table: Table, mapping: dict[str, str], options: Options, progress: Callable[[int], None] | None
) -> Plan:
    plan = Plan(kind=ImportJob.Kind.CONTACTS, total=len(table.rows))
    columns = _Columns(table, mapping, ImportJob.Kind.CONTACTS)
    column, cell, positions, labels = columns.column, columns.cell, columns.positions, columns.labels

    # One pass to gather what needs looking up, then one bulk lookup of each kind.
    emails = {cell(c, "email").lower() for _, c in table.rows} - {""}
    org_names = {cell(c, "organisation") for _, c in table.rows} - {""}
    areas = area_index()
    organisations = organisations_named(org_names) if org_names else {}
    existing = contacts_with_emails(emails) if emails else {}
    names_by_id = contact_names({pk for pks in existing.values() for pk in pks}) if existing else {}
    seen_emails: dict[str, int] = {}
    seen_names: dict[tuple[str, str, str], int] = {}
    today = timezone.localdate()
    # Looked up once: asking for the current time zone on every row was a tenth of the check's time.
    london = timezone.get_current_timezone()

    for done, (row, cells) in enumerate(table.rows, start=1):
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        present: set[str] = set()

        def error(key: str, message: str, row: int = row, problems: list[Problem] = problems) -> None:
            problems.append(Problem(row, column(key), message))

        first, last = cell(cells, "first_name"), cell(cells, "last_name")
        full = cell(cells, "name")
        if full and not (first and last):
            split_first, split_last = split_name(full)
            first, last = first or split_first, last or split_last
        name_key = "name" if "name" in positions and "first_name" not in positions else "first_name"
        if not first:
            error(name_key, "The first name is missing.")
        if not last:
            error(
                "name" if "name" in positions and "last_name" not in positions else "last_name",
                "The last name is missing.",
            )
        values["first_name"], values["last_name"] = first, last
        present |= {"first_name", "last_name"} if first and last else set()

        for key in ("job_title", "phone", "consent_source", "role", "notes"):
            text = cell(cells, key)
            if text:
                limit = MAX_LENGTHS.get(key)
                if limit and len(text) > limit:
                    error(key, f"This is {len(text)} characters long; the most it can be is {limit}.")
                values[key] = text
                present.add(key)
        for key in ("first_name", "last_name"):
            if len(values[key]) > MAX_LENGTHS[key]:
                error(key, f"This is {len(values[key])} characters long; the most it can be is {MAX_LENGTHS[key]}.")

        email = cell(cells, "email").lower()
        if email:
            if not _valid_email(email):
                error("email", f"“{cell(cells, 'email')}” is not a valid email address.")
            else:
                values["email"] = email
                present.add("email")
                if email in seen_emails:
                    error(
                        "email", f"{email} is also on row {seen_emails[email]} of this file, so this row was left out."
                    )
                else:
                    seen_emails[email] = row

        other = cell(cells, "other_emails")
        if other:
            addresses = []
            for address in split_emails(other.lower()):
                if not _valid_email(address):
                    error("other_emails", f"“{address}” is not a valid email address.")
                elif address != email:
                    addresses.append(address)
            values["other_emails"] = addresses
            present.add("other_emails")

        for key, lookup, what in (
            ("practitioner_group", PRACTITIONER_GROUPS, PractitionerGroup),
            ("seniority", SENIORITIES, Seniority),
        ):
            text = cell(cells, key)
            if text:
                value = lookup.get(squash(text))
                if value is None:
                    allowed = ", ".join(str(label) for _, label in what.choices)
                    error(key, f"“{text}” is not a {labels[key].lower()} we know. Use one of: {allowed}.")
                else:
                    values[key] = value
                    present.add(key)

        area_text = cell(cells, "area")
        if area_text:
            area_id = areas.get(area_text.lower()) or areas.get(squash(area_text))
            if area_id is None:
                error("area", f"No local area is called or has the ONS code “{area_text}”. Add it first or correct it.")
            else:
                values["area_id"] = area_id
                present.add("area_id")

        org_text = cell(cells, "organisation")
        if org_text:
            candidates = organisations.get(org_text.lower())
            if candidates:
                org_id, ambiguity = _one_organisation(candidates, values.get("area_id"))
                if ambiguity:
                    error("organisation", ambiguity)
                else:
                    values["organisation_id"] = org_id
                    present.add("organisation")
            elif options.create_missing_organisations:
                plan.missing_organisations.setdefault(org_text.lower(), org_text)
                values["organisation_name"] = org_text
                present.add("organisation")
                problems.append(
                    Problem(row, column("organisation"), f"“{org_text}” is new and will be created.", NOTICE)
                )
            else:
                error(
                    "organisation",
                    f"No organisation is called “{org_text}”. Add it first, or tick “create missing organisations”.",
                )

        tags_text = cell(cells, "tags")
        if tags_text:
            tags = split_list(tags_text)
            for tag in tags:
                if len(tag) > 80:
                    error("tags", f"The tag “{tag[:30]}…” is longer than 80 characters.")
            values["tags"] = tags
            present.add("tags")

        basis_text = cell(cells, "lawful_basis")
        basis = None
        if basis_text:
            basis = LAWFUL_BASES.get(squash(basis_text))
            if basis is None:
                error("lawful_basis", f"“{basis_text}” is not a lawful basis. Use consent or legitimate interests.")
        consent_text = cell(cells, "consent_date")
        consent_date: dt.date | None = None
        if consent_text:
            consent_date = parse_uk_date(consent_text)
            if consent_date is None:
                error("consent_date", f"“{consent_text}” is not a date. Write it day first, like 22/11/2026.")
            elif consent_date > today:
                error("consent_date", f"The consent date {consent_date:%d/%m/%Y} is in the future.")
            elif basis is None and not basis_text:
                basis = LawfulBasis.CONSENT
        if basis == LawfulBasis.CONSENT and consent_date is None and not consent_text:
            error("lawful_basis", "Consent needs the date it was given: fill in the consent date column.")
        if basis:
            values["lawful_basis"] = basis
            present.add("lawful_basis")
        if consent_date:
            values["consent_given_at"] = timezone.make_aware(dt.datetime.combine(consent_date, NOON), london)
            present.add("consent_given_at")

        for key in ("email_opt_out", "do_not_contact"):
            text = cell(cells, key)
            if text:
                flag = parse_yes_no(text)
                if flag is None:
                    error(key, f"“{text}” is not yes or no.")
                else:
                    values[key] = flag
                    present.add(key)

        if not email and first and last:
            where = org_text.lower() or area_text.lower()
            name_key_seen = (first.lower(), last.lower(), where)
            if name_key_seen in seen_names:
                error(
                    name_key,
                    f"{first} {last} is also on row {seen_names[name_key_seen]} with no email to tell them apart, "
                    "so this row was left out.",
                )
            else:
                seen_names[name_key_seen] = row

        if any(p.severity == ERROR for p in problems):
            plan.rejected.add(row)
        else:
            plan_row = RowPlan(row=row, values=values, present=present)
            matches = existing.get(email, []) if email else []
            if matches:
                plan_row.match_id = matches[0]
                plan_row.action = options.match_action
                verb = {
                    "skip": "will be left as it is",
                    "update": "will be updated",
                    "create": "a new contact will be created anyway",
                }
                more = f" (and {len(matches) - 1} more)" if len(matches) > 1 else ""
                problems.append(
                    Problem(
                        row,
                        column("email"),
                        f"Matches existing contact {names_by_id.get(matches[0], '')} ({email}){more}: "
                        f"{verb[options.match_action]}.",
                        MATCH,
                    )
                )
            plan.rows.append(plan_row)
        plan.problems.extend(problems)
        if progress and done % 1000 == 0:
            progress(done)
    return plan


def _validate_organisations(
    table: Table, mapping: dict[str, str], options: Options, progress: Callable[[int], None] | None
) -> Plan:
    plan = Plan(kind=ImportJob.Kind.ORGANISATIONS, total=len(table.rows))
    columns = _Columns(table, mapping, ImportJob.Kind.ORGANISATIONS)
    column, cell = columns.column, columns.cell

    names = {cell(c, "name") for _, c in table.rows} | {cell(c, "parent") for _, c in table.rows}
    names.discard("")
    existing = organisations_named(names) if names else {}
    in_file = {cell(c, "name").lower() for _, c in table.rows} - {""}
    areas = area_index()
    url_ok = URLValidator(schemes=["http", "https"])
    seen: dict[tuple[str, int | None], int] = {}

    for done, (row, cells) in enumerate(table.rows, start=1):
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        present: set[str] = set()

        def error(key: str, message: str, row: int = row, problems: list[Problem] = problems) -> None:
            problems.append(Problem(row, column(key), message))

        name = " ".join(cell(cells, "name").split())
        if not name:
            error("name", "The organisation name is missing.")
        elif len(name) > 255:
            error("name", f"The name is {len(name)} characters long; the most it can be is 255.")
        values["name"] = name

        kind_text = cell(cells, "kind")
        if kind_text:
            kind = ORGANISATION_KINDS.get(squash(kind_text))
            if kind is None:
                allowed = ", ".join(str(label) for _, label in Organisation.Kind.choices)
                error("kind", f"“{kind_text}” is not a kind of organisation we know. Use one of: {allowed}.")
            else:
                values["kind"] = kind
                present.add("kind")

        area_text = cell(cells, "area")
        if area_text:
            area_id = areas.get(area_text.lower()) or areas.get(squash(area_text))
            if area_id is None:
                error("area", f"No local area is called or has the ONS code “{area_text}”. Add it first or correct it.")
            else:
                values["area_id"] = area_id
                present.add("area_id")

        address = cell(cells, "address")
        if address:
            values["address"] = address
            present.add("address")

        postcode = cell(cells, "postcode").upper()
        if postcode:
            match = POSTCODE.match(" ".join(postcode.split()))
            if not match:
                error("postcode", f"“{postcode}” is not a UK postcode.")
            else:
                values["postcode"] = f"{match.group(1)} {match.group(2)}"
                present.add("postcode")

        website = cell(cells, "website")
        if website:
            url = website if "://" in website else f"https://{website}"
            try:
                url_ok(url)
            except ValidationError:
                error("website", f"“{website}” is not a web address.")
            else:
                values["website"] = url
                present.add("website")

        phone = cell(cells, "phone")
        if phone:
            if len(phone) > 40:
                error("phone", "The phone number is longer than 40 characters.")
            values["phone"] = phone
            present.add("phone")

        email = cell(cells, "email").lower()
        if email:
            if not _valid_email(email):
                error("email", f"“{cell(cells, 'email')}” is not a valid email address.")
            else:
                values["email"] = email
                present.add("email")

        parent = cell(cells, "parent")
        if parent:
            if parent.lower() == name.lower():
                error("parent", "An organisation cannot be part of itself.")
            elif parent.lower() in existing:
                parent_id, ambiguity = _one_organisation(existing[parent.lower()], None)
                if ambiguity:
                    error("parent", ambiguity)
                values["parent_id"] = parent_id
                present.add("parent")
            elif parent.lower() in in_file:
                values["parent_name"] = parent
                present.add("parent")
            else:
                error("parent", f"No organisation is called “{parent}”, in the registry or in this file.")

        if name:
            key = (name.lower(), values.get("area_id"))
            if key in seen:
                error("name", f"{name} is also on row {seen[key]} of this file, so this row was left out.")
            else:
                seen[key] = row

        if any(p.severity == ERROR for p in problems):
            plan.rejected.add(row)
        else:
            plan_row = RowPlan(row=row, values=values, present=present)
            candidates = existing.get(name.lower(), [])
            if candidates:
                match_id, ambiguity = _one_organisation(candidates, values.get("area_id"))
                plan_row.match_id = match_id or candidates[0][0]
                plan_row.action = options.match_action
                verb = {
                    "skip": "will be left as it is",
                    "update": "will be updated",
                    "create": "a new one will be created anyway",
                }
                problems.append(
                    Problem(
                        row,
                        column("name"),
                        f"Matches existing organisation {name}: {verb[options.match_action]}.",
                        MATCH,
                    )
                )
            plan.rows.append(plan_row)
        plan.problems.extend(problems)
        if progress and done % 1000 == 0:
            progress(done)
    return plan


def existing_tags(names: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks({n.lower() for n in names}):
        for lower, pk in Tag.objects.annotate(lower=Lower("name")).filter(lower__in=chunk).values_list("lower", "pk"):
            found[lower] = pk
    return found
