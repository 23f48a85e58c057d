"""The renderer's layout rules, on the pure functions (no database)."""

import json

import pytest

from events.text_repr import (
    InvalidDataFormat,
    Options,
    RenderFailed,
    add_line_numbers,
    fit_to_length,
    render,
)
from tests.events.text_repr_helpers import EQ, SEP, b64, event, input_section, lines, messages, node, trace

DEFAULTS = Options()
PLAIN = Options(include_markers=False)


def gen_text(options: Options = DEFAULTS, **properties) -> str:
    return render("$ai_generation", event(**properties), options).text


def output_of(choices, options: Options = DEFAULTS) -> str:
    return gen_text(options, **{"$ai_output_choices": choices})


# ---- messages ---------------------------------------------------------------------------------


def test_message_roles_fall_back_to_type_then_unknown():
    text = gen_text(
        **{"$ai_input": [{"type": "human", "content": "a"}, {"content": "b"}, {"role": 5, "content": "c"}]}
    )
    assert text == lines(*input_section(), *messages(("HUMAN", "a"), ("UNKNOWN", "b"), ("UNKNOWN", "c")))


def test_non_dict_messages_are_skipped_but_keep_their_number():
    text = gen_text(**{"$ai_input": ["stray", {"role": "user", "content": "x"}]})
    assert text == lines(*input_section(), "", "[2] USER", "", "x")


def test_content_blocks_are_labelled_by_type():
    content = [
        {"type": "text", "text": "first"},
        {"type": "reasoning", "text": "thinking"},
        {"type": "tool_result", "content": "42"},
        "bare string",
    ]
    text = gen_text(**{"$ai_input": [{"role": "user", "content": content}]})
    assert text == lines(
        *input_section(),
        *messages(
            (
                "USER",
                lines(
                    "first",
                    "",
                    "[REASONING]",
                    "",
                    "thinking",
                    "",
                    "[TOOL_RESULT]",
                    "",
                    "42",
                    "",
                    "bare string",
                ),
            )
        ),
    )


def test_dict_content_uses_text_then_content_then_json():
    text = gen_text(
        **{
            "$ai_input": [
                {"role": "user", "content": {"text": "t"}},
                {"role": "user", "content": {"content": {"text": "nested"}}},
                {"role": "user", "content": {"other": 1}},
            ]
        }
    )
    assert text == lines(
        *input_section(), *messages(("USER", "t"), ("USER", "nested"), ("USER", '{"other": 1}'))
    )


def test_unextractable_list_content_is_a_repr_preview():
    text = gen_text(**{"$ai_input": [{"role": "user", "content": [{"type": "image", "url": "x" * 600}]}]})
    preview = repr([{"type": "image", "url": "x" * 600}])[:500] + "..."
    assert text == lines(*input_section(), *messages(("USER", preview)))


def test_tool_use_and_tool_call_blocks_render_inline():
    content = [
        {"type": "text", "text": "Looking"},
        {"type": "tool_use", "name": "search", "input": {"q": "café"}},
        {"type": "tool_use", "name": "partial", "input": {}, "partial_json": '{"a": 1}'},
        {"type": "tool-call", "toolName": "calc", "input": {"x": 2}},
        {"content": {"toolName": "lookup", "args": {"id": 7}}},
        {"content": {"toolName": "lookup", "result": "found"}},
        {"content": {"result": "anonymous"}},
    ]
    text = gen_text(**{"$ai_input": [{"role": "assistant", "content": content}]})
    expected = lines(
        "Looking",
        "",
        'search(q="caf\\u00e9")',
        "",
        "partial(a=1)",
        "",
        "calc(x=2)",
        "",
        "lookup(id=7)",
        "",
        "[Tool result: lookup]",
        "",
        "[Tool result: unknown]",
    )
    assert text == lines(*input_section(), *messages(("ASSISTANT", expected)))


@pytest.mark.parametrize(
    ("arguments", "rendered"),
    [
        ('{"a": "b", "n": [1, 2]}', 'f(a="b", n=[1, 2])'),
        ({"a": None}, "f(a=null)"),
        ("", "f()"),
        (None, "f()"),
        ({}, "f()"),
        ("not json", "f(not json)"),
        ("[1, 2]", "f([1, 2])"),
    ],
)
def test_tool_call_arguments(arguments, rendered):
    choices = [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"function": {"name": "f", "arguments": arguments}}],
        }
    ]
    assert output_of(choices).endswith(lines("Tool calls: 1", f"  - {rendered}"))


def test_langchain_tool_calls_and_missing_names():
    choices = [
        {"role": "assistant", "content": "", "tool_calls": [{"name": "lc", "args": {"k": 1}}, {"args": {}}]}
    ]
    assert output_of(choices).endswith(lines("Tool calls: 2", "  - lc(k=1)", "  - unknown()"))


def test_output_choices_shapes():
    # OpenAI (`message`), direct messages, an xAI-style wrapper, and entries that are neither.
    assert output_of([{"message": {"content": "a"}}]) == lines(
        SEP, "", "OUTPUT:", *messages(("ASSISTANT", "a"))
    )
    assert output_of({"choices": [{"role": "model", "content": "b"}]}) == lines(
        SEP, "", "OUTPUT:", *messages(("MODEL", "b"))
    )
    assert output_of([{"finish_reason": "stop"}, "x"]) == ""
    assert output_of([]) == ""


def test_string_output_wins_over_choices_and_non_strings_are_ignored():
    text = gen_text(**{"$ai_output": "plain", "$ai_output_choices": [{"content": "ignored"}]})
    assert text == lines(SEP, "", "OUTPUT:", "", "plain")
    assert gen_text(**{"$ai_output": {"not": "a string"}}) == ""


def test_unparsed_input_formats():
    assert gen_text(**{"$ai_input": {"prompt": "hi"}}) == lines(
        *input_section("[Unparsed input format: dict]", '{"prompt": "hi"}')
    )
    long = {"k": "v" * 600}
    assert gen_text(**{"$ai_input": long}) == lines(
        *input_section("[Unparsed input format: dict]", json.dumps(long)[:500] + "...")
    )
    assert gen_text(**{"$ai_input": 7}) == lines(*input_section("[Unparsed input format: int]", "7"))


def test_falsy_input_is_omitted():
    for value in (None, "", [], {}, 0):
        assert gen_text(**{"$ai_input": value}) == ""


# ---- tools ------------------------------------------------------------------------------------


def test_tool_shapes_and_signatures():
    tools = [
        {
            "functionDeclarations": [
                {"name": "g1", "parameters": {"properties": {"a": {}}, "required": ["a"]}},
                "junk",
            ]
        },
        {"name": "mcp", "inputSchema": {"properties": {"p": {"type": "integer"}, "bad": "x"}}},
        {"type": "computer_20241022"},
        "not a tool",
    ]
    text = gen_text(**{"$ai_tools": tools})
    assert text == lines(
        SEP,
        "",
        "AVAILABLE TOOLS: 4",
        "",
        "  g1(a: any)",
        "",
        "  mcp(p?: integer)",
        "",
        "  computer_20241022()",
        '    {"type": "computer_20241022"}.',
    )


def test_tools_collapse_threshold_option():
    tools = [{"name": "a"}, {"name": "b"}]
    assert gen_text(
        Options(tools_collapse_threshold=1, include_markers=False), **{"$ai_tools": tools}
    ) == lines(SEP, "", "[+] AVAILABLE TOOLS: 2")


# ---- spans ------------------------------------------------------------------------------------


def span_text(options: Options = DEFAULTS, **properties) -> str:
    return render("$ai_span", event("s1", "$ai_span", **properties), options).text


@pytest.mark.parametrize(
    ("state", "body"),
    [
        ("{'a': 1, 'b': [True, None]}", '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}'),
        ('{"a": true}', '{\n  "a": true\n}'),
        ("just text", "just text"),
        ("(1, 2)", "(1, 2)"),
        ([1, 2], "[\n  1,\n  2\n]"),
        (12, "12"),
        (
            {"type": "tool", "name": "grep", "status": "success", "content": "3 matches"},
            "[TOOL RESULT] grep (success)\n\n3 matches",
        ),
        ({"type": "tool"}, "[TOOL RESULT]"),
        ({"café": "ü"}, '{\n  "caf\\u00e9": "\\u00fc"\n}'),
    ],
    ids=[
        "python-literal",
        "json-literal",
        "text",
        "tuple-literal",
        "list",
        "number",
        "tool-result",
        "bare-tool",
        "ascii-escaped",
    ],
)
def test_span_state_bodies(state, body):
    assert span_text(**{"$ai_input_state": state}) == lines("SPAN", EQ, SEP, "", "INPUT STATE:", "", body)


def test_span_message_states():
    state = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    assert span_text(**{"$ai_output_state": {"messages": state}}) == lines(
        "SPAN", EQ, SEP, "", "OUTPUT STATE:", "", *messages(("USER", "q"), ("ASSISTANT", "a"))
    )
    assert span_text(**{"$ai_input_state": state}) == lines(
        "SPAN", EQ, SEP, "", "INPUT STATE:", "", *messages(("USER", "q"), ("ASSISTANT", "a"))
    )


def test_span_tool_call_with_context():
    state = {
        "__type": "tool_call_with_context",
        "state": {"messages": [{"role": "user", "content": "go"}], "remaining_steps": 3},
        "tool_call": {"name": "search", "args": {"q": "x"}},
    }
    assert span_text(**{"$ai_input_state": state}) == lines(
        "SPAN",
        EQ,
        SEP,
        "",
        "INPUT STATE:",
        "",
        *messages(("USER", "go")),
        "",
        "Remaining steps: 3",
        "",
        "Tool Call:",
        '  search(q="x")',
    )


def test_span_errors():
    assert span_text(**{"$ai_span_name": "step", "$ai_error": "bad"}) == lines(
        "STEP", EQ, SEP, "", "ERROR:", "", "bad"
    )
    assert span_text(**{"$ai_error": {"code": 1}}) == lines(
        "SPAN", EQ, SEP, "", "ERROR:", "", '{\n  "code": 1\n}'
    )
    assert span_text(**{"$ai_error": [1]}) == lines("SPAN", EQ, SEP, "", "ERROR:", "", "[1]")
    # `$ai_is_error` alone shows nothing for a span.
    assert span_text(**{"$ai_is_error": True}) == lines("SPAN", EQ)


def test_long_states_are_shortened():
    text = span_text(PLAIN, **{"$ai_input_state": "x" * 1500})
    assert text == lines(
        "SPAN",
        EQ,
        SEP,
        "",
        "INPUT STATE:",
        "",
        "x" * 500 + "\n\n... (500 chars truncated) ...\n\n" + "x" * 500,
    )


# ---- traces -----------------------------------------------------------------------------------


def trace_text(data, options: Options = DEFAULTS) -> str:
    return render("$ai_trace", data, options).text


HIERARCHY_HEADER = ["TRACE", EQ, "", SEP, "", "TRACE HIERARCHY:", ""]


def test_tree_connectors_and_summaries():
    root = event(
        "g1",
        "$ai_generation",
        **{
            "$ai_model": "gpt-4o",
            "$ai_latency": "0.456",
            "$ai_total_cost_usd": 0.00123,
            "$ai_is_error": True,
        },
    )
    span = event("s1", "$ai_span", **{"$ai_span_name": "retrieve", "$ai_latency": 2, "$ai_is_error": True})
    emb = event("e1", "$ai_embedding")
    evals = [
        event("v1", "$ai_evaluation", **{"$ai_evaluation_applicable": False}),
        event("v2", "$ai_evaluation", **{"$ai_evaluation_name": "tone", "$ai_evaluation_result": "false"}),
    ]
    data = trace([node(root, node(span, node(emb)), node(evals[0])), node(evals[1]), node({"event": "x"})])
    assert trace_text(data, Options(collapsed=True)) == lines(
        *HIERARCHY_HEADER,
        "├─ [GEN] gpt-4o (0.46s, $0.0012, gpt-4o, ERROR)",
        "│  ├─ [SPAN] retrieve (2.00s, ERROR)",
        "│  │  └─ [EMBED] embedding",
        "│  └─ [EVAL] evaluation (N/A)",
        "├─ [EVAL] tone (FAIL)",
        "└─ [EVENT] x",
    )


def test_node_that_is_an_event_dict_and_missing_ids():
    data = trace(
        [{"event": "$ai_span", "properties": {}, "children": [{"event": {"event": "custom"}}]}, "junk"]
    )
    assert trace_text(data, Options(include_markers=True)) == lines(
        *HIERARCHY_HEADER,
        f"└─ <<<GEN_EXPANDABLE|unknown|[SPAN] span|{b64(lines('SPAN', EQ))}>>>",
        "   └─ <<<EVENT_LINK|unknown|[EVENT]>>> custom",
    )


def test_max_depth():
    deepest = node(event("leaf", "custom"))
    for level in range(11, -1, -1):
        deepest = node(event(f"n{level}", "custom"), deepest)
    text = trace_text(trace([deepest]), Options(collapsed=True))
    tree = text.split("\n")[len(HIERARCHY_HEADER) :]
    assert len(tree) == 12
    assert tree[10] == " " * 30 + "└─ [EVENT] custom"
    assert tree[11] == " " * 33 + "  [... max depth reached]"


def test_plain_expanded_children_are_indented_under_their_branch():
    child = event("c", "$ai_generation", **{"$ai_input": "in"})
    data = trace([node(event("a", "$ai_span"), node(child)), node(event("b", "custom"))])
    content = lines(*input_section("in"))
    assert trace_text(data, PLAIN) == lines(
        *HIERARCHY_HEADER,
        "├─ [+] [SPAN] span",
        "│      SPAN",
        f"│      {EQ}",
        "│  └─ [+] [GEN] generation",
        *(f"│         {line}" for line in content.split("\n")),
        "└─ [EVENT] custom",
    )


def test_trace_names_and_message_states():
    data = {"trace": {"id": "t", "traceName": "camel"}, "hierarchy": []}
    assert trace_text(data) == lines("CAMEL", EQ)
    data = {
        "trace": {
            "id": "t",
            "input_state": [{"role": "user", "content": "q"}],
            "outputState": [{"role": "assistant", "content": "a"}],
        },
        "hierarchy": [],
    }
    assert trace_text(data) == lines(
        "TRACE",
        EQ,
        "",
        SEP,
        "",
        "INPUT:",
        *messages(("USER", "q")),
        "",
        SEP,
        "",
        "OUTPUT:",
        *messages(("ASSISTANT", "a")),
    )
    data = trace([], **{"$ai_error": {"code": 1}, "$ai_input_state": 5})
    assert trace_text(data) == lines(
        "TRACE",
        EQ,
        "",
        SEP,
        "",
        "TRACE ERROR:",
        "",
        '{\n  "code": 1\n}',
        "",
        SEP,
        "",
        "TRACE INPUT:",
        "",
        "5",
    )


@pytest.mark.parametrize("latency", ["slow", {"s": 1}, [1]])
def test_unreadable_numbers_in_a_trace_are_invalid_data(latency):
    data = trace([node(event("g", "$ai_generation", **{"$ai_latency": latency}))])
    with pytest.raises(InvalidDataFormat) as raised:
        render("$ai_trace", data, Options())
    assert raised.value.body() == {"error": "Invalid data format"}


def test_unexpected_failures_are_render_failed(monkeypatch):
    monkeypatch.setattr("events.text_repr.generation_lines", lambda *args: 1 / 0)
    with pytest.raises(RenderFailed) as raised:
        render("$ai_generation", event(), Options())
    assert raised.value.body() == {
        "error": "Internal server error",
        "detail": "Failed to generate text representation",
    }
    assert raised.value.status_code == 500


# ---- line numbers and max_length --------------------------------------------------------------


def test_line_number_width_follows_the_line_count():
    assert add_line_numbers("a\nb") == "L1: a\nL2: b"
    assert add_line_numbers("\n".join("x" * 120)).split("\n")[0] == "L001: x"


def test_chunks_are_dropped_largest_first_and_deterministically():
    text_lines = [f"h{i}" for i in range(5)] + ["a", "b", "c", "d" * 100, "e", "f", "g"]
    text = "\n".join(text_lines)
    reduced, truncated = fit_to_length(text, len(text) - 50, numbered=False)
    assert truncated
    assert reduced == lines("h0", "h1", "h2", "h3", "h4", "a", "b", "c", "[...3 lines...]", "g")
    assert fit_to_length(text, len(text) - 50, numbered=False) == (reduced, True)


def test_chunk_markers_carry_line_numbers():
    text = add_line_numbers("\n".join([f"line{i}" for i in range(5)] + ["x" * 50] * 7))
    reduced, truncated = fit_to_length(text, len(text) - 200, numbered=True)
    assert truncated
    assert reduced.split("\n")[5:] == [
        "L06-L08: [...3 lines...]",
        "L09-L11: [...3 lines...]",
        "L12: " + "x" * 50,
    ]


def test_single_chunk_marker_and_hard_cut():
    text = add_line_numbers("\n".join(["h"] * 5 + ["y" * 300]))
    reduced, _ = fit_to_length(text, 100, numbered=True)
    assert reduced == lines("L1: h", "L2: h", "L3: h", "L4: h", "L5: h", "L6: [...1 lines...]")

    huge = "z" * 10_000
    cut, truncated = fit_to_length(huge, 1000, numbered=False)
    note = "\n\n... [Output truncated at 1,000 characters. Original length: 10,000 characters]"
    assert truncated
    assert cut == "z" * (1000 - len(note)) + note
    assert len(cut) == 1000


def test_no_cap_when_max_length_is_not_positive():
    assert fit_to_length("x" * 50, 0, numbered=False) == ("x" * 50, False)
    assert fit_to_length("x" * 50, -1, numbered=False) == ("x" * 50, False)


def test_default_cap_is_two_million():
    text = render("$ai_generation", event(**{"$ai_input": "a" * 2_100_000}), Options(truncated=False))
    assert text.truncated
    assert len(text.text) <= 2_000_000
    small = render("$ai_generation", event(**{"$ai_input": "a" * 1_900_000}), Options(truncated=False))
    assert not small.truncated
    assert len(small.text) > 1_900_000
