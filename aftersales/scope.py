"""An agent's scope: the brands and regional stores whose cases they work on (admins: all of them)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import AgentProfile
from .roles import is_support_admin, is_support_agent


@dataclass(frozen=True)
class AgentScope:
    user: object
    is_admin: bool
    brand_ids: frozenset[int]
    store_ids: frozenset[int]

    def cases(self, cases: QuerySet, *, via: str = "") -> QuerySet:
        """`cases` narrowed to this scope; an agent without brands or stores sees none. `via` reaches the case
        from another model (`"message__case__"` for attachments)."""
        if self.is_admin:
            return cases
        return cases.filter(**{f"{via}brand_id__in": self.brand_ids, f"{via}store_id__in": self.store_ids})

    def covers(self, case) -> bool:
        return self.is_admin or (case.brand_id in self.brand_ids and case.store_id in self.store_ids)


def agent_scope(user) -> AgentScope | None:
    """The scope of a support agent or admin; None for anyone else (two queries for an agent)."""
    if not is_support_agent(user):
        return None
    if is_support_admin(user):
        return AgentScope(user=user, is_admin=True, brand_ids=frozenset(), store_ids=frozenset())
    brand_ids = AgentProfile.brands.through.objects.filter(agentprofile__user=user).values_list("brand_id", flat=True)
    store_ids = AgentProfile.stores.through.objects.filter(agentprofile__user=user).values_list(
        "regionalstore_id", flat=True
    )
    return AgentScope(user=user, is_admin=False, brand_ids=frozenset(brand_ids), store_ids=frozenset(store_ids))
