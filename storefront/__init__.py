"""The unified storefront: the Django project and its shopper-facing domains."""

from .celery import app as celery_app

__all__ = ("celery_app",)
