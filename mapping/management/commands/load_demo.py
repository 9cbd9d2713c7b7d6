from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mapping.example import create_example
from mapping.models import Membership, Organisation, Role


class Command(BaseCommand):
    help = "Create organisation 'demo' with the example mapping and the login demo/demo (DEBUG only)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is only loaded with DEBUG=1: its password is public.")
        organisation, _ = Organisation.objects.get_or_create(slug="demo", defaults={"name": "Demo-NGO"})
        User = get_user_model()
        user, created = User.objects.get_or_create(username="demo", defaults={"email": "demo@example.org"})
        if created:
            user.set_password("demo")
            user.save()
        Membership.objects.update_or_create(user=user, organisation=organisation, defaults={"role": Role.FACILITATOR})
        mapping = organisation.mappings.order_by("created", "id").first()
        if mapping is None:
            mapping = create_example(organisation)
        self.stdout.write(f"Demo: http://127.0.0.1:8000{mapping.get_absolute_url()}  login: demo / demo")
