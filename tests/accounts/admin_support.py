"""Checks every admin changelist test makes: it loads, lists the rows, and its query count is flat."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def changelist_queries(client, url: str) -> tuple[int, int]:
    """(queries run, rows counted) for one load of an admin changelist."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(queries), response.context["cl"].result_count


def assert_changelist_queries_constant(client, url: str, add_rows) -> None:
    """Loads `url` with the rows `add_rows(1)` makes, then after `add_rows(5)` more: same query count."""
    add_rows(1)
    few_queries, few_rows = changelist_queries(client, url)
    add_rows(5)
    many_queries, many_rows = changelist_queries(client, url)
    assert many_rows >= few_rows + 5, "the rows added did not show in the changelist"
    assert many_queries == few_queries, (
        f"{url}: {few_queries} queries for {few_rows} rows, {many_queries} for {many_rows}"
    )


def search_results(client, url: str, term: str) -> list:
    response = client.get(url, {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)
