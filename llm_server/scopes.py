"""Personal API key scopes: `<object>:<read|write>` or `*`; write implies read."""

# Scope objects a key may name. Upstream knows more; these are the ones this server serves
# plus the common upstream objects, so keys copied from PostHog validate.
SCOPE_OBJECTS = frozenset(
    {
        "action",
        "activity_log",
        "annotation",
        "batch_export",
        "cohort",
        "dashboard",
        "dashboard_template",
        "dataset",
        "early_access_feature",
        "error_tracking",
        "evaluation",
        "event_definition",
        "experiment",
        "export",
        "feature_flag",
        "group",
        "hog_function",
        "insight",
        "integration",
        "llm_analytics",
        "llm_prompt",
        "llm_skill",
        "logs",
        "notebook",
        "organization",
        "organization_member",
        "person",
        "plugin",
        "property_definition",
        "project",
        "query",
        "session_recording",
        "subscription",
        "survey",
        "user",
        "webhook",
    }
)
SCOPE_ACTIONS = ("read", "write")
ALL_SCOPES = "*"


class InvalidScope(ValueError):
    def __init__(self, scope: str):
        super().__init__(f"Invalid scope: {scope}")
        self.scope = scope


def validate_scopes(scopes: list[str]) -> list[str]:
    """Returns the scopes deduplicated in order, or raises InvalidScope for the first unknown one."""
    cleaned: list[str] = []
    for scope in scopes:
        if scope != ALL_SCOPES:
            obj, _, action = scope.partition(":")
            if obj not in SCOPE_OBJECTS or action not in SCOPE_ACTIONS:
                raise InvalidScope(scope)
        if scope not in cleaned:
            cleaned.append(scope)
    return cleaned


def first_missing_scope(held: list[str], required: list[str]) -> str | None:
    """`*` grants everything; `x:write` also grants `x:read`; `x:read` never grants write."""
    if ALL_SCOPES in held:
        return None
    held_set = set(held)
    for scope in required:
        obj, _, action = scope.partition(":")
        if scope in held_set:
            continue
        if action == "read" and f"{obj}:write" in held_set:
            continue
        return scope
    return None
