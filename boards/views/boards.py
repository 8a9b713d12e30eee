"""Board pages: the list, a board's page with its members, meetings, ladder and timeline, and edits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from boards import selectors, services
from boards.filters import BoardFilter
from boards.forms import BoardForm, MembershipForm, StageChangeForm
from boards.models import Board, BoardMembership, Stage
from boards.tables import BoardTable
from crm.mixins import RoleRequiredMixin
from crm.typing import current_user

if TYPE_CHECKING:
    from crm.models import LocalArea

from .base import ServiceFormView


class BoardListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "boards.view_board"
    table_class = BoardTable
    filterset_class = BoardFilter
    template_name = "boards/board_list.html"

    def get_queryset(self):
        return selectors.board_list()


class BoardDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "boards.view_board"
    template_name = "boards/board_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        board = selectors.board_get_for(pk=self.kwargs["pk"], user=current_user(self.request))
        current, past = selectors.board_memberships(board=board)
        now = timezone.now()
        # Read once each and shared by the sections that show them and the timeline.
        meetings = list(board.meetings.order_by("starts_at"))
        stage_changes = list(selectors.stage_history(board=board))
        member_contacts = [m.contact for m in current]
        return super().get_context_data(
            board=board,
            stages=Stage.choices,
            current_members=current,
            past_members=past,
            upcoming_meetings=[m for m in meetings if m.starts_at >= now],
            past_meetings=[m for m in reversed(meetings) if m.starts_at < now][:10],
            timeline=selectors.board_timeline(board=board, limit=30, meetings=meetings, stage_changes=stage_changes),
            stage_history=stage_changes,
            open_commitments=selectors.commitment_list().filter(board=board, status="open"),
            is_following=board.is_followed,
            grid=selectors.grid_layout(
                selectors.stakeholder_grid(
                    contacts=selectors.Contact.objects.filter(pk__in=[c.pk for c in member_contacts])
                )
            ),
            **kwargs,
        )


class BoardCreateView(ServiceFormView):
    permission_required = "boards.add_board"
    form_class = BoardForm
    template_name = "boards/form.html"
    success_message = "Board added. You follow it, so its meetings are in your calendar feed."
    extra_context = {"title": "Add a board"}

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"owner": self.request.user}
        if self.request.GET.get("area"):
            initial["area"] = self.request.GET["area"]
        return initial

    def perform(self, form: BoardForm) -> Board:
        return services.board_create(actor=current_user(self.request), **form.cleaned_data)


class BoardEditView(ServiceFormView):
    permission_required = "boards.change_board"
    form_class = BoardForm
    template_name = "boards/form.html"
    success_message = "Board updated."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.board = get_object_or_404(Board, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.board}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=f"Edit {self.board.name}", back_url=self.board.get_absolute_url(), **kwargs
        )

    def perform(self, form: BoardForm) -> Board:
        # The form's instance carries the new values; give the service a fresh copy to compare against.
        board = Board.objects.get(pk=self.board.pk)
        return services.board_update(actor=current_user(self.request), board=board, **form.cleaned_data)


class BoardFollowView(RoleRequiredMixin, View):
    """Follow or stop following a board. Personal, like a bookmark, so anyone who can see boards may."""

    permission_required = "boards.view_board"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        board = get_object_or_404(Board, pk=pk)
        if request.POST.get("follow") == "no":
            services.board_unfollow(user=current_user(request), board=board)
            messages.success(request, f"You no longer follow {board.name}.")
        else:
            services.board_follow(user=current_user(request), board=board)
            messages.success(request, f"You now follow {board.name}. Its meetings are in your calendar feed.")
        return HttpResponseRedirect(board.get_absolute_url())


class MembershipAddView(ServiceFormView):
    permission_required = "boards.add_boardmembership"
    form_class = MembershipForm
    template_name = "boards/form.html"
    success_message = "Member added."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.board = get_object_or_404(Board.objects.select_related("area"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=f"Add a member to {self.board.name}", back_url=self.board.get_absolute_url(), **kwargs
        )

    def perform(self, form: MembershipForm) -> Board:
        services.membership_add(actor=current_user(self.request), board=self.board, **form.cleaned_data)
        return self.board


class MembershipEditView(ServiceFormView):
    permission_required = "boards.change_boardmembership"
    form_class = MembershipForm
    template_name = "boards/form.html"
    success_message = "Membership updated."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.membership = get_object_or_404(BoardMembership.objects.select_related("board", "contact"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.membership}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=f"{self.membership.contact} on {self.membership.board.name}",
            hint="To record that they have left, give the term end.",
            back_url=self.membership.board.get_absolute_url(),
            **kwargs,
        )

    def perform(self, form: MembershipForm) -> Board:
        membership = BoardMembership.objects.select_related("board", "contact").get(pk=self.membership.pk)
        data = {k: form.cleaned_data[k] for k in ("seat", "start_date", "end_date")}
        services.membership_update(actor=current_user(self.request), membership=membership, **data)
        return membership.board


class StageChangeView(ServiceFormView):
    """Move a board or an area on the priority ladder, with evidence."""

    permission_required = "boards.add_stagechange"
    form_class = StageChangeForm
    template_name = "boards/stage_change.html"
    success_message = "Stage changed and recorded in the history."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        from crm.models import LocalArea

        self.board = self.area = None
        if "board_pk" in kwargs:
            self.board = get_object_or_404(Board.objects.select_related("area"), pk=kwargs["board_pk"])
        else:
            self.area = get_object_or_404(LocalArea.objects.select_related("ladder"), pk=kwargs["area_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "board": self.board, "area": self.area}

    def current_stage(self) -> int:
        if self.board is not None:
            return self.board.stage
        return getattr(getattr(self.area, "ladder", None), "stage", 0)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        subject = self.board or self.area
        back = self.board.get_absolute_url() if self.board else self.area_url()
        return super().get_context_data(
            subject=subject,
            current_stage=self.current_stage(),
            history=selectors.stage_history(board=self.board, area=self.area),
            back_url=back,
            **kwargs,
        )

    def perform(self, form: StageChangeForm) -> Any:
        services.stage_change(actor=current_user(self.request), board=self.board, area=self.area, **form.cleaned_data)
        return self.board or self.area

    def get_redirect_url(self, saved: Any) -> str:
        if self.board is not None:
            return self.board.get_absolute_url()
        return self.area_url()

    def area_url(self) -> str:
        # dispatch() sets the area whenever there is no board.
        return reverse("boards:area_detail", args=[cast("LocalArea", self.area).pk])
