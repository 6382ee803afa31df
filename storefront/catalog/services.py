"""Writes for the catalog: the category tree and review moderation.

Each write bumps the catalog version (storefront/catalog/cache.py) so cached pages show it: single saves do
through the `post_save` receiver, queryset updates here explicitly.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from .cache import catalog_version_bump
from .models import Category, Review


def category_parent_check(*, category: Category, parent: Category | None) -> None:
    """Refuses a parent that would make a loop: the category itself or one of its descendants."""
    if parent is None or category.pk is None:
        return
    stored_path = Category.objects.filter(pk=category.pk).values_list("path", flat=True).first()
    if parent.pk == category.pk or (stored_path and parent.path.startswith(f"{stored_path}/")):
        raise ValidationError(
            _("A category cannot be placed under itself or under one of its own subcategories."), code="loop"
        )


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Saves a category with `path` and `depth` derived from its parent.

    A renamed or moved category carries its whole subtree along, in one UPDATE of the descendants.
    """
    before = Category.objects.filter(pk=category.pk).values("path", "depth").first() if category.pk else None
    parent = category.parent
    category_parent_check(category=category, parent=parent)
    category.path = f"{parent.path}/{category.slug}" if parent else category.slug
    category.depth = parent.depth + 1 if parent else 0
    category.save()
    if before and before["path"] != category.path:
        old_prefix = f"{before['path']}/"
        Category.objects.filter(path__startswith=old_prefix).update(
            path=Concat(Value(f"{category.path}/"), Substr("path", len(old_prefix) + 1)),
            depth=F("depth") + (category.depth - before["depth"]),
        )
        catalog_version_bump()
    return category


@transaction.atomic
def reviews_publish(*, reviews: QuerySet[Review]) -> int:
    """Publishes the given reviews; returns how many changed status."""
    changed = reviews.exclude(status=Review.Status.PUBLISHED).update(status=Review.Status.PUBLISHED)
    catalog_version_bump()
    return changed


@transaction.atomic
def reviews_reject(*, reviews: QuerySet[Review]) -> int:
    """Rejects the given reviews (hidden from shoppers, kept for the record); returns how many changed."""
    changed = reviews.exclude(status=Review.Status.REJECTED).update(status=Review.Status.REJECTED)
    catalog_version_bump()
    return changed
