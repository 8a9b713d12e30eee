"""The shared django-tables2 template renders GOV.UK tables with sortable headers and pagination."""

import django_tables2 as tables
import pytest
from django.test import RequestFactory
from django_tables2 import RequestConfig

from crm.tables_base import GovukTable


class PeopleTable(GovukTable):
    name = tables.Column()
    team = tables.Column(orderable=False)

    class Meta(GovukTable.Meta):
        per_page = 2


ROWS = [{"name": n, "team": "North"} for n in ["Asha", "Ben", "Cara", "Dev", "Eli"]]


def render(query: str = "") -> str:
    request = RequestFactory().get(f"/people/{query}")
    table = PeopleTable(ROWS)
    RequestConfig(request, paginate={"per_page": 2}).configure(table)
    return table.as_html(request)


def test_table_uses_govuk_classes_and_announces_sort_order():
    html = render("?sort=-name")
    assert 'class="govuk-table' in html
    assert 'class="govuk-table__header"' in html
    assert 'aria-sort="descending"' in html
    # The unsortable column has no sort link and no aria-sort.
    assert html.count("aria-sort=") == 1
    # Sorting drops the page number so the user starts from the first page of the new order.
    assert "?sort=name" in html


def test_pagination_uses_the_govuk_component_and_keeps_the_query():
    html = render("?sort=name&page=2")
    assert 'class="govuk-pagination"' in html
    assert 'aria-current="page"' in html
    assert "page=3" in html
    assert "page=1" in html
    assert "sort=name" in html
    assert "Showing 3 to 4 of 5" in html


@pytest.mark.django_db
def test_a_role_without_the_permission_gets_the_friendly_403_page(viewer):
    from django.core.exceptions import PermissionDenied
    from django.views.generic import TemplateView

    from crm.mixins import RoleRequiredMixin

    class AdminOnlyView(RoleRequiredMixin, TemplateView):
        permission_required = "crm.change_user"
        template_name = "crm/dashboard.html"

    request = RequestFactory().get("/admin-only/")
    request.user = viewer
    with pytest.raises(PermissionDenied):
        AdminOnlyView.as_view()(request)

    from crm.views import permission_denied

    page = permission_denied(request, PermissionDenied())
    assert page.status_code == 403
    assert "You cannot open this page" in page.content.decode()
