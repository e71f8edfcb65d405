"""Latency of the language server: from an edit to its diagnostics, over stdio, the way an editor sees it.

    python benchmarks/lsp_latency.py [--lines 1000] [--edits 40] [--debounce-ms 0]

Starts ``python -m iac_lint lsp``, opens a generated SAM template and a
Terraform file of about ``--lines`` lines each, then types ``--edits`` edits
into each (an action toggled between ``s3:*`` and ``s3:GetObject``: the
finding comes and goes) and times each ``didChange`` to the
``publishDiagnostics`` of that version.  With ``--debounce-ms 0`` the figure
is the re-lint itself; an editor adds the debounce (200 ms by default) on top,
on purpose.  Figures vary with the machine: compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SAM_HEAD = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
SAM_BLOCK = """\
  Fn{i}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      ReservedConcurrentExecutions: 5
      Events:
        Get:
          Type: Api
          Properties:
            Path: /items/{i}
            Method: GET
      Policies:
        - Statement:
            - Effect: Allow
              Action: "{action}"
              Resource: arn:aws:s3:::reports-{i}/*
  Bucket{i}:
    Type: AWS::S3::Bucket
"""
TF_BLOCK = """\
resource "aws_iam_role" "fn{i}" {{
  name               = "fn{i}"
  assume_role_policy = "{{}}"
}}

resource "aws_iam_role_policy" "fn{i}" {{
  role = aws_iam_role.fn{i}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = "{action}"
      Resource = "arn:aws:s3:::reports-{i}/*"
    }}]
  }})
}}

resource "aws_s3_bucket" "b{i}" {{
  bucket = "reports-{i}"
}}

resource "aws_lambda_function" "fn{i}" {{
  function_name = "fn{i}"
  role          = aws_iam_role.fn{i}.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "fn.zip"
}}
"""


def generate(head: str, block: str, lines: int) -> str:
    parts, i = [head], 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(block.format(i=i, action="s3:*" if i == 0 else "s3:GetObject"))
        i += 1
    return "".join(parts)


class Server:
    def __init__(self, debounce_ms: int, root: str) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])))
        self.proc = subprocess.Popen([sys.executable, "-m", "iac_lint", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=root)
        self.next_id = 0
        self.request("initialize", {"processId": os.getpid(), "rootUri": f"file://{root}", "capabilities": {},
                                    "initializationOptions": {"debounceMs": debounce_ms}})
        self.notify("initialized", {})

    def _send(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        stdin: IO[bytes] | None = self.proc.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdin.flush()

    def receive(self) -> dict[str, Any]:
        stdout: IO[bytes] | None = self.proc.stdout
        assert stdout is not None
        length = 0
        while True:
            line = stdout.readline()
            if not line:
                raise RuntimeError("the server exited")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        message: dict[str, Any] = json.loads(stdout.read(length))
        return message

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def published(self, uri: str, version: int) -> list[dict[str, Any]]:
        while True:
            message = self.receive()
            params = message.get("params") or {}
            if message.get("method") == "textDocument/publishDiagnostics" and params.get("uri") == uri \
                    and params.get("version") == version:
                diagnostics: list[dict[str, Any]] = params["diagnostics"]
                return diagnostics

    def close(self) -> None:
        self.request("shutdown", {})
        self.notify("exit", {})
        self.proc.wait(timeout=10)


def measure(server: Server, path: str, text: str, language: str, edits: int) -> list[float]:
    uri = f"file://{path}"
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": language, "version": 1, "text": text}})
    server.published(uri, 1)
    lines = text.split("\n")
    (line,) = [n for n, t in enumerate(lines) if '"s3:*"' in t]
    column = lines[line].index('"s3:*"') + 1
    current, timings = "s3:*", []
    for version in range(2, edits + 2):
        replacement = "s3:GetObject" if current == "s3:*" else "s3:*"
        change = {"range": {"start": {"line": line, "character": column},
                            "end": {"line": line, "character": column + len(current)}}, "text": replacement}
        started = time.perf_counter()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [change]})
        found = server.published(uri, version)
        timings.append((time.perf_counter() - started) * 1000)
        if ("IAM001" in {d["code"] for d in found}) != (replacement == "s3:*"):
            raise RuntimeError(f"version {version}: diagnostics do not follow the edit")
        current = replacement
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--debounce-ms", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        server = Server(args.debounce_ms, root)
        try:
            print(f"edit -> diagnostics, {args.edits} edits each, debounce {args.debounce_ms} ms")
            for name, language, text in (
                    ("template.yaml", "yaml", generate(SAM_HEAD, SAM_BLOCK, args.lines)),
                    ("main.tf", "terraform", generate("", TF_BLOCK, args.lines))):
                path = os.path.join(root, name)
                timings = measure(server, path, text, language, args.edits)
                ordered = sorted(timings)
                p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
                print(f"  {name:14} {text.count(chr(10)):5} lines: median {statistics.median(timings):6.1f} ms  "
                      f"p90 {p90:6.1f} ms  max {ordered[-1]:6.1f} ms")
        finally:
            server.close()


if __name__ == "__main__":
    main()
