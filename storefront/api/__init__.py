"""What every app's API shares: the JSON error shape, pagination, and the base of public read-only views."""
