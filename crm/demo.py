"""Demo data for `make run`: one user per role, and (from the registry on) a believable world.
Every function is idempotent: it looks records up by a natural key before creating them."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import (
    Affiliation,
    Contact,
    LawfulBasis,
    LocalArea,
    Organisation,
    PractitionerGroup,
    Seniority,
    Tag,
    TimelineEntry,
    User,
)
from .roles import Role
from .services.areas import load_local_areas
from .services.tags import tags_from_names

DEMO_PASSWORD = "common-ground-demo"  # noqa: S105 - printed by make run; demo only


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role


DEMO_USERS = [
    DemoUser("admin@example.org", "Amira Admin", Role.ADMIN),
    DemoUser("leader@example.org", "Lee Leader", Role.LEADER),
    DemoUser("campaigns@example.org", "Cam Campaigner", Role.CAMPAIGN_STAFF),
    DemoUser("viewer@example.org", "Vic Viewer", Role.VIEWER),
]


def seed_users() -> list[User]:
    users = []
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=demo.email, defaults={"full_name": demo.full_name, "is_staff": demo.role == Role.ADMIN}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=demo.role.label)])
        users.append(user)
    return users


# --- The registry's demo world -----------------------------------------------------------------------
# Deterministic: contact n always has the same name, email and organisation, so a re-run finds what exists
# (by email, organisation name, tag name) and tops up only what is missing. Bulk writes in batches keep
# `seed_demo --contacts 100000` well under a minute on PostgreSQL.

DEMO_AREAS = [
    ("Manchester", "manchester"),
    ("Lancashire", "lancashire"),
    ("Leeds", "leeds"),
    ("Kent", "kent"),
    ("Bristol, City of", "bristol"),
    ("Hackney", "hackney"),
    ("Cornwall", "cornwall"),
]
DEMO_TAGS = ["pilot area", "champion", "newsletter", "2026 conference", "family hubs programme"]
DEFAULT_DEMO_CONTACTS = 140
BATCH_SIZE = 5000

ORGANISATION_NAMES = [
    (Organisation.Kind.LOCAL_AUTHORITY, "{area} Council"),
    (Organisation.Kind.NHS_TRUST, "{area} Community Health NHS Trust"),
    (Organisation.Kind.ICB, "NHS {area} Integrated Care Board"),
    (Organisation.Kind.GP_PRACTICE, "{area} Road Medical Practice"),
    (Organisation.Kind.SCHOOL, "{area} Learning Trust"),
    (Organisation.Kind.POLICE, "{area} Police"),
    (Organisation.Kind.HOUSING, "{area} Homes"),
    (Organisation.Kind.CAFCASS, "Cafcass {area} team"),
    (Organisation.Kind.CONTACT_CENTRE, "{area} Child Contact Centre"),
    (Organisation.Kind.FAMILY_HUB, "{area} Family Hub"),
    (Organisation.Kind.VOLUNTARY, "{area} Parents Together"),
    (Organisation.Kind.OTHER, "{area} Relationships Forum"),
]
# Where each practitioner group works, and what they are called there.
GROUP_PLACES = {
    PractitionerGroup.MIDWIFERY: (Organisation.Kind.NHS_TRUST, "Community midwife"),
    PractitionerGroup.HEALTH_VISITING: (Organisation.Kind.NHS_TRUST, "Health visitor"),
    PractitionerGroup.GENERAL_PRACTICE: (Organisation.Kind.GP_PRACTICE, "GP partner"),
    PractitionerGroup.SCHOOL_STAFF: (Organisation.Kind.SCHOOL, "Designated safeguarding lead"),
    PractitionerGroup.CAMHS: (Organisation.Kind.NHS_TRUST, "CAMHS clinical psychologist"),
    PractitionerGroup.POLICE: (Organisation.Kind.POLICE, "Domestic abuse officer"),
    PractitionerGroup.HOUSING: (Organisation.Kind.HOUSING, "Tenancy support officer"),
    PractitionerGroup.CHILDRENS_SOCIAL_CARE: (Organisation.Kind.LOCAL_AUTHORITY, "Social worker"),
    PractitionerGroup.CAFCASS: (Organisation.Kind.CAFCASS, "Family court adviser"),
    PractitionerGroup.FAMILY_SUPPORT: (Organisation.Kind.FAMILY_HUB, "Family hub practitioner"),
    PractitionerGroup.ELECTED_MEMBER: (Organisation.Kind.LOCAL_AUTHORITY, "Cabinet member for children"),
    PractitionerGroup.SENIOR_LEADER: (Organisation.Kind.ICB, "Director of children's services"),
    PractitionerGroup.OTHER: (Organisation.Kind.CONTACT_CENTRE, "Centre coordinator"),
}
FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Harry", "Imran", "Jade", "Kwame", "Laura",
    "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sophie", "Tom", "Uzma", "Vicky", "Will", "Yusuf", "Zara",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Bennett", "Campbell", "Davies", "Evans", "Fletcher", "Green", "Hughes", "Iqbal", "Jones", "Khan",
    "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor", "Walsh", "Young",
]  # fmt: skip
SENIORITIES = [Seniority.FRONTLINE, Seniority.FRONTLINE, Seniority.TEAM_LEADER, Seniority.MANAGER, Seniority.SENIOR]


def demo_contact_fields(index: int) -> dict:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    area_name, slug = DEMO_AREAS[index % len(DEMO_AREAS)]
    group = PractitionerGroup.values[index % len(PractitionerGroup.values)]
    return {
        "first_name": first,
        "last_name": last,
        "email": f"{first}.{last}.{index}@{slug}.example.org".lower(),
        "area_name": area_name,
        "group": group,
    }


def _seed_organisations(areas: dict[str, LocalArea]) -> dict[tuple[str, str], Organisation]:
    wanted = {}
    for area_name, _slug in DEMO_AREAS:
        short = area_name.split(",")[0]
        for kind, pattern in ORGANISATION_NAMES:
            wanted[pattern.format(area=short)] = (kind, areas[area_name])
    existing = {o.name: o for o in Organisation.objects.filter(name__in=list(wanted))}
    Organisation.objects.bulk_create(
        [
            Organisation(name=name, kind=kind, area=area, postcode="", website="")
            for name, (kind, area) in wanted.items()
            if name not in existing
        ]
    )
    by_area_kind = {}
    for org in Organisation.objects.filter(name__in=list(wanted)).select_related("area"):
        by_area_kind[(cast(LocalArea, org.area).name, org.kind)] = org  # demo organisations all have an area
    # GP practices sit under their integrated care board, to show an organisation's parts.
    for area_name, _slug in DEMO_AREAS:
        gp, icb = (
            by_area_kind[(area_name, Organisation.Kind.GP_PRACTICE)],
            by_area_kind[(area_name, Organisation.Kind.ICB)],
        )
        if gp.parent_id is None:
            gp.parent = icb
            gp.save(update_fields=["parent"])
    return by_area_kind


def seed(command: Any, options: dict) -> None:
    """The registry's demo world: ONS areas, organisations of every kind, contacts in every group."""
    started = time.monotonic()
    load_local_areas()
    areas = {a.name: a for a in LocalArea.objects.filter(name__in=[name for name, _ in DEMO_AREAS])}
    with transaction.atomic():
        organisations = _seed_organisations(areas)
        tags = tags_from_names(DEMO_TAGS)
    total = options.get("contacts") or DEFAULT_DEMO_CONTACTS
    owners = list(User.objects.filter(email__in=[d.email for d in DEMO_USERS if d.role != Role.VIEWER]).order_by("pk"))
    created = 0
    for start in range(0, total, BATCH_SIZE):
        created += _seed_contact_batch(range(start, min(start + BATCH_SIZE, total)), areas, organisations, tags, owners)
    command.stdout.write(
        f"Registry: {len(areas)} demo areas, {len(organisations)} organisations, "
        f"{created} contacts added ({total} wanted) in {time.monotonic() - started:.1f}s."
    )


def _seed_contact_batch(
    indexes: range,
    areas: dict[str, LocalArea],
    organisations: dict[tuple[str, str], Organisation],
    tags: list[Tag],
    owners: list[User],
) -> int:
    fields = {i: demo_contact_fields(i) for i in indexes}
    existing = set(
        Contact.objects.filter(email__in=[f["email"] for f in fields.values()]).values_list("email", flat=True)
    )
    missing = [i for i, f in fields.items() if f["email"] not in existing]
    if not missing:
        return 0
    now = timezone.now()
    contacts = []
    for i in missing:
        f = fields[i]
        kind, title = GROUP_PLACES[f["group"]]
        consent = i % 5 == 0
        contacts.append(
            Contact(
                first_name=f["first_name"],
                last_name=f["last_name"],
                email=f["email"],
                job_title=title,
                phone=f"0161 496 {i % 10000:04d}",
                practitioner_group=f["group"],
                seniority=Seniority.ELECTED if f["group"] == PractitionerGroup.ELECTED_MEMBER else SENIORITIES[i % 5],
                area=areas[f["area_name"]],
                owner=owners[i % len(owners)] if owners and i % 3 else None,
                lawful_basis=LawfulBasis.CONSENT if consent else LawfulBasis.LEGITIMATE_INTERESTS,
                consent_given_at=now - dt.timedelta(days=30 + i % 300) if consent else None,
                consent_source="Pledge page" if consent else "",
                email_opt_out=i % 17 == 0,
                do_not_contact=i % 41 == 0,
            )
        )
    with transaction.atomic():
        Contact.objects.bulk_create(contacts, batch_size=BATCH_SIZE)
        # bulk_create sets primary keys on PostgreSQL and SQLite; look them up by email to be sure.
        by_email = dict(Contact.objects.filter(email__in=[c.email for c in contacts]).values_list("email", "pk"))
        affiliations, tag_links, timeline = [], [], []
        through = Contact.tags.through
        for i in missing:
            f = fields[i]
            pk = by_email[f["email"]]
            kind, title = GROUP_PLACES[f["group"]]
            organisation = organisations[(f["area_name"], kind)]
            start = dt.date(2018 + i % 7, 1 + i % 12, 1)
            affiliations.append(Affiliation(contact_id=pk, organisation=organisation, role=title, start_date=start))
            if i % 11 == 0:
                # A job move: their previous role ended the day before this one started.
                previous = organisations[(f["area_name"], Organisation.Kind.VOLUNTARY)]
                affiliations.append(
                    Affiliation(
                        contact_id=pk, organisation=previous, role="Volunteer coordinator",
                        start_date=start - dt.timedelta(days=900), end_date=start - dt.timedelta(days=1),
                    )
                )  # fmt: skip
            if tags and i % 4 == 0:
                tag_links.append(through(contact_id=pk, tag_id=tags[i % len(tags)].pk))
            if i < 500:
                timeline.append(
                    TimelineEntry(contact_id=pk, kind=TimelineEntry.Kind.CHANGE, summary="Added to Common Ground")
                )
        Affiliation.objects.bulk_create(affiliations, batch_size=BATCH_SIZE)
        through.objects.bulk_create(tag_links, batch_size=BATCH_SIZE, ignore_conflicts=True)
        TimelineEntry.objects.bulk_create(timeline, batch_size=BATCH_SIZE)
    return len(missing)
