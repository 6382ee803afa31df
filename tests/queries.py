"""Query counts the tests expect of helpers shared by many writers."""

from django.db import connection

# brands.legacy.bulk.bulk_insert: on PostgreSQL the keys from the sequence, then one COPY; elsewhere one bulk_create.
QUERIES_PER_INSERT = 2 if connection.vendor == "postgresql" else 1
# bulk_insert_rows(..., keys=False): one COPY, the database numbering the rows (one bulk_create elsewhere).
QUERIES_PER_INSERT_WITHOUT_KEYS = 1
