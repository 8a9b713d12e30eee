"""Finding contacts that are probably the same person.

Three signals, strongest first: the same email address (primary or other, any case); the same name
at the same organisation; near-identical names in the same local area. Comparing every pair of
100,000 contacts would be 5 billion comparisons, so names are only compared within small blocks:
same area, same first initial, and the same Soundex code or the same first three letters of the last
name. Each block holds a handful of people, so the work grows with the number of contacts, not its
square. Inside a block people are compared by name, not one by one: namesakes share one comparison, and
each pair of surnames is measured once for the whole scan (100,000 people hold a few thousand surnames)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import combinations, product

from crm.models import Affiliation, Contact, ContactEmail

SAME_EMAIL = "same_email"
SAME_NAME_AT_ORGANISATION = "same_name_at_organisation"
SIMILAR_NAME_IN_AREA = "similar_name_in_area"
REASONS = {
    SAME_EMAIL: "Same email address",
    SAME_NAME_AT_ORGANISATION: "Same name at the same organisation",
    SIMILAR_NAME_IN_AREA: "Near-identical name in the same area",
}
STRENGTH = {SAME_EMAIL: 0, SAME_NAME_AT_ORGANISATION: 1, SIMILAR_NAME_IN_AREA: 2}
SIMILARITY = 0.9
# A block bigger than this is a very common name in a very big area; comparing inside it still works
# but is quadratic, so such blocks are cut into the finer last-name blocks only.
MAX_BLOCK = 400


@dataclass
class DuplicatePair:
    first_id: int
    second_id: int
    reasons: dict[str, str] = field(default_factory=dict)  # reason -> detail, e.g. the shared email

    @property
    def strongest(self) -> str:
        return min(self.reasons, key=STRENGTH.__getitem__)

    @property
    def reason_labels(self) -> list[str]:
        return [
            f"{REASONS[r]}{f': {d}' if d else ''}"
            for r, d in sorted(self.reasons.items(), key=lambda i: STRENGTH[i[0]])
        ]


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """ "O'Brien-Smith " and "obrien smith" agree: accents, punctuation, case and spaces go."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


@lru_cache(maxsize=65536)
def soundex(text: str) -> str:
    name = normalise_name(text)
    if not name:
        return ""
    codes = {c: d for d, letters in enumerate(["aeiouyhw", "bfpv", "cgjkqsxz", "dt", "l", "mn", "r"]) for c in letters}
    out = name[0].upper()
    last = codes.get(name[0], 0)
    for char in name[1:]:
        code = codes.get(char, 0)
        if code and code != last:
            out += str(code)
        if char not in "hw":
            last = code
    return (out + "000")[:4]


class _Pairs:
    def __init__(self) -> None:
        self.pairs: dict[tuple[int, int], DuplicatePair] = {}

    def add(self, a: int, b: int, reason: str, detail: str = "") -> None:
        if a == b:
            return
        key = (a, b) if a < b else (b, a)
        pair = self.pairs.get(key)
        if pair is None:
            pair = self.pairs[key] = DuplicatePair(*key)
        pair.reasons.setdefault(reason, detail)


def _same_email(pairs: _Pairs, contacts: Iterable[tuple[int, str]]) -> None:
    by_email: dict[str, set[int]] = defaultdict(set)
    for pk, email in contacts:
        if email:
            by_email[email.strip().lower()].add(pk)
    extra = ContactEmail.objects.filter(contact__erased_at__isnull=True).values_list("contact_id", "email")
    for pk, email in extra.iterator(chunk_size=5000):
        by_email[email.strip().lower()].add(pk)
    for email, ids in by_email.items():
        for a, b in combinations(sorted(ids), 2):
            pairs.add(a, b, SAME_EMAIL, email)


def _same_name_at_organisation(pairs: _Pairs, names: dict[int, str]) -> None:
    by_org: dict[tuple[int, str], set[int]] = defaultdict(set)
    rows = Affiliation.objects.filter(contact__erased_at__isnull=True).values_list(
        "organisation_id", "organisation__name", "contact_id"
    )
    org_names: dict[int, str] = {}
    for org_id, org_name, contact_id in rows.iterator(chunk_size=5000):
        name = names.get(contact_id)
        if name:
            by_org[(org_id, name)].add(contact_id)
            org_names[org_id] = org_name
    for (org_id, _), ids in by_org.items():
        for a, b in combinations(sorted(ids), 2):
            pairs.add(a, b, SAME_NAME_AT_ORGANISATION, org_names[org_id])


def _similar_surnames(a: str, b: str) -> bool:
    matcher = SequenceMatcher(None, a, b)
    # The quick ratios are upper bounds of ratio(): most surname pairs in a block fail on length alone.
    return (
        matcher.real_quick_ratio() >= SIMILARITY
        and matcher.quick_ratio() >= SIMILARITY
        and matcher.ratio() >= SIMILARITY
    )


def _similar_in_area(pairs: _Pairs, people: list[tuple[int, int | None, str, str]]) -> None:
    # block key -> (first, last) -> contact ids: people with the same name in a block are compared once.
    blocks: dict[tuple, dict[tuple[str, str], list[int]]] = defaultdict(lambda: defaultdict(list))
    sizes: dict[tuple, int] = defaultdict(int)
    for pk, area_id, first, last in people:
        if area_id is None or not first or not last:
            continue
        initial = first[0]
        for key in ((area_id, initial, "s", soundex(last)), (area_id, initial, "p", last[:3])):
            blocks[key][(first, last)].append(pk)
            sizes[key] += 1
    similar: dict[tuple[str, str], bool] = {}
    identical = "identical apart from punctuation or case"
    close = "similar last name, same first initial"
    for key, names in blocks.items():
        if sizes[key] < 2 or sizes[key] > MAX_BLOCK:
            continue
        for ids in names.values():
            for a, b in combinations(ids, 2):
                pairs.add(a, b, SIMILAR_NAME_IN_AREA, identical)
        for (name_a, ids_a), (name_b, ids_b) in combinations(names.items(), 2):
            if name_a[0] + name_a[1] == name_b[0] + name_b[1]:
                detail = identical
            else:
                surnames = (name_a[1], name_b[1]) if name_a[1] < name_b[1] else (name_b[1], name_a[1])
                found = similar.get(surnames)
                if found is None:
                    found = similar[surnames] = _similar_surnames(*surnames)
                if not found:
                    continue
                detail = close
            for a, b in product(ids_a, ids_b):
                pairs.add(a, b, SIMILAR_NAME_IN_AREA, detail)


def duplicate_candidates(*, reason: str | None = None) -> list[DuplicatePair]:
    """Likely duplicates among contacts not erased, strongest reason first, then by id."""
    rows = Contact.objects.filter(erased_at__isnull=True).values_list(
        "pk", "email", "area_id", "first_name", "last_name"
    )
    emails: list[tuple[int, str]] = []
    names: dict[int, str] = {}
    people: list[tuple[int, int | None, str, str]] = []
    for pk, email, area_id, first, last in rows.iterator(chunk_size=5000):
        emails.append((pk, email))
        first_n, last_n = normalise_name(first), normalise_name(last)
        names[pk] = f"{first_n} {last_n}"
        people.append((pk, area_id, first_n, last_n))
    pairs = _Pairs()
    if reason in (None, SAME_EMAIL):
        _same_email(pairs, emails)
    if reason in (None, SAME_NAME_AT_ORGANISATION):
        _same_name_at_organisation(pairs, names)
    if reason in (None, SIMILAR_NAME_IN_AREA):
        _similar_in_area(pairs, people)
    found = [p for p in pairs.pairs.values() if reason is None or reason in p.reasons]
    return sorted(found, key=lambda p: (STRENGTH[p.strongest], p.first_id, p.second_id))
