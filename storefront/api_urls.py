"""The API under /api/v1/: each app contributes its own routes from its `api/urls.py`."""

urlpatterns: list = []
