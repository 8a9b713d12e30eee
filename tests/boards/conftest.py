import pytest

from boards import services
from boards.models import ReadinessIndicator
from tests.boards.factories import (
    BoardFactory,
    CommitmentFactory,
    EngagementFactory,
    MeetingFactory,
    MembershipFactory,
)
from tests.crm.factories import OrganisationFactory


@pytest.fixture
def world(db, leader):
    """One of everything the boards pages show, in one area."""
    board = BoardFactory(owner=leader)
    membership = MembershipFactory(board=board)
    engagement = EngagementFactory(board=board)
    engagement.contacts.add(membership.contact)
    meeting = MeetingFactory(board=board)
    contact = membership.contact
    organisation = OrganisationFactory(area=board.area)
    commitment = CommitmentFactory(board=board, owner=leader, area=board.area)
    champion = services.champion_create(actor=leader, contact=contact, area=board.area)
    services.assessment_record(actor=leader, contact=contact, influence=4, interest=5)
    return {
        "board": board,
        "area": board.area,
        "membership": membership,
        "engagement": engagement,
        "meeting": meeting,
        "contact": contact,
        "organisation": organisation,
        "commitment": commitment,
        "champion": champion,
        # Get-or-create: a transactional test elsewhere may have flushed the rows the data migration added.
        "indicator": ReadinessIndicator.objects.get_or_create(name="Named as a local priority")[0],
    }
