"""Records stay editable when their creator's account is gone, and impossible meeting years are refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from boards.services.engagements import engagement_update
from boards.services.meetings import meeting_create
from tests.boards.factories import BoardFactory, EngagementFactory


@pytest.mark.django_db
def test_an_engagement_whose_creator_is_gone_can_still_be_edited(leader):
    engagement = EngagementFactory(created_by=None)
    engagement_update(actor=leader, engagement=engagement, summary="Chair agreed to an agenda item in March.")
    engagement.refresh_from_db()
    assert engagement.summary == "Chair agreed to an agenda item in March."


@pytest.mark.django_db
@pytest.mark.parametrize("year", [475, 1999, timezone.localdate().year + 11])
def test_a_meeting_year_that_must_be_a_typo_is_refused(leader, year):
    board = BoardFactory()
    starts = timezone.make_aware(dt.datetime(year, 3, 10, 10, 0))
    with pytest.raises(ValidationError) as error:
        meeting_create(actor=leader, board=board, starts_at=starts)
    assert "starts_at" in error.value.message_dict
