"""The sections in the top navigation. A section shows only when its page exists (its URL name
resolves) and the user's role may see it, so navigation never leads to a 404 or a 403."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    permission: str | None = None
    staff_only: bool = False
    # Secondary sections are listed on the dashboard, not in the top bar, to keep the bar short on phones.
    secondary: bool = False


SECTIONS = [
    Section("Dashboard", "dashboard", secondary=True),  # the service name in the header links here
    Section("My work", "boards:my_work", "boards.view_board"),
    Section("Areas", "boards:area_list", "crm.view_localarea"),
    Section("Boards", "boards:board_list", "boards.view_board"),
    Section("Engagements", "boards:engagement_list", "boards.view_engagement"),
    Section("Contacts", "crm:contact_list", "crm.view_contact"),
    Section("Organisations", "crm:organisation_list", "crm.view_organisation"),
    Section("Campaigns", "campaigns:campaign_list", "campaigns.view_campaign"),
    Section("Reports", "reporting:report_list", "reporting.view_weeklyreport"),
    Section("Local areas and custom areas", "crm:area_list", "crm.view_localarea", secondary=True),
    Section("Import contacts or organisations", "crm:import_start", "crm.add_importjob", secondary=True),
    Section("Possible duplicate contacts", "crm:duplicate_list", "crm.merge_contact", secondary=True),
    Section("Suppression list", "crm:suppression_list", "crm.view_suppression", secondary=True),
    Section("Audit trail", "crm:audit_trail", "crm.view_auditevent", secondary=True),
    Section("Your account", "account", secondary=True),
    Section("Admin", "admin:index", staff_only=True),
]


def sections_for(request: HttpRequest, *, secondary: bool = False) -> list[dict]:
    """Top-bar sections, or with secondary=True every section the user may open."""
    user = request.user
    items = []
    for section in SECTIONS:
        if section.secondary and not secondary:
            continue
        if section.staff_only and not user.is_staff:
            continue
        if section.permission and not user.has_perm(section.permission):
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": section.label, "url": url, "active": active})
    return items
