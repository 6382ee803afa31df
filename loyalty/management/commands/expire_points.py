"""`manage.py expire_points`: expires the Mi Points lots whose expiry has passed (what beat runs hourly)."""

from django.core.management.base import BaseCommand

from loyalty.services.points import points_expire_due


class Command(BaseCommand):
    help = "Expire Mi Points lots past their expiry, writing an expire entry in the ledger for each."

    def handle(self, *args, **options):
        count = points_expire_due()
        self.stdout.write(f"Expired {count} points lot(s).")
