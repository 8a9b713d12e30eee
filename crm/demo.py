"""Demo data for `make run`: one user per role, and (from the registry on) a believable world.
Every function is idempotent: it looks records up by a natural key before creating them."""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, cast

from django.contrib.auth.models import Group
from django.db import connection, transaction
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


# The first contacts keep the short lists above, so a small demo world reads the same as it always has. Past
# that, 528 names spread over 100,000 people would put hundreds of namesakes in every area, which no real
# registry has and which made the duplicate scan measure a world of twins. Scaled contacts draw from about
# 200 first names and 3,400 surnames (common British, Irish, South Asian, African and Polish surnames, then
# place-name surnames built from English stems and endings) weighted like a population: a few are common
# (Smith about 1 in 100), most are rare.
SCALED_FROM = len(FIRST_NAMES) * len(LAST_NAMES)
SCALED_FIRST_NAMES = """
Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Evie Florence Poppy Ella Charlotte Emily
Sienna Elsie Willow Harper Phoebe Matilda Alice Daisy Sophie Ruby Evelyn Millie Jessica Hannah Lucy Emma Sarah
Laura Rebecca Rachel Claire Helen Karen Julie Joanne Nicola Kelly Lisa Michelle Amanda Louise Victoria Katie Amy
Gemma Natalie Zoe Hayley Kirsty Siobhan Niamh Aoife Ciara Bethan Cerys Megan Catrin Eilidh Fiona Morag Aisha
Fatima Priya Ayesha Zara Maryam Sana Nadia Amira Anjali Chloe Jade Leanne Tracey Susan Margaret Patricia
Elizabeth Anne Mary Jennifer Deborah Janet Caroline Joanna Kate Jane Alison Gillian Ruth Esther Abigail Naomi
Chantelle Blessing Agnieszka Katarzyna Ewa Oliver George Noah Arthur Harry Leo Muhammad Jack Charlie Oscar Jacob
Henry Thomas Freddie Alfie Theo William Archie Joshua James John David Michael Paul Mark Andrew Richard Peter
Stephen Robert Christopher Daniel Matthew Simon Gary Ian Neil Kevin Lee Darren Jason Craig Stuart Graham Martin
Anthony Adam Ryan Jamie Liam Connor Callum Kieran Sean Ciaran Rhys Dylan Owen Gareth Dafydd Iwan Hamish Euan
Fraser Ross Mohammed Ahmed Ali Imran Hassan Omar Bilal Arjun Rohan Sanjay Raj Kwame Kofi Chidi Tunde Femi Emeka
Tomasz Piotr Marek Ben Sam Tom Joe Dan Nathan Luke Jake Alex Max Ethan Lewis Scott
""".split()  # noqa: SIM905 - a word list reads better as words
COMMON_SURNAMES = """
Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright Walker
White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris
Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young
Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall
Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain
Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins
Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds
Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton
O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster
Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter
Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess
Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald
Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill Griffin Sharp
Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George Jordan Hutchinson Rahman Iqbal Akhtar Okafor
Adeyemi Mensah Nowak Kowalski Nguyen Chen Wong Quinn Nwosu Okoro Chowdhury Mahmood Sharma Kumar Mistry Choudhury
""".split()  # noqa: SIM905 - a word list reads better as words
SURNAME_STEMS = """
Ash Brad Brom Cal Chad Dar Elm Fair Farn Glad Good Hale Ham Hart Hay Hol Kings Lang Lind Mar Mid Mil Nor Oak
Pen Ray Rad Red Roth Sal Sand Shel Stan Stock Strat Sum Thorn Wal Wes Whit Wick Win Wool Yar Ack Bark Bel Birk
Black Brack Brid Burn Cam Car Chal Clay Cot Cran Crom Dal Den Dun East Eg Ever Fen Fern Gar Gos Hat Haw Hen Hil
Hor Hun Kel Ken Kir Lam Lar Les Lock Mal Man Mer Moor New North Ock Old Pad Pel Pick Pres Rams Rid Rock Ros Rush
Sef Shir South Stain Staf Swin Tal Tam Ted Tip Tot Up Wad War Wat Wen Whar Wil Wor Wyn Ald Bram Chip Dray Ing
""".split()  # noqa: SIM905 - a word list reads better as words
SURNAME_ENDINGS = """
ford ley ton worth field wood by ham stead well more bridge combe den hurst wick thorpe stone brook dale cliffe
shaw lock bury
""".split()  # noqa: SIM905 - a word list reads better as words
SCALED_SURNAMES = list(
    dict.fromkeys([*COMMON_SURNAMES, *(stem + ending for ending in SURNAME_ENDINGS for stem in SURNAME_STEMS)])
)
# Weight 1/(rank + k): k sets how common the commonest name is (about 1.2% for surnames, 3% for first names).
SCALED_FIRST_WEIGHTS = list(accumulate(1 / (rank + 10) for rank in range(len(SCALED_FIRST_NAMES))))
SCALED_SURNAME_WEIGHTS = list(accumulate(1 / (rank + 15) for rank in range(len(SCALED_SURNAMES))))
# Every so often a person is in the registry twice, entered by someone else with the surname typed
# differently: what the duplicate scan is for.
REENTERED_EVERY = 97
REENTRY_GAP = 7 * 100  # a multiple of the number of demo areas, so the second record is in the same area


def scaled_name(index: int) -> tuple[str, str]:
    """The name of scaled contact `index`: the same on every run and every machine."""
    if index >= SCALED_FROM + REENTRY_GAP and index % REENTERED_EVERY == 0:
        first, last = scaled_name(index - REENTRY_GAP)
        if index % 2:
            return first, last.upper()  # typed with caps lock on
        middle = len(last) // 2
        return first, last[:middle] + last[middle] + last[middle:]  # a doubled letter
    rng = random.Random(f"common-ground-demo-contact-{index}")  # noqa: S311 - demo data, not security
    first = rng.choices(SCALED_FIRST_NAMES, cum_weights=SCALED_FIRST_WEIGHTS)[0]
    last = rng.choices(SCALED_SURNAMES, cum_weights=SCALED_SURNAME_WEIGHTS)[0]
    return first, last


def demo_contact_fields(index: int) -> dict:
    if index < SCALED_FROM:
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    else:
        first, last = scaled_name(index)
    area_name, slug = DEMO_AREAS[index % len(DEMO_AREAS)]
    group = PractitionerGroup.values[index % len(PractitionerGroup.values)]
    return {
        "first_name": first,
        "last_name": last,
        "email": f"{_email_part(first)}.{_email_part(last)}.{index}@{slug}.example.org",
        "area_name": area_name,
        "group": group,
    }


def _email_part(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


DEMO_EMAIL = re.compile(r"^[a-z]+\.[a-z]+\.(\d+)@([a-z]+)\.example\.org$")


def refresh_scaled_names(batch_size: int = BATCH_SIZE) -> int:
    """Give demo contacts seeded before scaled names existed (528 names cycling) the names and emails they
    get now, so a re-seed finds them by email instead of adding them again. Returns how many changed."""
    stale = []
    rows = Contact.objects.filter(email__endswith=".example.org").values_list("pk", "email")
    for pk, email in rows.iterator(chunk_size=batch_size):
        match = DEMO_EMAIL.match(email)
        if match is None or int(match.group(1)) < SCALED_FROM:
            continue
        index = int(match.group(1))
        if match.group(2) != DEMO_AREAS[index % len(DEMO_AREAS)][1]:
            continue  # not a demo contact: someone's own address that happens to look like one
        wanted = demo_contact_fields(index)
        if wanted["email"] != email:
            stale.append(
                Contact(pk=pk, first_name=wanted["first_name"], last_name=wanted["last_name"], email=wanted["email"])
            )
    for start in range(0, len(stale), batch_size):
        batch = stale[start : start + batch_size]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # bulk_update's CASE per row makes each batch quadratic; one join against arrays is not.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {Contact._meta.db_table} AS c SET first_name = v.first_name, "  # noqa: S608
                        "last_name = v.last_name, email = v.email "
                        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) "
                        "AS v(id, first_name, last_name, email) WHERE c.id = v.id",
                        [[c.pk for c in batch], [c.first_name for c in batch], [c.last_name for c in batch],
                         [c.email for c in batch]],
                    )  # fmt: skip
            else:
                Contact.objects.bulk_update(batch, ["first_name", "last_name", "email"], batch_size=500)
    return len(stale)


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
    renamed = refresh_scaled_names() if total > SCALED_FROM else 0
    created = 0
    for start in range(0, total, BATCH_SIZE):
        created += _seed_contact_batch(range(start, min(start + BATCH_SIZE, total)), areas, organisations, tags, owners)
    command.stdout.write(
        f"Registry: {len(areas)} demo areas, {len(organisations)} organisations, "
        f"{created} contacts added ({total} wanted)"
        f"{f', {renamed} renamed to scaled names' if renamed else ''} in {time.monotonic() - started:.1f}s."
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
