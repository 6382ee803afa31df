"""`manage.py expire_points`: what beat runs hourly — releases abandoned points holds, expires due lots."""

from django.core.management.base import BaseCommand

from loyalty.services.points import points_expire_due
from loyalty.services.points_holds import points_holds_release_abandoned


class Command(BaseCommand):
    help = (
        "Release Mi Points holds left open past their expiry and grace, then expire the lots past their "
        "expiry, writing an expire entry in the ledger for each."
    )

    def handle(self, *args, **options):
        holds = points_holds_release_abandoned()
        lots = points_expire_due()
        self.stdout.write(f"Released {holds} abandoned points hold(s); expired {lots} points lot(s).")
