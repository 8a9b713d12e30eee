import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import Delivery, ResponseKind
from campaigns.selectors import segment_preview, segment_recipients
from campaigns.services.segments import EMPTY_DEFINITION, segment_create, segment_definition_clean
from crm.models import LawfulBasis, Organisation, PractitionerGroup, Region, Suppression, TimelineEntry
from crm.services.suppression import suppression_add
from tests.campaigns.factories import CampaignFactory, SendFactory
from tests.crm.factories import AffiliationFactory, ContactFactory, LocalAreaFactory, OrganisationFactory, TagFactory

pytestmark = pytest.mark.django_db


def definition(**filters):
    return {**EMPTY_DEFINITION, **filters}


def test_exclusions_are_counted_by_reason_and_never_included():
    # Given health visitors, some of whom may not be emailed for different reasons
    ok = ContactFactory.create_batch(3)
    ContactFactory(email_opt_out=True)
    ContactFactory(do_not_contact=True)
    ContactFactory(lawful_basis=LawfulBasis.NONE)
    ContactFactory(email="")
    ContactFactory(erased_at=timezone.now())
    suppressed = ContactFactory(email="Bounced.Person@Example.NHS.uk ")
    suppression_add(email="bounced.person@example.nhs.uk", reason=Suppression.Reason.BOUNCED, source="test")
    ContactFactory(practitioner_group=PractitionerGroup.POLICE)  # not matched at all
    d = definition(practitioner_groups=[PractitionerGroup.HEALTH_VISITING])
    # When the segment is previewed
    preview = segment_preview(d)
    # Then only the three may be emailed, and each exclusion is named
    assert preview.eligible == 3
    assert preview.matched == 9
    assert {code: n for code, _, n in preview.excluded} == {
        "opted_out": 1,
        "do_not_contact": 1,
        "no_lawful_basis": 1,
        "no_email": 1,
        "erased": 1,
        "suppressed": 1,
    }
    assert set(segment_recipients(d)) == set(ok)
    assert suppressed not in segment_recipients(d)


def test_filters_on_region_area_organisation_kind_tags_engagement_and_responses():
    north_west = LocalAreaFactory(region=Region.NORTH_WEST)
    london = LocalAreaFactory(region=Region.LONDON)
    tag = TagFactory(name="lostparents")
    nhs = OrganisationFactory(kind=Organisation.Kind.NHS_TRUST)
    in_nw = ContactFactory(area=north_west)
    in_london = ContactFactory(area=london)
    tagged = ContactFactory(area=london)
    tagged.tags.add(tag)
    AffiliationFactory(contact=in_london, organisation=nhs)
    TimelineEntry.objects.create(
        contact=in_nw,
        kind=TimelineEntry.Kind.ENGAGEMENT,
        summary="Met at board",
        occurred_at=timezone.now() - dt.timedelta(days=10),
    )
    from campaigns.models import Response

    campaign = CampaignFactory()
    Response.objects.create(campaign=campaign, contact=tagged, kind=ResponseKind.PLEDGED)

    assert set(segment_recipients(definition(regions=[Region.NORTH_WEST]))) == {in_nw}
    assert set(segment_recipients(definition(areas=[london.pk]))) == {in_london, tagged}
    assert set(segment_recipients(definition(organisation_kinds=[nhs.kind]))) == {in_london}
    assert set(segment_recipients(definition(tags=[tag.pk]))) == {tagged}
    assert set(segment_recipients(definition(engaged="yes"))) == {in_nw}
    since = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    assert set(segment_recipients(definition(engaged="yes", engaged_since=since))) == set()
    assert in_nw not in set(segment_recipients(definition(engaged="no")))
    assert set(segment_recipients(definition(responded=[ResponseKind.PLEDGED]))) == {tagged}


def test_past_campaign_filters_use_sent_deliveries():
    reached, not_reached = ContactFactory(), ContactFactory()
    send = SendFactory()
    Delivery.objects.create(send=send, contact=reached, email=reached.email, status="sent", sent_at=timezone.now())
    Delivery.objects.create(send=send, contact=not_reached, email=not_reached.email, status="failed")
    campaign_id = send.campaign_id
    assert set(segment_recipients(definition(received_campaigns=[campaign_id]))) == {reached}
    assert set(segment_recipients(definition(not_received_campaigns=[campaign_id]))) == {not_reached}


def test_definitions_are_validated_by_key():
    with pytest.raises(ValidationError) as caught:
        segment_definition_clean({"regions": ["atlantis"], "areas": [999999], "colour": "blue", "engaged": "maybe"})
    errors = caught.value.message_dict
    assert "atlantis" in errors["regions"][0]
    assert "999999" in errors["areas"][0]
    assert "colour" in errors["definition"][0]
    assert "engaged" in errors


def test_segment_create_stores_the_clean_definition(campaign_staff):
    segment = segment_create(
        name="Health visitors NW",
        campaign=None,
        definition={"practitioner_groups": ["health_visiting", "health_visiting"], "regions": ["north_west"]},
        actor=campaign_staff,
    )
    assert segment.definition["practitioner_groups"] == ["health_visiting"]
    assert segment.definition["tags"] == []


def test_preview_count_runs_a_fixed_number_of_queries(django_assert_num_queries):
    ContactFactory.create_batch(5)
    d = definition(practitioner_groups=[PractitionerGroup.HEALTH_VISITING], tags=[TagFactory().pk])
    with django_assert_num_queries(1):
        segment_preview(d)
