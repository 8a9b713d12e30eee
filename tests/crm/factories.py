import factory
from django.utils import timezone

from crm.models import Affiliation, Contact, LawfulBasis, LocalArea, Organisation, PractitionerGroup, Region, Tag


class LocalAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalArea
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Area {n}")
    code = factory.Sequence(lambda n: f"E{10000000 + n}")
    kind = LocalArea.Kind.UNITARY
    region = Region.NORTH_WEST


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.LOCAL_AUTHORITY
    area = factory.SubFactory(LocalAreaFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.Sequence(lambda n: f"contact{n}@example.nhs.uk")
    job_title = "Health visitor"
    practitioner_group = PractitionerGroup.HEALTH_VISITING
    area = factory.SubFactory(LocalAreaFactory)
    lawful_basis = LawfulBasis.LEGITIMATE_INTERESTS


class ConsentedContactFactory(ContactFactory):
    lawful_basis = LawfulBasis.CONSENT
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_source = "Pledge page"


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    contact = factory.SubFactory(ContactFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "Health visitor"
