"""Limit/offset pagination (platform spec §6): default 100, no maximum, invalid values ignored."""

from rest_framework import pagination

# Beyond any table this server holds; larger values would overflow the database's LIMIT/OFFSET.
LARGEST_PAGE_VALUE = 2**31 - 1


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 100
    max_limit = None

    def get_limit(self, request) -> int:
        return min(super().get_limit(request), LARGEST_PAGE_VALUE)

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), LARGEST_PAGE_VALUE)
