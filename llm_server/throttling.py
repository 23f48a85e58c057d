"""Per-key throttles. Off unless RATE_LIMIT_ENABLED; rates read at request time."""

import hashlib

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from llm_server.accounts.models import PersonalAPIKey


class PersonalAPIKeyRateThrottle(SimpleRateThrottle):
    """Buckets by the key (never the user), so each key has its own budget; sessions are exempt."""

    rate_setting = ""

    def __init__(self):
        # Rates are resolved per request so settings overrides (and env changes) take effect.
        pass

    def allow_request(self, request, view) -> bool:
        if not settings.RATE_LIMIT_ENABLED or not isinstance(request.auth, PersonalAPIKey):
            return True
        self.rate = getattr(settings, self.rate_setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        ident = hashlib.sha256(request.auth.secure_value.encode()).hexdigest()[:32]
        return f"throttle_{self.scope}_{ident}"


class BurstRateThrottle(PersonalAPIKeyRateThrottle):
    scope = "burst"
    rate_setting = "RATE_LIMIT_BURST"


class SustainedRateThrottle(PersonalAPIKeyRateThrottle):
    scope = "sustained"
    rate_setting = "RATE_LIMIT_SUSTAINED"


class CallerRateThrottle(SimpleRateThrottle):
    """Off unless RATE_LIMIT_ENABLED; counts every caller, per key (else per user)."""

    rate_setting = ""

    def __init__(self):
        # Rates are resolved per request so settings overrides (and env changes) take effect.
        pass

    def allow_request(self, request, view) -> bool:
        if not settings.RATE_LIMIT_ENABLED:
            return True
        self.rate = getattr(settings, self.rate_setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, PersonalAPIKey):
            ident = "key_" + hashlib.sha256(request.auth.secure_value.encode()).hexdigest()[:32]
        else:
            ident = f"user_{request.user.pk}"
        return f"throttle_{self.scope}_{ident}"


def endpoint_throttles(base: type, name: str, setting_prefix: str, periods: tuple[str, ...]) -> list[type]:
    """One throttle per period of an endpoint's own limits, e.g. `translate` burst, sustained and
    daily, each reading its rate from `<setting_prefix>_<PERIOD>` (RATE_LIMIT_TRANSLATE_BURST …)."""
    return [
        type(
            f"{name.title().replace('_', '')}{period.title()}Throttle",
            (base,),
            {"scope": f"{name}_{period}", "rate_setting": f"{setting_prefix}_{period.upper()}"},
        )
        for period in periods
    ]
