from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.conf import settings

from platform_app.models import Delivery, District, Sector, User
from platform_app.permissions import Role
from platform_app.services.places import user_grant_role

PASSWORD = "correct horse battery"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("ubigeo",)

    name = factory.Sequence(lambda n: f"Distrito de prueba {n}")
    ubigeo = factory.Sequence(lambda n: f"9{n:05d}")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    district = factory.SubFactory(DistrictFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"Sector {o.number}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="es")
    last_name = factory.Faker("last_name", locale="es")
    district = factory.LazyFunction(
        lambda: District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    )

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            user_grant_role(user=self, role=Role(extracted))


def signed_in(client, role: str | None = None, district: District | None = None) -> User:
    """A user of ``role`` (in ``district``, by default Santa Anita) signed in on ``client``."""
    extra = {"district": district} if district is not None else {}
    user = UserFactory(role=role, **extra)
    client.force_login(user)
    return user


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    recipient = factory.Sequence(lambda n: f"recipient{n}@example.org")
    kind = "test.notice"
    object_key = factory.Sequence(lambda n: f"object:{n}")
    subject = "Aviso"
    body = "Texto del aviso"
