"""A scripted Amazon Bedrock Converse endpoint on 127.0.0.1 (``POST /model/{id}/converse``)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, dict[str, Any], dict[str, str]]
THROTTLED: Reply = (
    429,
    {"message": "Too many requests, please wait before trying again."},
    {
        "x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
    },
)


def tool_use(name: str, args: Any) -> Reply:
    """A Converse reply whose one content block is a toolUse with ``args`` as its input."""
    message = {
        "role": "assistant",
        "content": [{"toolUse": {"toolUseId": "t1", "name": name, "input": args}}],
    }
    usage = {"inputTokens": 120, "outputTokens": 40, "totalTokens": 160}
    return (
        200,
        {
            "output": {"message": message},
            "stopReason": "tool_use",
            "usage": usage,
            "metrics": {"latencyMs": 5},
        },
        {},
    )


class ConverseServer:
    """Answers each request with the next scripted reply and records the requests."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append({"path": self.path, "body": body})
                status, payload, headers = (
                    server.replies.pop(0)
                    if server.replies
                    else (500, {"message": "no reply scripted"}, {})
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
