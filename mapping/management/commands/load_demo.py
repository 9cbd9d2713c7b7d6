import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mapping.example import create_example
from mapping.models import Membership, Organisation, Role


class Command(BaseCommand):
    help = "Create organisation 'demo' with the example mapping and the login demo/demo (DEBUG only)."

    def add_arguments(self, parser):
        # The address the server will listen on, as given to runserver: the printed link must open it.
        parser.add_argument(
            "addrport",
            nargs="?",
            default=os.environ.get("PORT", "8000"),
            help="the server's port or host:port (default: $PORT, else 8000)",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is only loaded with DEBUG=1: its password is public.")
        host, _sep, port = str(options["addrport"]).rpartition(":")
        if not port.isdecimal():
            raise CommandError(f"Not a port: {options['addrport']!r} (give e.g. 8001 or 127.0.0.1:8001).")
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
        url = f"http://{host or '127.0.0.1'}:{port}{mapping.get_absolute_url()}"
        self.stdout.write(f"Demo: {url}  login: demo / demo")
