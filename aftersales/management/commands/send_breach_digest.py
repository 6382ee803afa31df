from django.core.management.base import BaseCommand

from aftersales.services import breach_digest_send


class Command(BaseCommand):
    help = "Mails each support agent the cases of their brands and stores past a service level (the daily digest)."

    def handle(self, *args, **options):
        sent = breach_digest_send()
        self.stdout.write(f"Breach digest sent to {sent} agent(s).")
