"""text_repr black-box behaviour, one test per numbered case: status and exact bodies."""

import json

import pytest

from tests.api import not_authenticated, not_found, permission_denied, validation
from tests.events.text_repr_helpers import (
    EQ,
    SEP,
    b64,
    body_of,
    event,
    input_section,
    lines,
    messages,
    node,
    post,
    render,
    text_of,
    text_repr_url,
    trace,
)

GEN = "$ai_generation"
HELLO = {
    "$ai_input": [{"role": "user", "content": "Hello"}],
    "$ai_output_choices": [{"message": {"role": "assistant", "content": "Hi there"}}],
}


def test_case_26_no_credentials_is_401_for_get_and_post(client, world):
    for response in (
        client.get(text_repr_url(world.t)),
        client.post(text_repr_url(world.t), {"event_type": GEN, "data": event()}, format="json"),
    ):
        assert response.status_code == 401
        assert response.json() == not_authenticated()


def test_case_27_generation_with_input_and_output(client, world):
    body = render(client, world, GEN, event(**HELLO))
    text = lines(
        *input_section(),
        *messages(("USER", "Hello")),
        "",
        SEP,
        "",
        "OUTPUT:",
        *messages(("ASSISTANT", "Hi there")),
    )
    assert body == body_of(text)
    assert text.startswith(SEP)


def test_case_28_span_with_states(client, world):
    data = event(
        "span123",
        "$ai_span",
        **{
            "$ai_span_name": "test-span",
            "$ai_input_state": {"query": "test"},
            "$ai_output_state": {"result": "success"},
        },
    )
    body = render(client, world, "$ai_span", data)
    text = lines(
        "TEST-SPAN",
        EQ,
        SEP,
        "",
        "INPUT STATE:",
        "",
        '{\n  "query": "test"\n}',
        SEP,
        "",
        "OUTPUT STATE:",
        "",
        '{\n  "result": "success"\n}',
    )
    assert body == body_of(text, event_type="$ai_span", event_id="span123")


def test_case_29_trace_with_one_generation(client, world):
    data = trace(
        [node(event("gen1", GEN, **{"$ai_span_name": "generation"}))], **{"$ai_span_name": "my-trace"}
    )
    body = render(client, world, "$ai_trace", data)
    text = lines(
        "MY-TRACE", EQ, "", SEP, "", "TRACE HIERARCHY:", "", "└─ <<<GEN_EXPANDABLE|gen1|[GEN] generation|>>>"
    )
    assert body == body_of(text, event_type="$ai_trace", event_id=None, trace_id="trace123")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"data": {}}, {"event_type": ["This field is required."]}),
        ({"event_type": GEN}, {"data": ["This field is required."]}),
        ({}, {"event_type": ["This field is required."], "data": ["This field is required."]}),
        ({"event_type": "$ai_foo", "data": {}}, {"event_type": ['"$ai_foo" is not a valid choice.']}),
        ({"event_type": GEN, "data": None}, {"data": ["This field may not be null."]}),
        (
            {"event_type": GEN, "data": event(), "options": {"max_length": "x"}},
            {"options": {"max_length": ["A valid integer is required."]}},
        ),
        (
            {"event_type": GEN, "data": event(), "options": {"truncated": "maybe"}},
            {"options": {"truncated": ["Must be a valid boolean."]}},
        ),
    ],
    ids=["no-event-type", "no-data", "empty", "unknown-type", "null-data", "bad-option", "bad-bool"],
)
def test_case_30_body_errors_are_drf_dictionaries(client, world, body, expected):
    response = post(client, world, body)
    assert response.status_code == 400
    assert response.json() == expected


@pytest.mark.parametrize(
    ("event_type", "data", "detail"),
    [
        (GEN, {"properties": {"$ai_input": "x"}}, "$ai_generation events require an 'id' field"),
        ("$ai_span", {"id": "", "properties": {}}, "$ai_span events require an 'id' field"),
        (
            "$ai_trace",
            {"trace": {"properties": {"$ai_span_name": "t"}}, "hierarchy": []},
            "Trace events require an ID (trace.id or trace.properties.$ai_trace_id)",
        ),
        (
            # The docs' own example names the trace `trace_id`, which is not an id here.
            "$ai_trace",
            {"trace": {"trace_id": "trace_123", "name": "x"}, "hierarchy": []},
            "Trace events require an ID (trace.id or trace.properties.$ai_trace_id)",
        ),
    ],
    ids=["generation", "span-empty-id", "trace", "trace-docs-example"],
)
def test_case_31_missing_ids(client, world, event_type, data, detail):
    response = post(client, world, {"event_type": event_type, "data": data})
    assert response.status_code == 400
    assert response.json() == validation(None, "invalid_input", detail)


@pytest.mark.parametrize(
    ("event_type", "data", "detail"),
    [
        (GEN, {"id": "g"}, "$ai_generation events require 'properties' object in data field"),
        (
            "$ai_embedding",
            ["not", "an", "object"],
            "$ai_embedding events require 'properties' object in data field",
        ),
        (
            "$ai_trace",
            {"trace": {"id": "t"}},
            "Trace events require 'trace' object and 'hierarchy' array in data field",
        ),
        (
            "$ai_trace",
            {"trace": {"id": "t"}, "hierarchy": {}},
            "Trace events require 'trace' object and 'hierarchy' array in data field",
        ),
        (
            "$ai_trace",
            {"trace": {}, "hierarchy": []},
            "Trace events require 'trace' object and 'hierarchy' array in data field",
        ),
        (
            "$ai_trace",
            {"trace": "t", "hierarchy": []},
            "Trace events require 'trace' object and 'hierarchy' array in data field",
        ),
    ],
    ids=["no-properties", "list-data", "no-hierarchy", "dict-hierarchy", "empty-trace", "string-trace"],
)
def test_case_32_structure(client, world, event_type, data, detail):
    response = post(client, world, {"event_type": event_type, "data": data})
    assert response.status_code == 400
    assert response.json() == validation(None, "invalid_input", detail)


def test_case_33_malformed_json(client, world):
    response = client.post(
        text_repr_url(world.t),
        "not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.k_all}",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("invalid_request", "parse_error", None)
    assert body["detail"].startswith("JSON parse error")


def test_case_34_long_input_is_shortened_per_block(client, world):
    data = event(**{"$ai_input": "a" * 5000})
    marked = lines(*input_section("a" * 500, "", f"<<<TRUNCATED|{b64('a' * 4000)}|4000>>>", "", "a" * 500))
    assert render(client, world, GEN, data) == body_of(marked)

    plain = lines(*input_section("a" * 500 + "\n\n... (4000 chars truncated) ...\n\n" + "a" * 500))
    assert render(client, world, GEN, data, include_markers=False) == body_of(plain)
    assert "<<<TRUNCATED|" not in plain

    full = lines(*input_section("a" * 5000))
    assert render(client, world, GEN, data, truncated=False) == body_of(full)


def test_case_35_truncate_buffer(client, world):
    text = text_of(client, world, GEN, event(**{"$ai_input": "b" * 5000}), truncate_buffer=500)
    assert text == lines(
        *input_section("b" * 250, "", f"<<<TRUNCATED|{b64('b' * 4500)}|4500>>>", "", "b" * 250)
    )


def test_case_36_max_length_drops_chunks(client, world):
    body = render(client, world, GEN, event(**{"$ai_input": "a" * 100_000}), max_length=50_000)
    # The marker line (base64 of the middle) is the chunk dropped; the first five lines stay.
    text = lines(*input_section("a" * 500), "[...3 lines...]", "a" * 500)
    assert body == body_of(text, truncated=True)
    assert body["metadata"]["char_count"] <= 50_100


def test_case_37_small_event_is_not_truncated(client, world):
    body = render(client, world, GEN, event(**{"$ai_input": "short"}))
    assert body == body_of(lines(*input_section("short")))


@pytest.mark.parametrize("properties", [{}, {"$ai_input": None, "$ai_output": None}], ids=["empty", "nulls"])
def test_case_38_empty_properties(client, world, properties):
    assert render(client, world, GEN, event(**properties)) == body_of("")


def test_case_39_unicode_is_kept(client, world):
    text = text_of(client, world, GEN, event(**{"$ai_input": "Hello 世界 🌍 émojis"}))
    assert text == lines(*input_section("Hello 世界 🌍 émojis"))


def test_case_40_nested_span_state(client, world):
    state = {"level1": {"level2": {"level3": {"level4": "deep"}}}}
    data = event("span1", "$ai_span", **{"$ai_span_name": "test", "$ai_input_state": state})
    text = text_of(client, world, "$ai_span", data)
    assert text == lines("TEST", EQ, SEP, "", "INPUT STATE:", "", json.dumps(state, indent=2))
    assert "deep" in text


def test_case_41_openai_tool_calls(client, world):
    data = event(
        **{
            "$ai_input": [{"role": "user", "content": "Test"}],
            "$ai_output_choices": [
                {
                    "message": {
                        "role": "assistant",
                        "content": "Response",
                        "tool_calls": [{"function": {"name": "test_func", "arguments": '{"arg": "val"}'}}],
                    }
                }
            ],
        }
    )
    text = text_of(client, world, GEN, data)
    assert text == lines(
        *input_section(),
        *messages(("USER", "Test")),
        "",
        SEP,
        "",
        "OUTPUT:",
        *messages(("ASSISTANT", "Response")),
        "",
        "Tool calls: 1",
        '  - test_func(arg="val")',
    )


def test_case_41_anthropic_content_with_function_block(client, world):
    data = event(
        **{
            "$ai_input": [{"role": "user", "content": "Test"}],
            "$ai_output_choices": [
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": "I'll help"},
                        {
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": {"location": "Dublin"}},
                        },
                    ],
                }
            ],
        }
    )
    text = text_of(client, world, GEN, data)
    assert text.endswith(
        lines(
            *messages(("ASSISTANT", "I'll help")), "", "Tool calls: 1", '  - get_weather(location="Dublin")'
        )
    )


LOV_TOOLS = {
    "lov-view": {
        "name": "lov-view",
        "description": "Use this tool to read the contents of a file. It reads lines.\nMore.",
        "input_schema": {
            "type": "object",
            "properties": {"file_path": {"type": "string"}, "lines": {"type": "string"}},
            "required": ["file_path"],
        },
    },
    "supabase--migration": {
        "name": "supabase--migration",
        "description": "Create a Supabase migration file",
        "input_schema": {
            "type": "object",
            "properties": {"migration_name": {"type": "string"}},
            "required": ["migration_name"],
        },
    },
}


def test_case_42_tools_as_a_dict(client, world):
    text = text_of(client, world, GEN, event(**{"$ai_tools": LOV_TOOLS, "$ai_input": "Test input"}))
    assert text == lines(
        SEP,
        "",
        "AVAILABLE TOOLS: 2",
        "",
        "  lov-view(file_path: string, lines?: string)",
        "    Use this tool to read the contents of a file.",
        "",
        "  supabase--migration(migration_name: string)",
        "    Create a Supabase migration file.",
        "",
        *input_section("Test input"),
    )


def test_case_42_tools_as_a_list(client, world):
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Get current weather for a location.",
                "parameters": {
                    "type": "object",
                    "properties": {"location": {"type": "string"}},
                    "required": ["location"],
                },
            },
        }
    ]
    text = text_of(client, world, GEN, event(**{"$ai_tools": tools}))
    assert text == lines(
        SEP,
        "",
        "AVAILABLE TOOLS: 1",
        "",
        "  get_weather(location: string)",
        "    Get current weather for a location.",
    )


def test_case_43_long_tool_lists_collapse(client, world):
    tools = {
        f"tool{i}": {"name": f"tool{i}", "description": f"Tool number {i} description."} for i in range(10)
    }
    listing = lines(
        "AVAILABLE TOOLS: 10",
        *(part for i in range(10) for part in ("", f"  tool{i}()", f"    Tool number {i} description.")),
    )
    text = text_of(client, world, GEN, event(**{"$ai_tools": tools}))
    assert text == lines(SEP, "", f"<<<TOOLS_EXPANDABLE|AVAILABLE TOOLS: 10|{b64(listing)}>>>")
    assert "tool0()" not in text

    text = text_of(client, world, GEN, event(**{"$ai_tools": tools}), include_markers=False)
    assert text == lines(SEP, "", "[+] AVAILABLE TOOLS: 10")


def test_case_44_collapsed_and_plain_traces(client, world):
    gen = event("gen1", GEN, **{"$ai_span_name": "gen", "$ai_input": "hi", "$ai_latency": 1.5})
    data = {"trace": {"id": "trace1", "properties": {"$ai_span_name": "test"}}, "hierarchy": [node(gen)]}
    header = ["TEST", EQ, "", SEP, "", "TRACE HIERARCHY:", ""]

    text = text_of(client, world, "$ai_trace", data, collapsed=True)
    assert text == lines(*header, "└─ [GEN] gen (1.50s)")
    assert "GEN_EXPANDABLE" not in text

    text = text_of(client, world, "$ai_trace", data, include_markers=False)
    content = lines(*input_section("hi"))
    assert text == lines(
        *header, "└─ [+] [GEN] gen (1.50s)", *(f"       {line}" for line in content.split("\n"))
    )

    text = text_of(client, world, "$ai_trace", data)
    assert text == lines(*header, f"└─ <<<GEN_EXPANDABLE|gen1|[GEN] gen (1.50s)|{b64(content)}>>>")


def test_case_45_custom_event_node_is_a_link(client, world):
    data = trace(
        [
            node(event("ev1", "my_custom_event")),
            node(
                event(
                    "ev2", "$ai_evaluation", **{"$ai_evaluation_name": "tone", "$ai_evaluation_result": True}
                )
            ),
        ]
    )
    text = text_of(client, world, "$ai_trace", data)
    assert text.endswith(
        lines("├─ <<<EVENT_LINK|ev1|[EVENT]>>> my_custom_event", "└─ <<<EVENT_LINK|ev2|[EVAL]>>> tone (PASS)")
    )


def test_case_46_line_numbers(client, world):
    text = text_of(client, world, GEN, event(**HELLO), include_line_numbers=True)
    plain = text_of(client, world, GEN, event(**HELLO))
    numbered = plain.split("\n")
    assert len(numbered) == 15
    assert text == "\n".join(f"L{i:02d}: {line}" for i, line in enumerate(numbered, start=1))
    assert text.startswith("L01: ")

    short = text_of(client, world, GEN, event(**{"$ai_input": "x"}), include_line_numbers=True)
    assert short == lines("L1: " + SEP, "L2: ", "L3: INPUT:", "L4: ", "L5: x")


def test_case_47_embedding(client, world):
    data = event("emb1", "$ai_embedding", **{"$ai_input": "embed me"})
    body = render(client, world, "$ai_embedding", data)
    text = lines(*input_section("embed me"), "", SEP, "", "OUTPUT:", "", "Embedding vector generated", "")
    assert body == body_of(text, event_type="$ai_embedding", event_id="emb1")


def test_case_48_error_sections(client, world):
    text = text_of(client, world, GEN, event(**{"$ai_error": '{"message":"boom","code":500}'}))
    assert text == lines("", SEP, "", "ERROR:", "", "message: boom", "code: 500", "")

    text = text_of(client, world, GEN, event(**{"$ai_is_error": True}))
    assert text == lines("", SEP, "", "ERROR:", "", "An error occurred (no details available)", "")

    nested = {"error": {"type": "rate_limit", "retries": [1, {"after": 2}]}}
    text = text_of(client, world, GEN, event(**{"$ai_input": "x", "$ai_error": nested}))
    assert text == lines(
        *input_section("x"),
        "",
        "",
        SEP,
        "",
        "ERROR:",
        "",
        "error:",
        "  type: rate_limit",
        "  retries:",
        "    - 1",
        "    -",
        "      after: 2",
        "",
    )


def test_case_49_identical_requests_identical_bodies(client, world):
    body = {"event_type": GEN, "data": event(**HELLO), "options": {"include_markers": False}}
    first = post(client, world, body)
    second = post(client, world, body)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


def test_case_50_other_organizations_project(client, world):
    response = post(client, world, {"event_type": GEN, "data": event()}, project=world.team_b.id)
    assert response.status_code == 403
    assert response.json() == permission_denied("You don't have access to the project.")
    response = post(client, world, {"event_type": GEN, "data": event()}, project=world.missing_id)
    assert response.status_code == 404
    assert response.json() == not_found("Project not found.")


def test_case_51_trace_without_hierarchy_shows_its_states(client, world):
    data = trace([], **{"$ai_span_name": "agent", "$ai_input_state": {"question": "why"}})
    text = text_of(client, world, "$ai_trace", data)
    assert text == lines("AGENT", EQ, "", SEP, "", "TRACE INPUT:", "", '{\n  "question": "why"\n}')

    data = trace([], **{"$ai_error": "boom", "$ai_output_state": "done"})
    text = text_of(client, world, "$ai_trace", data)
    assert text == lines(
        "TRACE", EQ, "", SEP, "", "TRACE ERROR:", "", "boom", "", SEP, "", "TRACE OUTPUT:", "", "done"
    )
