"""Terraform values: what a module's expressions evaluate to, statically.

Resolved: literals, ``var.*`` (defaults, tfvars, ``--var``/``--var-file``,
module inputs), ``local.*``, ``path.module``, string interpolation of known
parts, the pure built-in functions, conditionals on known conditions, ``for``
expressions over known collections, attributes written in another resource's
body, and ``data.aws_iam_policy_document.x.json`` (as the document itself).
Everything else -- a resource's computed attribute, ``count.index``,
``each.*``, a data source's result -- is an ``Unknown`` carrying the
expression text, so rules can tell "not known" from "bad".

Values keep their locations: strings are ``LStr``, objects ``LMap`` and
tuples ``LSeq``, each pointing at the node that wrote them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from iac_lint.model import LMap, Location, LSeq, LStr, Unknown, set_loc
from iac_lint.model.budgets import MAX_DYNAMIC_BLOCKS, MAX_DYNAMIC_DEPTH, MAX_NUMBER_BITS, UNIT_DEADLINE_SECONDS
from iac_lint.parsers.terraform.functions import (
    FUNCTIONS,
    UNKNOWN_TOLERANT,
    TooBig,
    collection_pairs,
    plain_value,
    to_bool,
    to_number,
    to_string,
)
from iac_lint.parsers.terraform.syntax import (
    Attribute,
    Block,
    Body,
    Call,
    Conditional,
    Expr,
    ForExpr,
    Lit,
    Object,
    Operation,
    Template,
    Traversal,
    Tuple,
    split_template,
)
from iac_lint.parsers.terraform.values import (
    MAX_ITEMS,
    MAX_STRING,
    Failed,
    FileText,
    is_unknown_deep,
    loc_or,
    locate,
)

MAX_DEPTH = 64  # evaluation recursion (locals referring to locals ...)
# Expression steps (about 3 microseconds each): nested for-expressions multiply, so each limit alone
# does not bound the work.  One value may take this many; a whole run, ten times as many.
MAX_STEPS_PER_VALUE = 200_000
MAX_STEPS = 2_000_000


def _too_wide(number: Any) -> bool:
    return isinstance(number, int) and not isinstance(number, bool) and number.bit_length() > MAX_NUMBER_BITS


class _Cycle(Exception):
    pass


def _written(value: str, expr: Expr) -> LStr:
    """A string literal or template, keeping its source text when long enough to hold a credential."""
    out = LStr(value, expr.loc)
    if len(value) >= 16:
        out.raw = expr.text
    return out


def _failed(values: Any) -> Failed | None:
    for value in values:  # a loop, not next() over a generator: called for nearly every operation and call
        if isinstance(value, Failed):
            return value
    return None


@dataclass(slots=True)
class Scope:
    """Names visible to an expression: the module's, plus count/each/for/dynamic variables."""

    module: Module
    names: dict[str, Any] = field(default_factory=dict)
    # Where a name's value came from, for reference tracking: each -> the for_each expression.
    sources: dict[str, tuple[Expr, Scope]] = field(default_factory=dict)

    def child(self, names: dict[str, Any], sources: dict[str, tuple[Expr, Scope]] | None = None) -> Scope:
        return Scope(self.module, {**self.names, **names}, {**self.sources, **(sources or {})})


class Module:
    """One module instance: its blocks, and the values of its variables and locals."""

    def __init__(self, evaluator: Evaluator, directory: str, bodies: list[Body], key_prefix: str,
                 display_prefix: str, parent_inputs: dict[str, tuple[Expr, Scope]] | None = None,
                 root_values: dict[str, Any] | None = None, call: Block | None = None) -> None:
        self.evaluator = evaluator
        self.directory = directory
        self.key_prefix = key_prefix  # "module.net." -- entity keys
        self.display_prefix = display_prefix  # "module.net[*]." -- resource ids shown to users
        self.inputs = parent_inputs or {}
        self.root_values = root_values or {}
        self.call = call
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attribute] = {}
        self.resources: dict[str, Block] = {}  # "aws_s3_bucket.x" -> block
        self.data: dict[str, Block] = {}  # "aws_iam_policy_document.x" -> block
        self.module_calls: dict[str, Block] = {}
        self.outputs: dict[str, Block] = {}
        self.children: dict[str, Module] = {}
        for body in bodies:
            for block in body.blocks:
                labels = block.labels
                if block.type == "variable" and labels:
                    self.variables[labels[0]] = block
                elif block.type == "locals":
                    self.locals.update(block.body.attributes)
                elif block.type == "resource" and len(labels) >= 2:
                    self.resources[f"{labels[0]}.{labels[1]}"] = block
                elif block.type == "data" and len(labels) >= 2:
                    self.data[f"{labels[0]}.{labels[1]}"] = block
                elif block.type == "module" and labels:
                    self.module_calls[labels[0]] = block
                elif block.type == "output" and labels:
                    self.outputs[labels[0]] = block
        self._values: dict[str, Any] = {}
        self._busy: set[str] = set()
        self.scope = Scope(self)

    # --- named values (memoized, cycle-safe) -----------------------------------------

    def _memo(self, key: str, compute: Callable[[], Any], text: str) -> Any:
        if key in self._values:
            return self._values[key]
        if key in self._busy:
            return Unknown(text)
        self._busy.add(key)
        try:
            value = compute()
        finally:
            self._busy.discard(key)
        self._values[key] = value
        return value

    def variable(self, name: str) -> Any:
        key = f"var.{name}"
        if key in self._values:  # read before: no closure to build for it
            return self._values[key]

        def compute() -> Any:
            if name in self.inputs:
                expr, scope = self.inputs[name]
                return self.evaluator.evaluate(expr, scope)
            if name in self.root_values:
                return self.root_values[name]
            block = self.variables.get(name)
            if block is not None and "default" in block.body.attributes:
                return self.evaluator.evaluate(block.body.attributes["default"].expr, self.scope)
            return Unknown(key)
        return self._memo(key, compute, key)

    def local(self, name: str) -> Any:
        attr = self.locals.get(name)
        key = f"local.{name}"
        if attr is None:
            return Unknown(key)
        if key in self._values:  # read before: no closure to build for it
            return self._values[key]
        return self._memo(key, lambda: self.evaluator.evaluate(attr.expr, self.scope), key)

    def output(self, name: str) -> Any:
        block = self.outputs.get(name)
        if block is None or "value" not in block.body.attributes:
            return Unknown(f"output {name}")
        expr = block.body.attributes["value"].expr
        return self._memo(f"output.{name}", lambda: self.evaluator.evaluate(expr, self.scope), f"output.{name}")

    def policy_document(self, name: str) -> Any:
        """``data.aws_iam_policy_document.<name>.json``, as a located document."""
        block = self.data.get(f"aws_iam_policy_document.{name}")
        if block is None:
            return Unknown(f"data.aws_iam_policy_document.{name}.json")
        self.evaluator.consumed_documents.add(f"{self.key_prefix}data.aws_iam_policy_document.{name}")

        def compute() -> Any:
            from iac_lint.parsers.terraform.policy import document_from_policy_data
            props = self.evaluator.evaluate_body(block.body, self.scope, block.loc)
            return document_from_policy_data(props, block.loc)
        return self._memo(f"doc.{name}", compute, f"data.aws_iam_policy_document.{name}.json")


class Evaluator:
    """Evaluates expressions of every module of one run; remembers where each evaluated body came from."""

    def __init__(self, read_file: Callable[[str, Location], Any]) -> None:
        # read_file(path, loc) -> text, or None after reporting why it may not be read.
        self.read_file = read_file
        # Keys of the policy-document data sources something evaluated reads (``module.m.data.aws_iam_...``).
        self.consumed_documents: set[str] = set()
        self.origins: dict[int, tuple[LMap, Body, Scope]] = {}
        self._depth = 0
        self.steps = 0  # of the whole run
        self._value_steps = 0  # of the outermost evaluation in progress
        self.dynamic_blocks = 0  # expanded in the whole run
        self._dynamic_depth = 0
        # (what, where) of each budget that cut a value short; the module reports them as E005.
        self.exceeded: dict[Location, str] = {}
        self.deadline = time.monotonic() + UNIT_DEADLINE_SECONDS
        self.out_of_time = False

    def over_budget(self, what: str, expr: Expr) -> Unknown:
        """The value of ``expr`` cut short by a budget: unknown, and recorded to be reported."""
        self.exceeded.setdefault(expr.loc, what)
        return Unknown(expr.text)

    # --- bodies ----------------------------------------------------------------------

    def evaluate_body(self, body: Body, scope: Scope, loc: Location) -> LMap:
        """A block body as a located map; nested blocks become lists of maps under their type."""
        out = LMap(loc=loc)
        self.origins[id(out)] = (out, body, scope)
        for name, attr in body.attributes.items():
            out[name] = self.evaluate(attr.expr, scope)
            out.key_locs[name] = attr.loc
            out.value_locs[name] = attr.expr.loc
        for block in body.blocks:
            if block.type == "dynamic" and block.labels:
                for item in self.expand_dynamic(block, scope):
                    self._add_block(out, block.labels[0], item)
            elif block.type not in ("lifecycle", "provisioner", "connection"):
                self._add_block(out, block.type, self.evaluate_body(block.body, scope, block.loc))
        return out

    @staticmethod
    def _add_block(out: LMap, name: str, item: LMap) -> None:
        seq = out.get(name)
        if not isinstance(seq, LSeq):
            seq = LSeq(loc=item.loc)
            out[name] = seq
            set_loc(out.key_locs, name, item.loc)
            set_loc(out.value_locs, name, item.loc)
        seq.append(item)
        seq.item_locs.append(item.loc)

    def expand_dynamic(self, block: Block, scope: Scope) -> list[LMap]:
        """A ``dynamic`` block over a known collection: one body per element; else one with unknown values."""
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if content is None:
            return []
        iterator = block.labels[0]
        if "iterator" in block.body.attributes:
            named = block.body.attributes["iterator"].expr
            if isinstance(named, Traversal) and isinstance(named.root, str):
                iterator = named.root
        for_each_attr = block.body.attributes.get("for_each")
        if self._dynamic_depth >= MAX_DYNAMIC_DEPTH or self.dynamic_blocks >= MAX_DYNAMIC_BLOCKS:
            self.exceeded.setdefault(block.loc, f"dynamic blocks nested deeper than {MAX_DYNAMIC_DEPTH} or more "
                                                f"than {MAX_DYNAMIC_BLOCKS} in the module")
            return []
        self._dynamic_depth += 1
        try:
            return self._expand_dynamic(block, content, iterator, for_each_attr, scope)
        finally:
            self._dynamic_depth -= 1

    def _expand_dynamic(self, block: Block, content: Block, iterator: str, for_each_attr: Attribute | None,
                        scope: Scope) -> list[LMap]:
        collection = self.evaluate(for_each_attr.expr, scope) if for_each_attr else Unknown("dynamic")
        sources = {iterator: (for_each_attr.expr, scope)} if for_each_attr else {}
        # A for_each that is no collection (an error Terraform reports) is judged like an unknown one: once.
        collectable = collection is None or isinstance(collection, (dict, list))
        items = list(collection_pairs(collection)) if collectable else None
        if items is None or len(items) > MAX_ITEMS:
            text = for_each_attr.expr.text if for_each_attr else iterator
            unknown = LMap({"key": Unknown(f"{iterator}.key"), "value": Unknown(f"{iterator}.value ({text})")})
            return [self.evaluate_body(content.body, scope.child({iterator: unknown}, sources), content.loc)]
        out: list[LMap] = []
        for key, value in items:
            self.dynamic_blocks += 1
            if self.dynamic_blocks > MAX_DYNAMIC_BLOCKS:
                self.exceeded.setdefault(block.loc, f"more than {MAX_DYNAMIC_BLOCKS} dynamic blocks in the module")
                return out
            element = LMap({"key": key, "value": value})
            out.append(self.evaluate_body(content.body, scope.child({iterator: element}, sources), content.loc))
        return out

    def origin(self, node: Any) -> tuple[Body, Scope] | None:
        found = self.origins.get(id(node))
        if found is None or found[0] is not node:
            return None
        return found[1], found[2]

    # --- expressions --------------------------------------------------------------------

    def evaluate(self, expr: Expr, scope: Scope) -> Any:
        if self._depth == 0:
            self._value_steps = 0
        self._depth += 1
        self.steps += 1
        self._value_steps += 1
        try:
            if self._depth > MAX_DEPTH or self._value_steps > MAX_STEPS_PER_VALUE or self.steps > MAX_STEPS:
                return Unknown(expr.text)
            if self.out_of_time or (not self.steps & 1023 and time.monotonic() > self.deadline):
                if not self.out_of_time:
                    self.out_of_time = True
                    self.exceeded.setdefault(expr.loc, f"the module took longer than {UNIT_DEADLINE_SECONDS:g} "
                                                       "seconds; what was left is not evaluated")
                return Unknown(expr.text)
            method = _EVALUATORS.get(type(expr))
            return method(self, expr, scope) if method else Unknown(expr.text)
        except RecursionError:
            return Unknown(expr.text)
        except (TypeError, ValueError, ArithmeticError, LookupError):
            # A value of the wrong type where Terraform wants another (``x if x`` over numbers) is an error
            # of this expression in Terraform too: ``try()`` falls back, the attribute is not known.
            return Failed(expr.text)
        finally:
            self._depth -= 1

    def _lit(self, expr: Lit, scope: Scope) -> Any:
        return _written(expr.value, expr) if isinstance(expr.value, str) else expr.value

    def _template(self, expr: Template, scope: Scope) -> Any:
        if expr.directives:
            return Unknown(expr.text)
        if len(expr.parts) == 1 and isinstance(expr.parts[0], Expr) and not expr.heredoc:
            return self.evaluate(expr.parts[0], scope)  # "${x}" is x itself, not its string form
        pieces = []
        size = 0
        for part in expr.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = self.evaluate(part, scope)
            if isinstance(value, Failed):
                return value
            text = to_string(value)
            if text is None:
                return Unknown(expr.text.strip())
            size += len(text)
            if size > MAX_STRING:
                return Unknown(expr.text.strip())
            pieces.append(text)
        return _written("".join(pieces), expr)

    def _tuple(self, expr: Tuple, scope: Scope) -> Any:
        seq = LSeq(loc=expr.loc)
        for item in expr.items:
            value = self.evaluate(item, scope)
            if isinstance(value, Failed):
                return value  # an error anywhere inside is an error of the whole value
            seq.append(value)
            seq.item_locs.append(loc_or(value, item.loc))
        return seq

    def _object(self, expr: Object, scope: Scope) -> Any:
        out = LMap(loc=expr.loc)
        for key_expr, value_expr in expr.items:
            key = self.evaluate(key_expr, scope)
            if isinstance(key, Unknown) or not isinstance(key, (str, int, float, bool)):
                return key if isinstance(key, Failed) else Unknown(expr.text)
            key = key if isinstance(key, LStr) else LStr(str(key), key_expr.loc)
            value = self.evaluate(value_expr, scope)
            if isinstance(value, Failed):
                return value
            out[key] = value
            out.key_locs[key] = key_expr.loc
            out.value_locs[key] = loc_or(out[key], value_expr.loc)
        return out

    def _conditional(self, expr: Conditional, scope: Scope) -> Any:
        cond = self.evaluate(expr.cond, scope)
        if isinstance(cond, Failed):
            return cond
        if isinstance(cond, bool):
            return self.evaluate(expr.yes if cond else expr.no, scope)
        if isinstance(cond, str) and cond in ("true", "false"):
            return self.evaluate(expr.yes if cond == "true" else expr.no, scope)
        yes, no = self.evaluate(expr.yes, scope), self.evaluate(expr.no, scope)
        if not is_unknown_deep(yes) and yes == no:
            return yes
        return Unknown(expr.text)

    def _operation(self, expr: Operation, scope: Scope) -> Any:
        values = [self.evaluate(o, scope) for o in expr.operands]
        failed = _failed(values)
        if failed is not None:
            return failed
        op = expr.op
        if op in ("&&", "||"):
            left, right = values
            if op == "&&" and (left is False or right is False):
                return False
            if op == "||" and (left is True or right is True):
                return True
        if any(is_unknown_deep(v) for v in values):
            return Unknown(expr.text)
        try:
            if op == "neg":
                return -to_number(values[0])
            if op == "!":
                return not to_bool(values[0])
            left, right = values
            if op == "==":
                return plain_value(left) == plain_value(right)
            if op == "!=":
                return plain_value(left) != plain_value(right)
            if op in ("&&", "||"):
                return to_bool(left) and to_bool(right) if op == "&&" else to_bool(left) or to_bool(right)
            a, b = to_number(left), to_number(right)
            if _too_wide(a) or _too_wide(b) or (op == "*" and isinstance(a, int) and isinstance(b, int)
                                                and a.bit_length() + b.bit_length() > MAX_NUMBER_BITS):
                return self.over_budget(f"a number wider than {MAX_NUMBER_BITS} bits", expr)
            result = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                      "%": lambda: a % b, "<": lambda: a < b, ">": lambda: a > b, "<=": lambda: a <= b,
                      ">=": lambda: a >= b}[op]()
            return int(result) if isinstance(result, float) and result.is_integer() and op != "/" else result
        except (TypeError, ValueError, ZeroDivisionError, KeyError, OverflowError):
            return Failed(expr.text)

    def _for(self, expr: ForExpr, scope: Scope) -> Any:
        collection = self.evaluate(expr.collection, scope)
        if isinstance(collection, Failed):
            return collection
        if is_unknown_deep(collection) or not isinstance(collection, (list, dict)):
            return Unknown(expr.text)
        pairs = list(collection_pairs(collection))
        if len(pairs) > MAX_ITEMS:
            return Unknown(expr.text)
        results: list[tuple[Any, Any]] = []
        for key, value in pairs:
            names = {expr.value_var: value}
            if expr.key_var:
                names[expr.key_var] = key
            inner = scope.child(names)
            if expr.cond is not None:
                keep = self.evaluate(expr.cond, inner)
                if isinstance(keep, Unknown):
                    return keep if isinstance(keep, Failed) else Unknown(expr.text)
                if not to_bool(keep):
                    continue
            item = self.evaluate(expr.value, inner)
            key = self.evaluate(expr.key, inner) if expr.key is not None else None
            failed = _failed((item, key))
            if failed is not None:
                return failed
            results.append((key, item))
        if self._value_steps > MAX_STEPS_PER_VALUE or self.steps > MAX_STEPS:
            return Unknown(expr.text)  # cut short: a partial collection would look complete
        if expr.key is None:
            return locate([v for _, v in results], expr.loc)
        out = LMap(loc=expr.loc)
        for key, value in results:
            if isinstance(key, Unknown):
                return Unknown(expr.text)
            if expr.grouping:
                out.setdefault(str(key), LSeq(loc=expr.loc)).append(value)
            else:
                out[LStr(str(key), expr.loc)] = value
            out.value_locs[str(key)] = expr.loc
        return out

    def _call(self, expr: Call, scope: Scope) -> Any:
        name = expr.name.rsplit("::", 1)[-1] if expr.name.startswith("provider::") else expr.name
        if name == "try":
            # Terraform falls back only on an error; a value not known yet makes the result unknown too.
            for arg in expr.args:
                value = self.evaluate(arg, scope)
                if not isinstance(value, Failed):
                    return value if not isinstance(value, Unknown) else Unknown(expr.text)
            return Failed(expr.text)
        if name == "can":
            if len(expr.args) != 1:
                return Failed(expr.text)
            value = self.evaluate(expr.args[0], scope)
            if isinstance(value, Failed):
                return False
            return Unknown(expr.text) if is_unknown_deep(value) else True
        if name in ("file", "templatefile"):
            return self.read_template_file(expr, scope)
        if name == "jsonencode" and len(expr.args) == 1:
            # Kept as the structure itself so every string inside keeps its line.
            return self.evaluate(expr.args[0], scope)
        args = [self.evaluate(a, scope) for a in expr.args]
        failed = _failed(args)
        if failed is not None:
            return failed
        if expr.expand and args and isinstance(args[-1], list):
            args = args[:-1] + list(args[-1])
        function = FUNCTIONS.get(name)
        if function is None:
            return Unknown(expr.text)
        if name not in UNKNOWN_TOLERANT and any(is_unknown_deep(a) for a in args):
            return Unknown(expr.text)
        try:
            result = function(*args)
        except TooBig:
            return Unknown(expr.text)
        except Exception:  # a built-in applied to the wrong types fails in Terraform too, unless unknown
            return Unknown(expr.text) if any(is_unknown_deep(a) for a in args) else Failed(expr.text)
        if (isinstance(result, (list, tuple, dict)) and len(result) > MAX_ITEMS) or \
                (isinstance(result, str) and len(result) > MAX_STRING):
            return Unknown(expr.text)
        return locate(result, expr.loc)

    def read_template_file(self, expr: Call, scope: Scope) -> Any:
        if not expr.args:
            return Unknown(expr.text)
        path = self.evaluate(expr.args[0], scope)
        if not isinstance(path, str):
            return Unknown(expr.text)
        # Terraform resolves relative paths against its working directory, the root module.
        full = path if os.path.isabs(path) else os.path.join(self.root_directory, path)
        text = self.read_file(os.path.normpath(full), expr.loc)
        if text is None:
            return Unknown(expr.text)
        if expr.name == "file":
            return FileText(text, Location(os.path.normpath(full), 1, 1), os.path.normpath(full))
        variables = self.evaluate(expr.args[1], scope) if len(expr.args) > 1 else LMap()
        if not isinstance(variables, dict):
            return Unknown(expr.text)
        inner = Scope(scope.module, {str(k): v for k, v in variables.items()})
        loc = Location(os.path.normpath(full), 1, 1)
        parts, directives = split_template(text, loc)
        template = Template(loc, expr.text, tuple(parts), directives, True, text, 1, 0)
        value = self._template(template, inner)
        if isinstance(value, str):
            return FileText(value, loc, os.path.normpath(full), rendered=not any(isinstance(p, Expr) for p in parts))
        return value

    def _traversal(self, expr: Traversal, scope: Scope) -> Any:
        if not isinstance(expr.root, str):
            base = self.evaluate(expr.root, scope)
            return self.apply_ops(base, expr.ops, expr, scope)
        root, ops = expr.root, expr.ops
        module = scope.module
        if root in scope.names:
            return self.apply_ops(scope.names[root], ops, expr, scope)
        first = ops[0][1] if ops and ops[0][0] == "attr" else None
        if root == "var" and first:
            return self.apply_ops(module.variable(first), ops[1:], expr, scope)
        if root == "local" and first:
            return self.apply_ops(module.local(first), ops[1:], expr, scope)
        if root == "path" and first in ("module", "root"):
            # Relative to the root module, which is Terraform's working directory.
            directory = os.path.relpath(module.directory, self.root_directory) if first == "module" else "."
            return LStr(directory.replace(os.sep, "/"), expr.loc) if len(ops) == 1 else Unknown(expr.text)
        if root == "module" and first and len(ops) >= 2 and ops[1][0] == "attr":
            child = module.children.get(first)
            if child is not None:
                return self.apply_ops(child.output(ops[1][1]), ops[2:], expr, scope)
            return Unknown(expr.text)
        if root == "data" and len(ops) >= 3 and ops[0][0] == "attr" and ops[1][0] == "attr":
            kind, name = ops[0][1], ops[1][1]
            rest = ops[2:]
            if rest and rest[0][0] == "index":
                rest = rest[1:]
            if (kind == "aws_iam_policy_document" and rest and rest[0] == ("attr", "json")) or \
                    (kind == "aws_iam_policy_document" and rest and rest[0] == ("attr", "minified_json")):
                return self.apply_ops(module.policy_document(name), rest[1:], expr, scope)
            return Unknown(expr.text)
        if first and f"{root}.{first}" in module.resources:
            return self.resource_attribute(module, f"{root}.{first}", ops[1:], expr, scope)
        return Unknown(expr.text)

    root_directory = "."

    def resource_attribute(self, module: Module, address: str, ops: tuple, expr: Traversal, scope: Scope) -> Any:
        """An attribute of another resource: known when its body writes it statically."""
        block = module.resources[address]
        if any(k in block.body.attributes for k in ("count", "for_each")):
            if ops and ops[0][0] in ("index", "splat"):
                ops = ops[1:]
            else:
                return Unknown(expr.text)
        if not ops or ops[0][0] != "attr":
            return Unknown(expr.text)
        attribute = ops[0][1]
        rtype = address.split(".", 1)[0]
        written = block.body.attributes
        if rtype == "aws_s3_bucket" and attribute in ("id", "bucket", "arn") and "bucket" in written:
            name = self.evaluate(written["bucket"].expr, module.scope)
            if isinstance(name, str) and len(ops) == 1:
                return LStr(f"arn:aws:s3:::{name}" if attribute == "arn" else str(name), expr.loc)
            return Unknown(expr.text)
        if attribute in written and attribute not in ("id", "arn") and len(ops) == 1:
            value = self.evaluate(written[attribute].expr, module.scope)
            if not is_unknown_deep(value) and isinstance(value, (str, int, float, bool)):
                return value
        return Unknown(expr.text)

    def apply_ops(self, value: Any, ops: tuple, expr: Expr, scope: Scope) -> Any:
        for i, (op, arg) in enumerate(ops):
            if isinstance(value, Unknown):
                return value if isinstance(value, Failed) else Unknown(expr.text)
            if op == "attr":
                if isinstance(value, dict) and arg in value:
                    value = value[arg]
                else:
                    return Failed(expr.text)  # Terraform: "unsupported attribute"
            elif op == "index":
                key = self.evaluate(arg, scope)
                if isinstance(key, Unknown) and not isinstance(key, Failed):
                    # ``var.policies[count.index]``: whatever the index, a collection whose elements
                    # are all the same value (one element, typically) gives that value.
                    elements = list(value.values()) if isinstance(value, dict) else value
                    if isinstance(elements, list) and elements and all(e == elements[0] for e in elements):
                        value = elements[0]
                        continue
                if isinstance(key, Unknown):
                    return key if isinstance(key, Failed) else Unknown(expr.text)
                try:
                    if isinstance(value, list):
                        value = value[int(key)]
                    elif isinstance(value, dict):
                        value = value[str(key)]
                    else:
                        return Failed(expr.text)
                except (KeyError, IndexError, ValueError, TypeError):
                    return Failed(expr.text)
            else:  # splat: the rest applies to every element
                items = value if isinstance(value, list) else ([] if value is None else [value])
                return locate([self.apply_ops(v, ops[i + 1:], expr, scope) for v in items], expr.loc)
        return value

    # --- references -----------------------------------------------------------------------

    def references(self, expr: Expr, scope: Scope, depth: int = 0) -> Iterator[str]:
        """Keys (``module.m.aws_s3_bucket.x``) of every resource or data source an expression reads."""
        if depth > 24:
            return
        module = scope.module
        if isinstance(expr, Traversal):
            if not isinstance(expr.root, str):
                yield from self.references(expr.root, scope, depth + 1)
                return
            root, ops = expr.root, expr.ops
            first = ops[0][1] if ops and ops[0][0] == "attr" else None
            if root in scope.sources:
                source_expr, source_scope = scope.sources[root]
                yield from self.references(source_expr, source_scope, depth + 1)
            elif root in scope.names:
                return
            elif root == "var" and first:
                if first in module.inputs:
                    source_expr, source_scope = module.inputs[first]
                    yield from self.references(source_expr, source_scope, depth + 1)
            elif root == "local" and first and first in module.locals:
                yield from self.references(module.locals[first].expr, module.scope, depth + 1)
            elif root == "module" and first and len(ops) >= 2 and ops[1][0] == "attr":
                child_module = module.children.get(first)
                block = child_module.outputs.get(ops[1][1]) if child_module else None
                if child_module is not None and block is not None and "value" in block.body.attributes:
                    yield from self.references(block.body.attributes["value"].expr, child_module.scope, depth + 1)
            elif root == "data" and len(ops) >= 2 and ops[1][0] == "attr" and first:
                yield f"{module.key_prefix}data.{first}.{ops[1][1]}"
            elif first and f"{root}.{first}" in module.resources:
                yield f"{module.key_prefix}{root}.{first}"
            return
        for child in _children(expr):
            yield from self.references(child, scope, depth + 1)


def _children(expr: Expr) -> list[Expr]:
    if isinstance(expr, Template):
        return [p for p in expr.parts if isinstance(p, Expr)]
    if isinstance(expr, Tuple):
        return list(expr.items)
    if isinstance(expr, Object):
        return [v for _, v in expr.items]
    if isinstance(expr, Call):
        return list(expr.args)
    if isinstance(expr, Conditional):
        return [expr.yes, expr.no]
    if isinstance(expr, Operation):
        return list(expr.operands)
    if isinstance(expr, ForExpr):
        return [expr.collection]
    return []


_EVALUATORS: dict[type, Callable[..., Any]] = {
    Lit: Evaluator._lit, Template: Evaluator._template, Tuple: Evaluator._tuple, Object: Evaluator._object,
    Conditional: Evaluator._conditional, Operation: Evaluator._operation, ForExpr: Evaluator._for,
    Call: Evaluator._call, Traversal: Evaluator._traversal,
}
