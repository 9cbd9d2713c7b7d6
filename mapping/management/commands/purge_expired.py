"""Delete what is kept no longer: run daily from a systemd timer or cron (README, "Deploy")."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from mapping.models import Session, Workshop


class Command(BaseCommand):
    help = (
        "Delete employees' input of workshops past their retention (Workshop.input_kept_days after the "
        "workshop ended) and expired sign-in sessions. Safe to run again: it prints what it deleted."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        inputs = workshops = 0
        for workshop in Workshop.objects.with_expired_input(now):
            deleted = workshop.delete_all_input()
            if deleted:
                inputs += deleted
                workshops += 1
        sessions, _detail = Session.objects.filter(expire_date__lt=now).delete()
        self.stdout.write(
            f"purge_expired: {inputs} input rows from {workshops} workshops, {sessions} expired sessions deleted."
        )
