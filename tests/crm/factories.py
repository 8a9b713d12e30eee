import factory
from django.utils import timezone

from crm.models import Affiliation, Contact, LawfulBasis, LocalArea, Organisation, PractitionerGroup, Region, Tag


class LocalAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalArea
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Area {n}")
    # E99… is never an ONS code, so factory areas cannot clash with the loaded ONS list.
    code = factory.Sequence(lambda n: f"E99{n:06d}")
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


# --- Import, duplicates and merge ----------------------------------------------------------------


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A job as the upload step leaves it; tests usually go through import_job_create instead."""

    class Meta:
        model = "crm.ImportJob"

    kind = "contacts"
    original_name = "contacts.csv"
    file = factory.django.FileField(filename="contacts.csv", data=b"First name,Last name\r\nAda,Lovelace\r\n")
    headers = factory.LazyFunction(lambda: ["First name", "Last name"])
    mapping = factory.LazyFunction(lambda: {"columns": {"First name": "first_name", "Last name": "last_name"}})
    total_rows = 1


class ContactEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "crm.ContactEmail"

    contact = factory.SubFactory(ContactFactory)
    email = factory.Sequence(lambda n: f"other{n}@example.org")


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "crm.Note"

    contact = factory.SubFactory(ContactFactory)
    body = "Spoke about the family hub launch."
