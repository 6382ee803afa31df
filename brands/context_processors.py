def regional_store(request):
    """Exposes the current regional store (or None) to every template as `regional_store`."""
    return {"regional_store": getattr(request, "regional_store", None)}
