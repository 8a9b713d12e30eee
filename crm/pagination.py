"""Pagination that does not count big tables twice: django-tables2's LazyPaginator avoids COUNT(*)
on huge lists; use it on lists that can hold 100,000 rows."""

from django_tables2.paginators import LazyPaginator

__all__ = ["LazyPaginator"]
