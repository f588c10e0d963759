"""A scripted OpenAI-compatible chat server on 127.0.0.1 for tests of the LLM paths.

Each request to ``POST /v1/chat/completions`` takes the next scripted reply:

* ``{"content": "..."}`` -- a normal completion (``usage`` tokens may be given);
* ``{"json": {...}}`` -- a completion whose content is that object as JSON;
* ``{"refusal": "..."}`` -- a structured-output refusal;
* ``{"status": 429, "body": {...}, "headers": {...}}`` -- an HTTP error;
* ``{"sleep": 2.0, ...}`` -- wait first (combine with any of the above), for timeouts;
* ``{"finish_reason": "length", "content": "..."}`` -- a reply cut off at the token limit;
* ``{"runaway": {...}}`` -- endless repetition, as a small model under a schema that allows
  it: the object is repeated inside ``{"nodes": [...`` (about 30 tokens each) until the
  request's ``max_completion_tokens``/``max_tokens`` (else the 8192-token context) is used up,
  then ``finish_reason: length``; ``token_seconds`` slows it down per token.

Server-wide behaviours seen on real servers (attributes, off by default):

* ``rejects_json_schema`` -- like llama-cpp-python: HTTP 500 "Input should be 'text' or
  'json_object'" naming ``response_format`` for a ``json_schema`` request (no reply used);
* ``ignores_tool_choice`` -- like llama-server: a forced ``tool_choice`` object is ignored and
  the reply comes back as plain content. Otherwise a request with ``tools`` gets its reply as
  a tool call.

Requests are recorded (JSON bodies) for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class ScriptedLLM:
    def __init__(self) -> None:
        self.replies: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.rejects_json_schema = False
        self.ignores_tool_choice = False
        self._lock = threading.Lock()
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: dict[str, Any]) -> None:
        with self._lock:
            self.replies.extend(replies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            fmt = body.get("response_format") or {}
            if self.rejects_json_schema and fmt.get("type") == "json_schema":
                message = (
                    "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
                    "  Input should be 'text' or 'json_object' [type=literal_error, "
                    "input_value='json_schema', input_type=str]"
                )
                return {"status": 500, "body": {"error": {"message": message, "code": 500}}}
            if not self.replies:
                return {"status": 500, "body": {"error": {"message": "script exhausted"}}}
            return self.replies.pop(0)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                reply = owner._next(body, dict(self.headers))
                if reply.get("sleep"):
                    time.sleep(float(reply["sleep"]))
                if "runaway" in reply:
                    reply = runaway(body, reply)
                status = int(reply.get("status", 200))
                if status != 200:
                    payload = reply.get("body", {"error": {"message": f"HTTP {status}"}})
                    self._send(status, payload, reply.get("headers", {}))
                    return
                tools = bool(body.get("tools")) and not owner.ignores_tool_choice
                self._send(200, completion(body, reply, as_tool_call=tools), {})

            def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        return Handler


CONTEXT_TOKENS = 8192
TOKENS_PER_ITEM = 30


def runaway(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    """Repeat ``reply["runaway"]`` until the token limit: a cut-off, unparseable reply."""
    limit = request.get("max_completion_tokens") or request.get("max_tokens") or CONTEXT_TOKENS
    items = max(1, int(limit) // TOKENS_PER_ITEM)
    time.sleep(float(reply.get("token_seconds", 0.0)) * items * TOKENS_PER_ITEM)
    item = json.dumps(reply["runaway"])
    content = '{"nodes": [' + ", ".join([item] * items)
    tokens = {"prompt_tokens": 1000, "completion_tokens": items * TOKENS_PER_ITEM}
    return {"content": content, "finish_reason": "length", "usage": tokens}


def completion(
    request: dict[str, Any], reply: dict[str, Any], *, as_tool_call: bool = False
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None}
    if "refusal" in reply:
        message["refusal"] = reply["refusal"]
    elif "json" in reply and as_tool_call:
        name = request["tools"][0]["function"]["name"]
        arguments = json.dumps(reply["json"])
        call = {
            "id": "call_1",
            "type": "function",
            "function": {"name": name, "arguments": arguments},
        }
        message["tool_calls"] = [call]
    elif "json" in reply:
        message["content"] = json.dumps(reply["json"])
    else:
        message["content"] = reply.get("content", "")
    usage = reply.get("usage", {"prompt_tokens": 100, "completion_tokens": 20})
    usage = {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", "test-model"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": reply.get(
                    "finish_reason", "tool_calls" if as_tool_call else "stop"
                ),
                "logprobs": None,
            }
        ],
        "usage": usage,
    }


@pytest.fixture
def llm_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedLLM]:
    """A scripted server; SAGEWRIGHT_BASE_URL points at it and the model is openai:test-model."""
    server = ScriptedLLM()
    monkeypatch.setenv("SAGEWRIGHT_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    try:
        yield server
    finally:
        server.close()
