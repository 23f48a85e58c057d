"""A local OpenAI-compatible chat completions server for the LLM-backed endpoints' tests.

`running_stub()` serves `POST …/chat/completions` on 127.0.0.1 (a random port) in a thread. Each
request is recorded (`requests`: path, headers, JSON body) and answered by the next entry of
`script`, else by `default`; an answer is built by `completion`, `error`, `raw`, `DROP` or `HANG`.
"""

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from llm_server.accounts import services

DROP = "drop"  # close the connection without answering
HANG = "hang"  # answer nothing until the server stops


def completion(content: str | None, model: str = "stub-model") -> tuple[int, dict[str, Any]]:
    return 200, {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def error(status: int, message: str = "provider failure") -> tuple[int, dict[str, Any]]:
    return status, {"error": {"message": message, "type": "server_error", "code": None}}


def raw(status: int, text: str) -> tuple[int, str]:
    return status, text


@dataclass
class StubLLM:
    base_url: str = ""
    default: Any = field(default_factory=lambda: completion("ok"))
    script: list[Any] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def next_answer(self) -> Any:
        return self.script.pop(0) if self.script else self.default

    @property
    def last(self) -> dict[str, Any]:
        return self.requests[-1]["json"]


def _handler(stub: StubLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            stub.requests.append(
                {"path": self.path, "headers": dict(self.headers), "json": json.loads(body or b"null")}
            )
            answer = stub.next_answer()
            if answer == DROP:
                self.close_connection = True
                self.connection.close()
                return
            if answer == HANG:
                stub.stopping.wait(30)
                self.close_connection = True
                return
            status, payload = answer
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(payload, str) else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextlib.contextmanager
def running_stub() -> Iterator[StubLLM]:
    stub = StubLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        stub.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def use_stub(settings, stub: StubLLM) -> None:
    """Points the server's LLM settings at `stub`, with retries quick enough for tests."""
    settings.LLM_API_BASE_URL = stub.base_url
    settings.LLM_API_KEY = "sk-test-key"
    settings.LLM_MODEL = "gpt-4.1-mini"


def unconfigure_llm(settings) -> None:
    settings.LLM_API_BASE_URL = ""
    settings.LLM_API_KEY = ""


def approve(organization, approved: bool = True) -> None:
    services.set_ai_data_processing_approved(organization_ids=[organization.pk], approved=approved)
    organization.refresh_from_db()
