"""The fields an import can fill, and a sensible first guess at which column goes where.

Headers arrive as people write them ("E-mail", "Email address", "Surname", "Job Title ", "LA"), so a
header is compared after lower-casing and dropping everything but letters and digits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm.models import ImportJob


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    aliases: tuple[str, ...] = ()


CONTACT_TARGETS = [
    Target("name", "Full name (split into first and last)", ("name", "fullname", "contactname", "contact", "person")),
    Target("first_name", "First name", ("firstname", "forename", "forenames", "givenname", "first", "fname")),
    Target("last_name", "Last name", ("lastname", "surname", "familyname", "last", "lname")),
    Target(
        "email",
        "Email",
        ("email", "emailaddress", "workemail", "workemailaddress", "primaryemail", "mail", "emailid"),
    ),
    Target("other_emails", "Other emails", ("otheremails", "otheremail", "secondaryemail", "alternativeemail")),
    Target("job_title", "Job title", ("jobtitle", "title", "position", "jobrole", "post", "designation")),
    Target("phone", "Phone", ("phone", "telephone", "tel", "phonenumber", "workphone", "mobile", "telephonenumber")),
    Target(
        "practitioner_group",
        "Practitioner group",
        ("practitionergroup", "group", "profession", "workforce", "sector", "practitionertype"),
    ),
    Target("seniority", "Seniority", ("seniority", "level", "grade")),
    Target("area", "Local area", ("area", "localarea", "localauthority", "la", "council", "onscode", "lacode")),
    Target("organisation", "Organisation", ("organisation", "organization", "org", "employer", "company", "agency")),
    Target("role", "Role at organisation", ("role", "roleatorganisation", "organisationrole")),
    Target("tags", "Tags", ("tags", "tag", "labels", "keywords")),
    Target("lawful_basis", "Lawful basis", ("lawfulbasis", "basis", "legalbasis", "gdprbasis")),
    Target("consent_date", "Consent date", ("consentdate", "consentgiven", "consentgivenon", "dateofconsent")),
    Target("consent_source", "Consent source", ("consentsource", "sourceofconsent", "howconsentgiven")),
    Target("email_opt_out", "Email opt-out", ("emailoptout", "optout", "unsubscribed", "noemail", "optedout")),
    Target("do_not_contact", "Do not contact", ("donotcontact", "dnc", "nocontact")),
    Target("notes", "Notes", ("notes", "note", "comments", "comment")),
]

ORGANISATION_TARGETS = [
    Target("name", "Name", ("name", "organisation", "organization", "organisationname", "orgname", "company")),
    Target("kind", "Kind", ("kind", "type", "organisationtype", "orgtype", "category", "sector")),
    Target("area", "Local area", ("area", "localarea", "localauthority", "la", "council", "onscode", "lacode")),
    Target("address", "Address", ("address", "streetaddress", "address1", "postaladdress")),
    Target("postcode", "Postcode", ("postcode", "postalcode", "zip", "zipcode", "pc")),
    Target("website", "Website", ("website", "web", "url", "site", "homepage")),
    Target("phone", "Phone", ("phone", "telephone", "tel", "phonenumber")),
    Target("email", "Email", ("email", "emailaddress", "generalemail", "mail")),
    Target("parent", "Part of (parent organisation)", ("parent", "parentorganisation", "partof", "parentorg")),
]


def targets_for(kind: str) -> list[Target]:
    return CONTACT_TARGETS if kind == ImportJob.Kind.CONTACTS else ORGANISATION_TARGETS


def target_labels(kind: str) -> dict[str, str]:
    return {t.key: t.label for t in targets_for(kind)}


def normalise_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(headers: list[str], kind: str) -> dict[str, str]:
    """{header: field key or ""}. Each field is given to the first column that looks like it."""
    alias_to_key: dict[str, str] = {}
    for target in targets_for(kind):
        alias_to_key.setdefault(normalise_header(target.key), target.key)
        alias_to_key.setdefault(normalise_header(target.label), target.key)
        for alias in target.aliases:
            alias_to_key.setdefault(alias, target.key)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = alias_to_key.get(normalise_header(header), "")
        if key and key not in taken:
            mapping[header] = key
            taken.add(key)
        else:
            mapping[header] = ""
    # A single "Name" column only splits when there are no separate first/last name columns.
    if {"first_name", "last_name"} <= taken and "name" in taken:
        for header, key in mapping.items():
            if key == "name":
                mapping[header] = ""
    return mapping


def parse_mapping_option(text: str, headers: list[str], kind: str) -> dict[str, str]:
    """Read `col=field,col=field` from the command line into a mapping over `headers`."""
    mapping = guess_mapping(headers, kind)
    valid = target_labels(kind)
    by_lower = {h.lower(): h for h in headers}
    for part in filter(None, (p.strip() for p in text.split(","))):
        column, sep, key = part.partition("=")
        column, key = column.strip(), key.strip()
        if not sep or column.lower() not in by_lower:
            raise ValueError(f"“{column}” is not a column in the file. Columns are: {', '.join(headers)}.")
        if key and key not in valid:
            raise ValueError(f"“{key}” is not a field you can import into. Fields are: {', '.join(valid)}.")
        if key:
            for header, current in mapping.items():
                if current == key:
                    mapping[header] = ""
        mapping[by_lower[column.lower()]] = key
    return mapping
