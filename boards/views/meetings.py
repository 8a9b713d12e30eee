"""Meetings, the calendar page, and the secret calendar feed that calendar apps subscribe to."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from boards import selectors, services
from boards.forms import MeetingForm
from boards.ical import build_calendar
from boards.models import Board, Meeting
from crm.mixins import RoleRequiredMixin
from crm.typing import current_user

from .base import ServiceFormView


class MeetingDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "boards.view_meeting"
    template_name = "boards/meeting_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = selectors.meeting_get(pk=self.kwargs["pk"])
        return super().get_context_data(
            meeting=meeting,
            commitments=selectors.commitment_list().filter(meeting=meeting),
            **kwargs,
        )


class MeetingCreateView(ServiceFormView):
    permission_required = "boards.add_meeting"
    form_class = MeetingForm
    template_name = "boards/form.html"
    success_message = "Meeting added."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.board = get_object_or_404(Board.objects.select_related("area"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "board": self.board}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=f"Add a meeting of {self.board.name}", back_url=self.board.get_absolute_url(), **kwargs
        )

    def perform(self, form: MeetingForm) -> Meeting:
        return services.meeting_create(actor=current_user(self.request), board=self.board, **form.service_fields())


class MeetingEditView(ServiceFormView):
    permission_required = "boards.change_meeting"
    form_class = MeetingForm
    template_name = "boards/form.html"
    success_message = "Meeting updated."

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.meeting = get_object_or_404(Meeting.objects.select_related("board", "board__area"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "board": self.meeting.board, "meeting": self.meeting}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            title=f"Edit meeting: {self.meeting}", back_url=self.meeting.get_absolute_url(), **kwargs
        )

    def perform(self, form: MeetingForm) -> Meeting:
        return services.meeting_update(actor=current_user(self.request), meeting=self.meeting, **form.service_fields())


class MeetingDeleteView(RoleRequiredMixin, TemplateView):
    permission_required = "boards.delete_meeting"
    template_name = "boards/confirm_delete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=self.kwargs["pk"])
        return super().get_context_data(thing=f"the meeting {meeting}", back_url=meeting.get_absolute_url(), **kwargs)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=pk)
        board = meeting.board
        try:
            services.meeting_delete(actor=current_user(request), meeting=meeting)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(meeting.get_absolute_url())
        messages.success(request, "Meeting deleted.")
        return HttpResponseRedirect(board.get_absolute_url())


def _month_from(value: str | None) -> dt.date:
    today = timezone.localdate()
    if value:
        try:
            year, month = (int(p) for p in value.split("-", 1))
            return dt.date(year, month, 1)
        except ValueError:
            pass
    return today.replace(day=1)


class CalendarView(RoleRequiredMixin, TemplateView):
    """A month of meetings and paper deadlines: of the boards you follow, or of every board."""

    permission_required = "boards.view_meeting"
    template_name = "boards/calendar.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        month = _month_from(self.request.GET.get("month"))
        show_all = self.request.GET.get("show") == "all"
        user = None if show_all else current_user(self.request)
        weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
        first, last = weeks[0][0], weeks[-1][-1]
        start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
        by_day: dict[dt.date, list[dict[str, Any]]] = {}
        for meeting in selectors.meetings_between(start=start, end=end, user=user):
            day = timezone.localdate(meeting.starts_at)
            by_day.setdefault(day, []).append({"kind": "meeting", "meeting": meeting})
        for meeting in selectors.paper_deadlines_between(start=first, end=last, user=user):
            # The date range filter leaves out meetings without a paper deadline.
            deadline = cast(dt.date, meeting.paper_deadline)
            by_day.setdefault(deadline, []).append({"kind": "deadline", "meeting": meeting})
        previous_month = (month - dt.timedelta(days=1)).replace(day=1)
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        return super().get_context_data(
            month=month,
            show_all=show_all,
            today=timezone.localdate(),
            weeks=[
                [{"date": d, "in_month": d.month == month.month, "items": by_day.get(d, [])} for d in w] for w in weeks
            ],
            month_items=sorted(
                ((d, items) for d, items in by_day.items() if d.month == month.month), key=lambda pair: pair[0]
            ),
            previous_month=previous_month,
            next_month=next_month,
            **kwargs,
        )


class CalendarFeedView(RoleRequiredMixin, TemplateView):
    """Your secret calendar address: make one, make a new one (the old stops working) or switch it off."""

    permission_required = "boards.view_meeting"
    template_name = "boards/calendar_feed.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from boards.models import CalendarFeed

        token = self.request.session.pop("boards_new_feed_token", None)
        feed_url = self.request.build_absolute_uri(reverse("boards:calendar_ics", args=[token])) if token else ""
        return super().get_context_data(
            feed=CalendarFeed.objects.filter(user=current_user(self.request)).first(),
            feed_url=feed_url,
            followed=selectors.board_list().filter(follows__user=current_user(self.request)),
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=current_user(request))
            messages.success(request, "Your calendar feed is switched off. Calendars subscribed to it stop updating.")
        else:
            token = services.calendar_feed_regenerate(user=current_user(request))
            # Only the hash is stored, so the address can be shown this once; the session carries it
            # across the redirect and the page removes it on display.
            request.session["boards_new_feed_token"] = token
            messages.success(request, "Your new calendar address is ready. Any older address has stopped working.")
        return HttpResponseRedirect(reverse("boards:calendar_feed"))


@method_decorator([login_not_required, never_cache], name="dispatch")
class CalendarIcsView(View):
    """The feed itself. Calendar apps cannot sign in, so the secret token in the address is the key."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        feed = selectors.calendar_feed_for_token(token_hash=services.feed_token_hash(token))
        if feed is None:
            raise Http404("No such calendar feed")
        services.calendar_feed_touch(feed=feed)
        body = build_calendar(
            meetings=selectors.feed_meetings(user=feed.user),
            name=f"Common Ground boards – {feed.user}",
            now=timezone.now(),
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="common-ground-boards.ics"'
        response["X-Robots-Tag"] = "noindex"
        return response
