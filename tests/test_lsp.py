"""The language server, driven over stdio the way an editor drives it."""

import json
import os
import queue
import subprocess
import sys
import threading

import pytest
from conftest import REPO

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")


class Client:
    """A minimal LSP client: framed JSON-RPC over the server's stdin/stdout."""

    def __init__(self, cwd: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "iac_lint", "lsp"], cwd=REPO, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {"processId": os.getpid(), "rootUri": f"file://{cwd}", "capabilities": {}})
        self.notify("initialized", {})

    def _read(self) -> None:
        stream = self.proc.stdout
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
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def _send(self, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.messages.get(timeout=30)
            if message.get("id") == self.next_id:
                return message

    def diagnostics(self, uri: str) -> list[dict]:
        while True:
            message = self.messages.get(timeout=30)
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def client(tmp_path):
    c = Client(str(tmp_path))
    yield c
    c.close()


TEMPLATE = """\
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


def test_diagnostics_follow_the_buffer_not_the_disk(client, tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("not: a template\n")  # the disk says nothing; the editor's buffer is what counts
    uri = f"file://{path}"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1, "text": TEMPLATE}})
    found = client.diagnostics(uri)
    wildcard = [d for d in found if d["code"] == "IAM001"]
    assert len(wildcard) == 1
    assert wildcard[0]["range"]["start"] == {"line": 10, "character": 22}  # 0-based: line 11, the "s3:*"
    assert wildcard[0]["severity"] == 1 and wildcard[0]["source"] == "iac-lint"
    assert wildcard[0]["codeDescription"]["href"] == "https://github.com/iac-lint/iac-lint/blob/main/docs/rules/IAM001.md"
    assert os.path.isfile(os.path.join(REPO, "docs", "rules", "IAM001.md"))

    # The user narrows the action: the diagnostic goes away on the next change.
    start = {"line": 10, "character": 22}
    end = {"line": 10, "character": 28}
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": start, "end": end}, "text": '"s3:GetObject"'}]})
    assert [d for d in client.diagnostics(uri) if d["code"] == "IAM001"] == []


def test_broken_buffer_gives_a_located_parse_error(client, tmp_path):
    uri = f"file://{tmp_path / 'template.yaml'}"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1,
        "text": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: [\n"}})
    (found,) = client.diagnostics(uri)
    assert found["code"] == "E001" and found["range"]["start"]["line"] == 4
    # A built-in finding links to its page too.
    assert found["codeDescription"]["href"].endswith("/docs/rules/E001.md")


def test_terraform_buffer_is_linted_with_its_module(client, tmp_path):
    (tmp_path / "bucket.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    main = tmp_path / "main.tf"
    main.write_text("")
    uri = f"file://{main}"
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "terraform", "version": 1,
        "text": 'resource "aws_s3_bucket_acl" "b" {\n  bucket = aws_s3_bucket.b.id\n  acl    = "public-read"\n}\n'}})
    codes = {(d["code"], d["range"]["start"]["line"]) for d in client.diagnostics(uri)}
    assert ("PUB001", 2) in codes  # the split ACL resource in the buffer, linked to the bucket on disk
