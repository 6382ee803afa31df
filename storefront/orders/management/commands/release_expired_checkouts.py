from django.core.management.base import BaseCommand

from storefront.orders.services import checkouts_release_expired


class Command(BaseCommand):
    help = "Releases the stock, coupon uses and points held by checkouts abandoned past their hold."

    def handle(self, *args, **options):
        released = checkouts_release_expired()
        self.stdout.write(f"Released {released} expired checkout(s).")
