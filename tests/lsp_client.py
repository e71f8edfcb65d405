"""A small LSP client for the tests: framed JSON-RPC over the real server process's stdin/stdout.

It answers the server's own requests the way an editor does: ``workspace/configuration``
from ``settings`` (by folder URI, ``None`` for the unscoped section) and
``client/registerCapability`` (recorded in ``registrations``).
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from typing import Any

from conftest import REPO

# A SAM function whose role allows "s3:*" (IAM001 on line 11): the template most editor tests type into.
WILDCARD_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Policies:
        - Statement:
            - Effect: Allow
              Action: "s3:*"
              Resource: arn:aws:s3:::reports/*
"""

Json = dict[str, Any]


def uri_of(path: object) -> str:
    return f"file://{path}"


class Client:
    def __init__(self, root: str, *, folders: list[str] | None = None, capabilities: Json | None = None,
                 init_options: Json | None = None, settings: dict[str | None, Json] | None = None) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "iac_lint", "lsp"], cwd=REPO, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue[Json] = queue.Queue()
        self.settings = settings or {}
        self.registrations: list[Json] = []
        # Every notification from the server, whether or not a test waited for it.
        self.notifications: list[Json] = []
        self.next_id = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        params: Json = {"processId": os.getpid(), "rootUri": uri_of(root), "capabilities": capabilities or {}}
        if folders is not None:
            params["workspaceFolders"] = [{"uri": uri_of(f), "name": os.path.basename(f)} for f in folders]
        if init_options is not None:
            params["initializationOptions"] = init_options
        self.request("initialize", params)
        self.notify("initialized", {})

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            message = json.loads(stream.read(int(headers["content-length"])))
            if "method" in message and "id" in message:
                self._answer(message)
            else:
                if "method" in message:
                    self.notifications.append(message)
                self.messages.put(message)

    def _answer(self, request: Json) -> None:
        result: Any = None
        if request["method"] == "workspace/configuration":
            result = [self.settings.get(item.get("scopeUri")) for item in request["params"]["items"]]
        elif request["method"] == "client/registerCapability":
            self.registrations += request["params"]["registrations"]
        self._send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def _send(self, payload: Json) -> None:
        body = json.dumps(payload).encode()
        assert self.proc.stdin is not None
        with self.lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def notify(self, method: str, params: Json) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Json) -> Json:
        self.next_id += 1
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.messages.get(timeout=30)
            if message.get("id") == self.next_id:
                return message

    def publications(self, uri: str, timeout: float = 30) -> Json:
        while True:
            message = self.messages.get(timeout=timeout)
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]

    def diagnostics(self, uri: str, version: int | None = None) -> list[Json]:
        """The next diagnostics published for ``uri`` (for ``version``, when given)."""
        while True:
            params = self.publications(uri)
            if version is None or params.get("version") == version:
                return params["diagnostics"]

    def quiet(self, uri: str, seconds: float) -> list[Json]:
        """Every publication for ``uri`` during the next ``seconds``."""
        out, end = [], time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                break
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                out.append(message["params"])
        return out

    def open(self, path: object, text: str, language: str = "yaml", version: int = 1) -> list[Json]:
        uri = uri_of(path)
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language, "version": version, "text": text}})
        return self.diagnostics(uri, version)

    def replace(self, path: object, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri_of(path), "version": version},
                                               "contentChanges": [{"text": text}]})

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


_PLACEHOLDER = re.compile(r"\$\{\d+:([^}]*)\}")


def _offset(text: str, position: Json) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: position["line"]]) + position["character"]


def edits_of(action: Json, uri: str) -> list[Json]:
    """The text edits of a code action for ``uri``, as ``{range, newText}`` (a snippet's placeholders
    replaced by their defaults, as an editor does before the user types)."""
    edit = action["edit"]
    found: list[Json] = []
    for change in edit.get("documentChanges") or []:
        if change["textDocument"]["uri"] == uri:
            found += change["edits"]
    found += (edit.get("changes") or {}).get(uri, [])
    out = []
    for item in found:
        text = item["newText"] if "newText" in item else _PLACEHOLDER.sub(r"\1", item["snippet"]["value"])
        out.append({"range": item["range"], "newText": re.sub(r"\\([$}\\])", r"\1", text)
                    if "snippet" in item else text})
    return out


def apply_edits(text: str, edits: list[Json]) -> str:
    for edit in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
                       reverse=True):
        start, end = _offset(text, edit["range"]["start"]), _offset(text, edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text
