import factory
from django.utils import timezone

from campaigns.models import Campaign, Goal, Message, Segment, Send
from campaigns.services.segments import EMPTY_DEFINITION
from tests.factories import UserFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"#LostParents wave {n}")
    slug = factory.Sequence(lambda n: f"lost-parents-{n}")
    aim = "Tell practitioners how child contact centres help children keep in touch with a parent."
    starts_on = factory.LazyFunction(timezone.localdate)
    owner = factory.SubFactory(UserFactory)
    status = Campaign.Status.ACTIVE
    from_name = "Common Ground campaigns"
    from_email = "campaigns@common-ground.example"
    reply_to = "replies@common-ground.example"
    pledge_page_enabled = True


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    campaign = factory.SubFactory(CampaignFactory)
    measure = Goal.Measure.REACHED
    target = 100


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")
    definition = factory.LazyFunction(lambda: dict(EMPTY_DEFINITION))


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Message {n}")
    subject = "Hello {{ first_name }}, children need both parents"
    html_body = '<p>Dear {{ first_name }},</p><p>At {{ organisation|default:"your service" }} you can help.</p>'
    text_body = 'Dear {{ first_name }},\n\nAt {{ organisation|default:"your service" }} you can help.\n'


class SendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Send

    campaign = factory.SelfAttribute("message.campaign")
    message = factory.SubFactory(MessageFactory)
    segment = factory.SubFactory(SegmentFactory)
    rate_per_second = 50
