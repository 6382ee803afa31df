"""The demo store that `manage.py seed_store` writes: line-up, generated pictures, people, and the seeding.

A project-level package rather than part of one app, because it writes into several (brands, catalog,
accounts); the command itself lives with brands, whose reference data it starts from.
"""
