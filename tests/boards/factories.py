import datetime as dt

import factory
from django.utils import timezone

from boards.models import Board, BoardMembership, Commitment, Engagement, Meeting
from tests.crm.factories import ContactFactory, LocalAreaFactory


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    name = factory.Sequence(lambda n: f"Health and Wellbeing Board {n}")
    kind = Board.Kind.HEALTH_WELLBEING
    area = factory.SubFactory(LocalAreaFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardMembership

    board = factory.SubFactory(BoardFactory)
    contact = factory.SubFactory(ContactFactory, area=factory.SelfAttribute("..board.area"))
    seat = BoardMembership.Seat.MEMBER


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    board = factory.SubFactory(BoardFactory)
    starts_at = factory.Sequence(lambda n: timezone.now() + dt.timedelta(days=7 + n))


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    kind = Engagement.Kind.BRIEFING
    date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    board = factory.SubFactory(BoardFactory)
    area = factory.SelfAttribute("board.area")
    summary = "Briefed the chair on parental conflict support."


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    description = factory.Sequence(lambda n: f"Send the briefing pack {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=5))
