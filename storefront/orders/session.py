"""The guest cart's token in the session: one random value for the shopper's carts in every store."""

import uuid

SESSION_KEY = "orders_cart_token"


def guest_cart_token(request, *, create: bool = False) -> uuid.UUID | None:
    value = request.session.get(SESSION_KEY)
    if value:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    if not create:
        return None
    token = uuid.uuid4()
    request.session[SESSION_KEY] = str(token)
    return token


def guest_cart_token_forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


PLACED_KEY = "orders_placed"


def remember_placed_order(request, number: str) -> None:
    """A guest may see the confirmation of the orders placed in this session (and nobody else's)."""
    placed = [n for n in request.session.get(PLACED_KEY, []) if n != number][-9:]
    request.session[PLACED_KEY] = [*placed, number]


def placed_in_session(request, number: str) -> bool:
    return number in request.session.get(PLACED_KEY, [])
