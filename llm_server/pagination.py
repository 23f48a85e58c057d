"""Limit/offset pagination (platform spec §6): default 100, no maximum, invalid values ignored."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 100
    max_limit = None

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's, except that the slice never exceeds the row count: any limit is honoured in the
        links, while the database never sees a LIMIT past its integer range."""
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.count = self.get_count(queryset)
        self.offset = self.get_offset(request)
        if self.count == 0 or self.offset > self.count:
            return []
        return list(queryset[self.offset : self.offset + min(self.limit, self.count)])
