"""Factories for after-sales tests: cases (with their clock set as the services set it), messages, agents."""

import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from aftersales.models import AgentProfile, Attachment, AuthorType, Case, Message, StatusChange
from aftersales.service_levels import case_deadlines_set, service_level_targets
from storefront.accounts.services import user_make_support_agent
from tests.factories import UserFactory, get_brand, get_store

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"MS-2026-{900000 + n:06d}")
    customer = factory.SubFactory(UserFactory)
    store = factory.LazyFunction(get_store)
    brand = factory.LazyFunction(get_brand)
    kind = "repair"
    priority = "normal"
    status = "open"
    subject = factory.Sequence(lambda n: f"Screen flickers {n}")
    opened_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda o: o.opened_at)
    closed_at = factory.LazyAttribute(lambda o: o.updated_at if o.status == "closed" else None)
    resolved_at = factory.LazyAttribute(lambda o: o.updated_at if o.status in ("resolved", "closed") else None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Sets the deadlines from the service levels before the insert, as `case_open` does (a case has a
        deadline exactly while it is active: a database constraint), and records the opening."""
        case = model_class(*args, **kwargs)
        case_deadlines_set(case, targets=service_level_targets())
        case.save()
        StatusChange.objects.create(case=case, from_status="", to_status="open", at=case.opened_at)
        return case


class CarriedOverCaseFactory(CaseFactory):
    number = factory.Sequence(lambda n: f"PS-2024-{n:06d}")
    source = Case.Source.POCO
    legacy_id = factory.Sequence(lambda n: f"t-{n}")
    imported_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    case = factory.SubFactory(CaseFactory)
    author = factory.LazyAttribute(lambda o: o.case.customer if o.author_type == AuthorType.CUSTOMER else None)
    author_type = AuthorType.CUSTOMER
    body = "It flickers when the brightness is low."
    is_internal = False


def attachment_add(message: Message, *, content: bytes = PNG, filename="photo.png", content_type="image/png"):
    attachment = Attachment(message=message, filename=filename, content_type=content_type, size=len(content),
                            sha256=hashlib.sha256(content).hexdigest())
    attachment.file.save(filename, ContentFile(content), save=True)
    return attachment


def make_agent(*, brands=(), stores=(), email=None, **extra):
    """A staff account in the "Support agents" group working on `brands` in `stores`."""
    user = user_make_support_agent(user=UserFactory(**({"email": email} if email else {}), **extra))
    profile = AgentProfile.objects.create(user=user)
    profile.brands.set(brands)
    profile.stores.set(stores)
    return user
