"""text_repr test helpers: the request, payload builders and the expected text's building blocks."""

import base64
from typing import Any

from tests.api import bearer

SEP = "-" * 80
EQ = "=" * 80


def text_repr_url(project: Any, prefix: str = "environments") -> str:
    return f"/api/{prefix}/{project}/llm_analytics/text_repr/"


def post(client, world, body: Any, *, key: str | None = None, project: Any = None, **kwargs):
    """POST as U with `*` (or `key`; "" for no credentials) to T (or `project`)."""
    chosen = world.k_all if key is None else key
    headers = bearer(chosen) if chosen else {}
    return client.post(
        text_repr_url(world.t if project is None else project), body, format="json", **headers, **kwargs
    )


def render(client, world, event_type: str, data: Any, **options: Any) -> dict:
    """The 200 body of one payload (asserting the status)."""
    body = {"event_type": event_type, "data": data}
    if options:
        body["options"] = options
    response = post(client, world, body)
    assert response.status_code == 200, response.content
    return response.json()


def text_of(client, world, event_type: str, data: Any, **options: Any) -> str:
    return render(client, world, event_type, data, **options)["text"]


def event(event_id: str = "gen123", kind: str = "$ai_generation", **properties: Any) -> dict:
    return {"id": event_id, "event": kind, "properties": properties}


def trace(hierarchy: list, trace_id: str = "trace123", **properties: Any) -> dict:
    return {"trace": {"properties": {"$ai_trace_id": trace_id, **properties}}, "hierarchy": hierarchy}


def node(event_dict: dict, *children: dict) -> dict:
    return {"event": event_dict, "children": list(children)}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def lines(*parts: str) -> str:
    return "\n".join(parts)


def metadata(
    text: str,
    *,
    event_type: str = "$ai_generation",
    event_id: Any = "gen123",
    trace_id: Any = None,
    truncated: bool = False,
) -> dict:
    return {
        "event_type": event_type,
        "event_id": event_id,
        "trace_id": trace_id,
        "rendering": "detailed",
        "char_count": len(text),
        "truncated": truncated,
    }


def body_of(text: str, **meta: Any) -> dict:
    return {"text": text, "metadata": metadata(text, **meta)}


def input_section(*content: str) -> list[str]:
    """The generation's INPUT section: of a string input when `content` is given, else its
    heading (a message list follows)."""
    return [SEP, "", "INPUT:", *(["", *content] if content else [])]


def messages(*entries: tuple[str, str]) -> list[str]:
    """A message list's lines: `(ROLE, content)` pairs, SEP between them."""
    out: list[str] = []
    for index, (role, content) in enumerate(entries):
        out += ["", f"[{index + 1}] {role}", "", content]
        if index < len(entries) - 1:
            out += ["", SEP]
    return out
