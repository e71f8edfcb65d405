"""The YAML loader's fast paths give exactly what its general path gives.

Plain scalars are resolved by the builder, not libyaml's callback, with YAML 1.1's meaning; the JSON reader
reads JSON as libyaml reads it, or leaves the text to libyaml; locations made without the dataclass's
constructor equal those made with it.
"""

import json
import os
import subprocess
import sys

import pytest

from iac_lint.model.located import LMap, LSeq, LStr, plain
from iac_lint.parsers import yaml_loader
from iac_lint.parsers.yaml_loader import LoadError, load_text

# What YAML 1.1 and CloudFormation's short forms make of a scalar, as PyYAML's resolver decides it.
SCALARS = [
    ("k: 1e5", {"k": "1e5"}),
    ("k: 1.0e+5", {"k": 100000.0}),
    ("k: 0x1F", {"k": 31}),
    ("k: 017", {"k": 15}),
    ("k: 1_000", {"k": 1000}),
    ("k: 1:30", {"k": 90}),
    ("k: -0", {"k": 0}),
    ("k: yes", {"k": True}),
    ("k: Off", {"k": False}),
    ("k: ~", {"k": None}),
    ("k:", {"k": None}),
    ("k: !", {"k": ""}),
    ("k: ! 1", {"k": 1}),
    ("k: ! '1'", {"k": "1"}),
    ("k: !!str 1", {"k": "1"}),
    ("k: !!int '1'", {"k": "1"}),
    ("k: !!int 1", {"k": 1}),
    ("k: !!float 1", {"k": 1.0}),
    ("k: 2001-01-01", {"k": "2001-01-01"}),
    ("k: =", {"k": "="}),
    ("k: <<", {"k": "<<"}),
    ("k: '80'", {"k": "80"}),
    ("k: 80", {"k": 80}),
    ("<<: {a: 1}\nb: 2", {"a": 1, "b": 2}),
    ("'<<': {a: 1}", {"<<": {"a": 1}}),
    ("!!merge x: {a: 1}", {"a": 1}),
    ("a: &x {b: 1}\nc:\n  <<: [*x, {d: 2}]\n  b: 3", {"a": {"b": 1}, "c": {"b": 3, "d": 2}}),
    ("k: !Ref x", {"k": {"Ref": "x"}}),
    ("k: !GetAtt A.B", {"k": {"Fn::GetAtt": ["A", "B"]}}),
    ("{[1, 2]: a}", {"[1, 2]": "a"}),
]

# Valid JSON the reader must read itself, each as the YAML path reads it.
READ = {
    "escapes": r'{"s": "\" \\ \/ \b \f \n \r \t \u00e9 \u0041 \u0000", "long escaped string": "line\none\ttwo"}',
    "unicode": '{"name": "héllo wörld, ünïcode long", "emoji": "😀 grin", "cjk": "漢字"}',
    "numbers": "[1e5, 1E5, 1.5e3, 1.5e+3, -0, 0, -0.0, 1.0, 0.5e-3, -12, 100000000000000000000000,"
               " 12345678901234567890e5]",
    "literals": '{"t": true, "f": false, "n": null, "list": [true, null, false]}',
    "empty containers": '{"a": {}, "b": [], "c": [[], {}], "d": [{"e": [{}]}], "f": [[[]]]}',
    "duplicate keys": '{"a": 1, "b": 2, "a": {"x": 3}, "b": "a later string value"}',
    "punctuation in strings": '{"a:b": "[{]}", "c,d": ",", "e": "#not a comment", "f": "&anchor *alias !tag"}',
    "long key": '{"' + "k" * 900 + '": 1}',
    "top-level array": '[{"a": 1}, "two", 3]',
    "blank lines first": '\n\n  {"a": [1,\n2]}\n\n',
    "compact": '{"a":1,"b":[1,2,{"c":"d"}],"e":{"f":null}}',
    "pretty": json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {
        "Tags": [{"Key": "k", "Value": "a value longer than sixteen"}], "N": 5, "F": 2.5}}}}, indent=2),
    "windows line ends": json.dumps({"a": [1, "x" * 20, {"b": None}]}, indent=4).replace("\n", "\r\n"),
}

# Text the reader must leave to the YAML path (which decides, errors included).
LEFT = {
    "tab": '{"a":\t1}',
    "surrogate pair escape": '["\\ud83d\\ude00"]',
    "NaN": "[NaN, Infinity]",
    "key too long for a YAML simple key": '{"' + "k" * 1100 + '": 1}',
    "colon on the next line": '{"a"\n: 1}',
    "lone carriage return": '{"a": 1,\r"b": 2}',
    "byte order mark": '\ufeff{"a": 1}',
    "next line character": '["a\x85b"]',
    "line separator": '["a\u2028b"]',
    "delete character": '["a\x7fb"]',
    "lone surrogate": '["a\ud800b"]',
    "trailing comma": '{"a": 1,}',
    "missing comma": "[1 2]",
    "missing colon": '{"a" 1}',
    "unclosed": '{"a": [1, 2}',
    "a tag": '{"a": !Ref b}',
    "comment": '{"a": 1} # c',
    "two documents": '{"a": 1}\n---\n{"b": 2}',
}


def view(value):
    """Everything a located value carries, as plain data: types, values, every location, raw text."""
    if isinstance(value, LMap):
        return ("map", value.loc, [(view(k), view(v), value.key_locs.get(k), value.value_locs.get(k))
                                   for k, v in value.items()])
    if isinstance(value, LSeq):
        return ("seq", value.loc, [view(v) for v in value], list(value.item_locs))
    if isinstance(value, LStr):
        return ("str", str(value), value.loc, value.raw)
    return (type(value).__name__, repr(value))


def typed(value):
    """A plain value with the type of every leaf, so that ``1``, ``1.0`` and ``True`` differ."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize("text,expected", SCALARS)
def test_scalars_mean_what_yaml_says(text, expected):
    assert typed(plain(load_text(text, "t.yaml"))) == typed(expected)


def outcome(load, text):
    try:
        return view(load(text, "t.json"))
    except LoadError as error:
        return ("error", error.message, error.line, error.column)
    except UnicodeError as error:  # PyYAML cannot encode a lone surrogate
        return ("unicode", str(error))


def through_yaml(text):
    return outcome(yaml_loader._load_yaml, text)


@pytest.mark.parametrize("name", READ)
def test_valid_json_is_read_as_yaml_reads_it(name):
    text = READ[name]
    value = yaml_loader._read_json(text, "t.json")
    assert value is not yaml_loader._NOT_PLAIN_JSON
    assert view(value) == through_yaml(text)


@pytest.mark.parametrize("name", LEFT)
def test_what_yaml_reads_otherwise_is_left_to_it(name):
    text = LEFT[name]
    assert yaml_loader._read_json(text, "t.json") is yaml_loader._NOT_PLAIN_JSON
    assert outcome(load_text, text) == through_yaml(text)


@pytest.mark.parametrize("item", ["1", "[]", "{}"])
def test_json_is_held_to_the_node_budget(monkeypatch, item):
    monkeypatch.setattr(yaml_loader, "MAX_NODES", 10)
    with pytest.raises(LoadError, match="more than 10 nodes") as error:
        load_text("[\n" + f"{item},\n" * 20 + item + "]", "t.json")
    assert error.value.line == 11


def test_json_is_held_to_the_depth_budget(monkeypatch):
    monkeypatch.setattr(yaml_loader, "MAX_DEPTH", 3)
    with pytest.raises(LoadError, match="deeper than 3 levels"):
        load_text('{"a": [[[[1]]]]}', "t.json")


def test_pyyaml_without_libyaml_reads_the_same(tmp_path):
    """PyYAML built without libyaml composes plain scalars with no style (libyaml's say ""): types and merge
    keys must come out the same."""
    text = "base: &b {e: 1}\na: 80\nb: true\nc: ~\nd: 1.5\nq: '80'\nf:\n  <<: *b\n  g: !Ref X\n"
    script = (
        "import json, sys, yaml\n"
        "if sys.argv[1] == 'python':\n"
        "    del yaml.CSafeLoader\n"
        "from iac_lint.parsers.yaml_loader import load_text\n"
        "print(json.dumps(load_text(sys.stdin.read(), 't.yaml')))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    outputs = [subprocess.run([sys.executable, "-c", script, which], input=text, capture_output=True, text=True,
                              env=env, check=True).stdout for which in ("c", "python")]
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[1]) == {"base": {"e": 1}, "a": 80, "b": True, "c": None, "d": 1.5, "q": "80",
                                      "f": {"e": 1, "g": {"Ref": "X"}}}
