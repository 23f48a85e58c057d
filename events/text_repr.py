"""Plain-text renderings of AI events and traces: generations, embeddings, spans and trace trees.

Pure functions over posted (or stored) event dicts. Shapes that do not match what a section expects
are read as missing instead of failing, except for what the API answers as a bad payload:
structural problems (`check_payload`) and values a formatter cannot read (`InvalidDataFormat`).
"""

import ast
import base64
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from llm_server.domain import DetailError, DomainValidationError

logger = logging.getLogger(__name__)

SEP = "-" * 80
EQ = "=" * 80
DEFAULT_MAX_LENGTH = 2_000_000
DEFAULT_TRUNCATE_BUFFER = 1000
DEFAULT_TOOLS_COLLAPSE_THRESHOLD = 5
MAX_TREE_DEPTH = 10
UNPARSED_PREVIEW_LENGTH = 500
# Output over max_length keeps its first lines and drops whole chunks of the rest.
HEADER_LINES = 5
CHUNK_LINES = 3
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

GENERATION = "$ai_generation"
EMBEDDING = "$ai_embedding"
SPAN = "$ai_span"
TRACE = "$ai_trace"
EVALUATION = "$ai_evaluation"
EVENT_TYPES = (GENERATION, SPAN, EMBEDDING, TRACE)
EXPANDABLE = (GENERATION, SPAN, EMBEDDING)
NODE_TAGS = {GENERATION: "[GEN]", SPAN: "[SPAN]", EMBEDDING: "[EMBED]", EVALUATION: "[EVAL]"}


class InvalidDataFormat(DetailError):
    """A value a formatter cannot read (e.g. a non-numeric latency): 400 `{"error": ...}`."""

    def __init__(self):
        super().__init__("Invalid data format")

    def body(self) -> dict[str, Any]:
        return {"error": self.message}


class RenderFailed(DetailError):
    """Any other failure while rendering: 500 with a fixed body (nothing of the cause leaks)."""

    status_code = 500

    def __init__(self):
        super().__init__("Failed to generate text representation")

    def body(self) -> dict[str, Any]:
        return {"error": "Internal server error", "detail": self.message}


@dataclass(frozen=True)
class Options:
    truncated: bool = True
    truncate_buffer: int = DEFAULT_TRUNCATE_BUFFER
    include_markers: bool = True
    collapsed: bool = False
    tools_collapse_threshold: int = DEFAULT_TOOLS_COLLAPSE_THRESHOLD
    include_line_numbers: bool = False
    max_length: int = DEFAULT_MAX_LENGTH

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> "Options":
        known = cls.__dataclass_fields__
        return cls(
            **{key: value for key, value in (values or {}).items() if key in known and value is not None}
        )


@dataclass(frozen=True)
class Rendering:
    text: str
    # Whether max_length changed the text (per-block truncation does not count).
    truncated: bool


# ---- small readers ----------------------------------------------------------------------------


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    """A non-empty string, else None (other shapes count as missing)."""
    return value if isinstance(value, str) and value else None


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")


def _number(value: Any) -> float:
    """Numbers and numeric strings; anything else is a value the formatter cannot read."""
    if not isinstance(value, bool | int | float | str):
        raise ValueError(f"not a number: {type(value).__name__}")
    try:
        return float(value)  # ValueError for text that is no number
    except OverflowError as exc:  # an integer too large for a float
        raise ValueError(str(exc)) from exc


def printable(value: Any) -> Any:
    """`value` with any lone surrogate (valid in JSON text, not in UTF-8) replaced by U+FFFD."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [printable(item) for item in value]
    if isinstance(value, dict):
        return {printable(key): printable(item) for key, item in value.items()}
    return value


def _json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent)


# ---- per-block truncation and tool calls ------------------------------------------------------


def truncate_block(content: str, options: Options) -> list[str]:
    """A long content block keeps its first and last `truncate_buffer // 2` characters."""
    buffer = max(options.truncate_buffer, 0)
    if not options.truncated or len(content) <= buffer:
        return [content]
    half = buffer // 2
    first = content[:half]
    last = content[len(content) - half :] if half else ""
    removed = len(content) - buffer
    if options.include_markers:
        middle = content[half : len(content) - half]
        return [first, "", f"<<<TRUNCATED|{_b64(middle)}|{removed}>>>", "", last]
    return [f"{first}\n\n... ({removed} chars truncated) ...\n\n{last}"]


def format_call(name: Any, args: Any) -> str:
    """`name(k=<json>, ...)` from dict arguments or a JSON-object string; raw text otherwise."""
    name = name if isinstance(name, str) else "unknown"
    parsed = None
    if isinstance(args, dict):
        parsed = args
    elif isinstance(args, str) and args:
        try:
            parsed = json.loads(args)
        except ValueError:
            parsed = None
    if isinstance(parsed, dict):
        return f"{name}({', '.join(f'{key}={_json(value)}' for key, value in parsed.items())})"
    if args:
        return f"{name}({args})"
    return f"{name}()"


def tool_call_lines(tool_calls: list) -> list[str]:
    calls = [call for call in tool_calls if isinstance(call, dict)]
    if not calls:
        return []
    lines = [f"Tool calls: {len(calls)}"]
    for call in calls:
        function = call.get("function")
        if function and isinstance(function, dict):
            lines.append(f"  - {format_call(function.get('name', 'unknown'), function.get('arguments', ''))}")
        else:
            lines.append(f"  - {format_call(call.get('name', 'unknown'), call.get('args', ''))}")
    return lines


def content_tool_calls(content: Any) -> list[dict]:
    """Calls carried as content blocks (`tool-call` / `function` blocks with a `function` dict)."""
    if not isinstance(content, list):
        return []
    return [
        {"function": block["function"]}
        for block in content
        if isinstance(block, dict)
        and block.get("type") in ("tool-call", "function")
        and isinstance(block.get("function"), dict)
    ]


# ---- content extraction -----------------------------------------------------------------------


def _preview(value: Any) -> str:
    text = repr(value)
    return text[:UNPARSED_PREVIEW_LENGTH] + ("..." if len(text) > UNPARSED_PREVIEW_LENGTH else "")


def plain_text(content: Any) -> str:
    """Text of a string, a `{text}`/`{content}` dict or a list of blocks; a repr preview otherwise."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        if "text" in content:
            return str(content["text"])
        if "content" in content:
            return plain_text(content["content"])
        return _json(content)
    if isinstance(content, list):
        parts: list[str] = []
        for index, item in enumerate(content):
            if isinstance(item, dict):
                value = item.get("text") or item.get("content")
                if not value:
                    continue
                if index > 0 and parts:
                    parts.append("")
                kind = item.get("type")
                if isinstance(kind, str) and kind and kind != "text":
                    parts.extend([f"[{kind.upper()}]", ""])
                parts.append(str(value))
            elif isinstance(item, str):
                if index > 0 and parts:
                    parts.append("")
                parts.append(item)
        if parts:
            return "\n".join(parts)
    return _preview(content)


def _is_call_block(block: Any) -> bool:
    if not isinstance(block, dict):
        return False
    if block.get("type") in ("tool-call", "tool_use", "function"):
        return True
    inner = block.get("content")
    return isinstance(inner, dict) and "toolName" in inner


def _call_block_text(block: dict) -> str | None:
    kind = block.get("type")
    if kind == "tool-call":
        return format_call(block.get("toolName", "unknown"), block.get("input", {}))
    if kind == "tool_use":
        tool_input = block.get("input", {})
        if not tool_input and isinstance(block.get("partial_json"), str):
            try:
                tool_input = json.loads(block["partial_json"])
            except ValueError:
                pass
        return format_call(block.get("name", "unknown"), tool_input)
    if kind == "function":
        return None  # shown among the message's tool calls
    inner = block.get("content")
    if isinstance(inner, dict) and "result" in inner:
        name = inner.get("toolName")
        return f"[Tool result: {name if isinstance(name, str) else 'unknown'}]"
    if isinstance(inner, dict) and "toolName" in inner:
        return format_call(inner.get("toolName", "unknown"), inner.get("args", ""))
    return plain_text(block)


def content_text(content: Any) -> str:
    """A message's content as text; tool-call blocks render inline as calls."""
    if isinstance(content, list) and any(_is_call_block(block) for block in content):
        parts = []
        for block in content:
            if isinstance(block, dict):
                text = _call_block_text(block)
                if text:
                    parts.append(text)
            elif isinstance(block, str):
                parts.append(block)
        if parts:
            return "\n\n".join(parts)
    return plain_text(content)


# ---- sections ---------------------------------------------------------------------------------


def message_lines(messages: list, options: Options) -> list[str]:
    """`[n] ROLE`, the content and any tool calls of each message, separated by SEP."""
    lines: list[str] = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        role = _text(message.get("role")) or _text(message.get("type")) or "unknown"
        lines.extend(["", f"[{index + 1}] {role.upper()}", ""])
        content = message.get("content", "")
        if content:
            text = content_text(content)
            if text:
                lines.extend(truncate_block(text, options))
        tool_calls = message.get("tool_calls")
        if tool_calls and isinstance(tool_calls, list):
            call_lines = tool_call_lines(tool_calls)
            if call_lines:
                lines.append("")
                lines.extend(call_lines)
        if index < len(messages) - 1:
            lines.extend(["", SEP])
    return lines


def input_lines(ai_input: Any, options: Options) -> list[str]:
    if not ai_input:
        return []
    lines = ["", "INPUT:"]
    if isinstance(ai_input, str):
        lines.append("")
        lines.extend(truncate_block(ai_input, options))
    elif isinstance(ai_input, list):
        lines.extend(message_lines(ai_input, options))
    else:
        dumped = _json(ai_input)
        if len(dumped) > UNPARSED_PREVIEW_LENGTH:
            dumped = dumped[:UNPARSED_PREVIEW_LENGTH] + "..."
        lines.extend(["", f"[Unparsed input format: {type(ai_input).__name__}]", dumped])
    return lines


def output_lines(ai_output: Any, choices: Any, options: Options) -> list[str]:
    if ai_output and isinstance(ai_output, str):
        return ["", "OUTPUT:", "", *truncate_block(ai_output, options)]
    if isinstance(choices, dict) and isinstance(choices.get("choices"), list):
        choices = choices["choices"]
    if not choices or not isinstance(choices, list):
        return []
    messages = []
    for choice in choices:
        if not isinstance(choice, dict):
            continue
        message = choice.get("message")
        if not message or not isinstance(message, dict):
            if "role" not in choice and "content" not in choice:
                continue
            message = choice
        content = message.get("content", "")
        tool_calls = content_tool_calls(content) or message.get("tool_calls", [])
        messages.append(
            {"role": message.get("role", "assistant"), "content": content, "tool_calls": tool_calls}
        )
    if not messages:
        return []
    return ["", "OUTPUT:", *message_lines(messages, options)]


def _signature(tool: dict) -> tuple[str, Any]:
    function = tool.get("function")
    if isinstance(function, dict):
        name, description, schema = (
            function.get("name"),
            function.get("description"),
            function.get("parameters"),
        )
        name = name if isinstance(name, str) else "unknown"
    elif "name" in tool:
        name, description = tool["name"], tool.get("description")
        schema = tool.get("input_schema") or tool.get("inputSchema") or tool.get("parameters")
        name = name if isinstance(name, str) else "unknown"
    else:
        kind = tool.get("type")
        name = kind if isinstance(kind, str) else "UNKNOWN"
        description, schema = _json(tool)[:100], None
    params = []
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        required = schema.get("required")
        required = required if isinstance(required, list) else []
        for param, info in schema["properties"].items():
            if not isinstance(info, dict):
                continue
            marker = "" if param in required else "?"
            params.append(f"{param}{marker}: {info.get('type', 'any')}")
    return f"{name}({', '.join(params)})", description


def _tool_list_lines(tools: list) -> list[str]:
    lines: list[str] = []
    for tool in tools:
        if not isinstance(tool, dict):
            continue
        declarations = tool.get("functionDeclarations")
        for entry in declarations if isinstance(declarations, list) else [tool]:
            if not isinstance(entry, dict):
                continue
            signature, description = _signature(entry)
            lines.extend(["", f"  {signature}"])
            if isinstance(description, str) and description and description != "N/A":
                sentence = description.split("\n")[0].split(". ")[0]
                lines.append(f"    {sentence if sentence.endswith('.') else sentence + '.'}")
    return lines


def tools_lines(ai_tools: Any, options: Options) -> list[str]:
    """`AVAILABLE TOOLS: N` and one signature per tool; long lists collapse to one line."""
    if not ai_tools:
        return []
    tools = list(ai_tools.values()) if isinstance(ai_tools, dict) else ai_tools
    if not isinstance(tools, list) or not tools:
        return []
    heading = f"AVAILABLE TOOLS: {len(tools)}"
    if len(tools) > options.tools_collapse_threshold:
        if options.include_markers:
            full = "\n".join([heading, *(_tool_list_lines(tools) or [""])])
            return ["", f"<<<TOOLS_EXPANDABLE|{heading}|{_b64(full)}>>>"]
        return ["", f"[+] {heading}"]
    listed = _tool_list_lines(tools)
    return ["", heading, *(listed or [""])]


def _yaml_lines(value: Any, indent: int = 0) -> list[str]:
    prefix = "  " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                lines.append(f"{prefix}{key}:")
                lines.extend(_yaml_lines(item, indent + 1))
            else:
                lines.append(f"{prefix}{key}: {item}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                lines.append(f"{prefix}-")
                lines.extend(_yaml_lines(item, indent + 1))
            else:
                lines.append(f"{prefix}- {item}")
    else:
        lines.append(f"{prefix}{value}")
    return lines


def error_lines(props: dict) -> list[str]:
    error = props.get("$ai_error")
    if not (error or props.get("$ai_is_error")):
        return []
    lines = ["", SEP, "", "ERROR:", ""]
    if error:
        details = error if isinstance(error, dict) else None
        if isinstance(error, str):
            try:
                parsed = json.loads(error)
            except ValueError:
                parsed = None
            details = parsed if isinstance(parsed, dict) else None
        lines.extend(_yaml_lines(details) if details else [str(error)])
    else:
        lines.append("An error occurred (no details available)")
    lines.append("")
    return lines


# ---- events -----------------------------------------------------------------------------------


def _join_sections(sections: list[list[str]]) -> list[str]:
    """Non-empty sections in order, a blank line between them; each starts with SEP."""
    lines: list[str] = []
    for section in sections:
        if section:
            if lines:
                lines.append("")
            lines.extend([SEP, *section])
    return lines


def generation_lines(props: dict, options: Options) -> list[str]:
    lines = _join_sections(
        [
            tools_lines(props.get("$ai_tools"), options),
            input_lines(props.get("$ai_input"), options),
            output_lines(props.get("$ai_output"), props.get("$ai_output_choices"), options),
        ]
    )
    errors = error_lines(props)
    if errors:
        if lines:
            lines.append("")
        lines.extend(errors)
    return lines


def embedding_lines(props: dict, options: Options) -> list[str]:
    lines = _join_sections([input_lines(props.get("$ai_input"), options)])
    if lines:
        lines.append("")
    lines.extend([SEP, "", "OUTPUT:", "", "Embedding vector generated", ""])
    errors = error_lines(props)
    if errors:
        lines.append("")
        lines.extend(errors)
    return lines


def _literal_json(text: str) -> str | None:
    """Pretty JSON of a dict or list written as a Python or JSON literal, else None."""
    for parse in (ast.literal_eval, json.loads):
        try:
            value = parse(text)
            if isinstance(value, dict | list):
                return _json(value, indent=2)
        except Exception:
            continue
    return None


def _state_body(state: Any, options: Options) -> list[str]:
    if isinstance(state, str):
        return truncate_block(_literal_json(state) or state, options)
    if isinstance(state, list):
        if state and isinstance(state[0], dict) and ("role" in state[0] or "content" in state[0]):
            return message_lines(state, options)
        return truncate_block(_json(state, indent=2), options)
    if isinstance(state, dict):
        if state.get("__type") == "tool_call_with_context":
            return _tool_call_with_context_lines(state, options)
        messages = state.get("messages")
        if isinstance(messages, list) and messages:
            return message_lines(messages, options)
        if state.get("type") == "tool":
            return _tool_result_lines(state, options)
        return truncate_block(_json(state, indent=2), options)
    return [str(state)]


def _tool_call_with_context_lines(state: dict, options: Options) -> list[str]:
    lines: list[str] = []
    nested = state.get("state", {})
    if isinstance(nested, dict):
        messages = nested.get("messages")
        if isinstance(messages, list) and messages:
            lines.extend(message_lines(messages, options))
        if nested.get("remaining_steps") is not None:
            lines.extend(["", f"Remaining steps: {nested['remaining_steps']}"])
    call = state.get("tool_call", {})
    if isinstance(call, dict) and call:
        lines.extend(
            ["", "Tool Call:", f"  {format_call(call.get('name', 'unknown'), call.get('args', {}))}"]
        )
    return lines


def _tool_result_lines(state: dict, options: Options) -> list[str]:
    header = ["[TOOL RESULT]"]
    if state.get("name"):
        header.append(str(state["name"]))
    if state.get("status"):
        header.append(f"({state['status']})")
    lines = [" ".join(header)]
    content = state.get("content")
    if content:
        lines.append("")
        lines.extend(truncate_block(str(content), options))
    return lines


def _span_state_lines(state: Any, label: str, options: Options) -> list[str]:
    if not state:
        return []
    return ["", f"{label}:", "", *_state_body(state, options)]


def span_lines(props: dict, options: Options) -> list[str]:
    name = props.get("$ai_span_name")
    lines = [(name if isinstance(name, str) else "Span").upper(), EQ]
    error = props.get("$ai_error")
    if error:
        shown = (
            error
            if isinstance(error, str)
            else _json(error, indent=2)
            if isinstance(error, dict)
            else str(error)
        )
        lines.extend([SEP, "", "ERROR:", "", shown])
    for key, label in (("$ai_input_state", "INPUT STATE"), ("$ai_output_state", "OUTPUT STATE")):
        section = _span_state_lines(props.get(key), label, options)
        if section:
            lines.extend([SEP, *section])
    return lines


def _event_kind(event: dict, fallback: str) -> str:
    kind = event.get("event")
    return kind if isinstance(kind, str) else fallback


def event_lines(event: dict, options: Options, fallback_type: str = GENERATION) -> list[str]:
    """One event, by its own `event` name (the request's type when absent); others as generations."""
    kind = _event_kind(event, fallback_type)
    props = _dict(event.get("properties"))
    if kind == SPAN:
        return span_lines(props, options)
    if kind == EMBEDDING:
        return embedding_lines(props, options)
    return generation_lines(props, options)


# ---- traces -----------------------------------------------------------------------------------


def _node_parts(node: dict) -> tuple[dict, list]:
    """A hierarchy node is `{event, children}`, or an event dict itself."""
    event = node.get("event")
    children = node.get("children")
    return (event if isinstance(event, dict) else node), (children if isinstance(children, list) else [])


def _summary(event: dict, kind: str) -> str:
    props = _dict(event.get("properties"))
    if kind in (GENERATION, EMBEDDING):
        default = "generation" if kind == GENERATION else "embedding"
        model = _text(props.get("$ai_model"))
        parts = []
        if props.get("$ai_latency") is not None:
            parts.append(f"{_number(props['$ai_latency']):.2f}s")
        if props.get("$ai_total_cost_usd") is not None:
            parts.append(f"${_number(props['$ai_total_cost_usd']):.4f}")
        if model:
            parts.append(model)
        if props.get("$ai_is_error") or props.get("$ai_error"):
            parts.append("ERROR")
        name = _text(props.get("$ai_span_name")) or model or default
    elif kind == SPAN:
        parts = []
        if props.get("$ai_latency") is not None:
            parts.append(f"{_number(props['$ai_latency']):.2f}s")
        if props.get("$ai_is_error"):
            parts.append("ERROR")
        name = _text(props.get("$ai_span_name")) or "span"
    elif kind == EVALUATION:
        name = _text(props.get("$ai_evaluation_name")) or "evaluation"
        applicable, result = props.get("$ai_evaluation_applicable"), props.get("$ai_evaluation_result")
        if applicable is False or applicable == "false":
            parts = ["N/A"]
        elif result is True or result == "true":
            parts = ["PASS"]
        elif result is False or result == "false":
            parts = ["FAIL"]
        else:
            parts = []
    else:
        return kind
    return f"{name} ({', '.join(parts)})" if parts else name


def _node_lines(event: dict, prefix: str, connector: str, child_prefix: str, options: Options) -> list[str]:
    kind = _event_kind(event, "unknown")
    tag = NODE_TAGS.get(kind, "[EVENT]")
    summary = _summary(event, kind)
    event_id = event.get("id")
    event_id = "unknown" if event_id is None else str(event_id)
    if options.collapsed:
        return [f"{prefix}{connector}{tag} {summary}"]
    if kind not in EXPANDABLE:
        if options.include_markers:
            return [f"{prefix}{connector}<<<EVENT_LINK|{event_id}|{tag}>>> {summary}"]
        return [f"{prefix}{connector}{tag} {summary}"]
    content = "\n".join(event_lines(event, options))
    if options.include_markers:
        return [f"{prefix}{connector}<<<GEN_EXPANDABLE|{event_id}|{tag} {summary}|{_b64(content)}>>>"]
    return [
        f"{prefix}{connector}[+] {tag} {summary}",
        *(f"{prefix}{child_prefix}    {line}" for line in content.split("\n")),
    ]


def tree_lines(nodes: list, options: Options, prefix: str = "", depth: int = 0) -> list[str]:
    if depth > MAX_TREE_DEPTH:
        return [f"{prefix}  [... max depth reached]"]
    nodes = [node for node in nodes if isinstance(node, dict)]
    lines: list[str] = []
    for index, node in enumerate(nodes):
        last = index == len(nodes) - 1
        connector, child_prefix = ("└─ ", "   ") if last else ("├─ ", "│  ")
        event, children = _node_parts(node)
        lines.extend(_node_lines(event, prefix, connector, child_prefix, options))
        if children:
            lines.extend(tree_lines(children, options, prefix + child_prefix, depth + 1))
    return lines


def _trace_state_lines(state: Any, label: str, options: Options) -> list[str]:
    if not state:
        return []
    if isinstance(state, list) and state and isinstance(state[0], dict):
        if "role" in state[0] or "content" in state[0]:
            return (
                input_lines(state, options) if label == "TRACE INPUT" else output_lines(None, state, options)
            )
    lines = ["", f"{label}:", ""]
    if isinstance(state, str):
        lines.extend(truncate_block(state, options))
    elif isinstance(state, dict | list):
        lines.extend(truncate_block(_json(state, indent=2), options))
    else:
        lines.append(str(state))
    return lines


def trace_lines(trace: dict, hierarchy: list, options: Options) -> list[str]:
    props = _dict(trace.get("properties"))
    name = (
        _text(props.get("$ai_span_name"))
        or _text(trace.get("traceName"))
        or _text(trace.get("trace_name"))
        or "TRACE"
    )
    lines = [name.upper(), EQ]
    error = props.get("$ai_error")
    if error:
        lines.extend(
            ["", SEP, "", "TRACE ERROR:", "", error if isinstance(error, str) else _json(error, indent=2)]
        )
    nodes = [node for node in hierarchy if isinstance(node, dict)]
    if nodes:
        lines.extend(["", SEP, "", "TRACE HIERARCHY:", "", *tree_lines(nodes, options)])
        return lines
    states = (
        ("TRACE INPUT", props.get("$ai_input_state") or trace.get("inputState") or trace.get("input_state")),
        (
            "TRACE OUTPUT",
            props.get("$ai_output_state") or trace.get("outputState") or trace.get("output_state"),
        ),
    )
    for label, state in states:
        section = _trace_state_lines(state, label, options)
        if section:
            lines.extend(["", SEP, *section])
    return lines


# ---- line numbers and max_length --------------------------------------------------------------


def add_line_numbers(text: str) -> str:
    lines = text.split("\n")
    width = len(str(len(lines)))
    return "\n".join(f"L{str(number).zfill(width)}: {line}" for number, line in enumerate(lines, start=1))


def _chunk_marker(first: int, count: int, width: int | None) -> str:
    if width is None:
        return f"[...{count} lines...]"
    start = f"L{str(first).zfill(width)}"
    if count == 1:
        return f"{start}: [...{count} lines...]"
    return f"{start}-L{str(first + count - 1).zfill(width)}: [...{count} lines...]"


def fit_to_length(text: str, max_length: int, numbered: bool) -> tuple[str, bool]:
    """Text within `max_length` characters, deterministically.

    Keeps the first lines; replaces 3-line chunks of the rest with one marker line each, the
    chunks that save most first (ties: the earlier chunk), until the text fits. A text that still
    does not fit is cut, ending with a note of the limit and the original length.
    """
    if max_length <= 0 or len(text) <= max_length:
        return text, False
    original_length = len(text)
    lines = text.split("\n")
    width = len(str(len(lines))) if numbered else None
    if len(lines) > HEADER_LINES:
        rest = lines[HEADER_LINES:]
        chunks = [rest[i : i + CHUNK_LINES] for i in range(0, len(rest), CHUNK_LINES)]
        markers = [
            _chunk_marker(HEADER_LINES + 1 + i * CHUNK_LINES, len(chunk), width)
            for i, chunk in enumerate(chunks)
        ]
        # Joined length falls by the chunk's characters and inner newlines, less the marker.
        savings = [
            sum(map(len, chunk)) + len(chunk) - 1 - len(marker)
            for chunk, marker in zip(chunks, markers, strict=True)
        ]
        excess = len(text) - max_length
        dropped: set[int] = set()
        for index in sorted(range(len(chunks)), key=lambda i: (-savings[i], i)):
            if excess <= 0 or savings[index] <= 0:
                break
            dropped.add(index)
            excess -= savings[index]
        if dropped:
            kept = lines[:HEADER_LINES]
            for index, chunk in enumerate(chunks):
                if index in dropped:
                    kept.append(markers[index])
                else:
                    kept.extend(chunk)
            text = "\n".join(kept)
    if len(text) > max_length:
        note = (
            f"\n\n... [Output truncated at {max_length:,} characters. "
            f"Original length: {original_length:,} characters]"
        )
        text = (text[: max(max_length - len(note), 0)] + note)[:max_length]
    return text, True


# ---- entry points -----------------------------------------------------------------------------


def check_payload(event_type: str, data: Any) -> str:
    """The payload's entity id (trace id or event id), or the 400 for a payload that lacks it."""
    if event_type == TRACE:
        trace = data.get("trace") if isinstance(data, dict) else None
        if not trace or not isinstance(trace, dict) or not isinstance(data.get("hierarchy"), list):
            raise DomainValidationError(
                "Trace events require 'trace' object and 'hierarchy' array in data field"
            )
        trace_id = _dict(trace.get("properties")).get("$ai_trace_id") or trace.get("id")
        if not trace_id:
            raise DomainValidationError(
                "Trace events require an ID (trace.id or trace.properties.$ai_trace_id)"
            )
        return str(trace_id)
    if not isinstance(data, dict) or "properties" not in data:
        raise DomainValidationError(f"{event_type} events require 'properties' object in data field")
    if not data.get("id"):
        raise DomainValidationError(f"{event_type} events require an 'id' field")
    return str(data["id"])


def trace_id_of(event_type: str, data: dict) -> Any:
    if event_type == TRACE:
        return _dict(_dict(data.get("trace")).get("properties")).get("$ai_trace_id")
    return _dict(data.get("properties")).get("$ai_trace_id") or data.get("trace_id")


def render(event_type: str, data: dict, options: Options) -> Rendering:
    """The text of a payload `check_payload` accepted, with line numbers and max_length applied.

    A value the formatters cannot read is `InvalidDataFormat`; any other failure `RenderFailed`.
    """
    try:
        if event_type == TRACE:
            lines = trace_lines(data["trace"], data["hierarchy"], options)
        else:
            lines = event_lines(data, options, fallback_type=event_type)
        text = "\n".join(lines)
        if options.include_line_numbers:
            text = add_line_numbers(text)
        text, truncated = fit_to_length(text, options.max_length, options.include_line_numbers)
        text = printable(text)
    except ValueError as exc:
        logger.info("text_repr: unreadable value in the payload (%s)", exc)
        raise InvalidDataFormat() from exc
    except Exception as exc:
        logger.exception("text_repr: rendering failed")
        raise RenderFailed() from exc
    return Rendering(text=text, truncated=truncated)
