"""Limit/offset pagination (platform spec §6): default 100, no maximum, invalid values ignored."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 100
    max_limit = None
