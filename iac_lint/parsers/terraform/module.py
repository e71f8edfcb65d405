"""Terraform modules (a directory of ``.tf``/``.tf.json`` files) into the model.

A unit is one directory: its files are parsed together, variables are bound
(defaults < ``terraform.tfvars`` < ``*.auto.tfvars`` < ``--var-file`` <
``--var``), local modules (``source = "./x"``) are read recursively with their
inputs, and every resource and data block becomes one ``Instance`` that
``build`` turns into entities.  ``count``/``for_each`` are
evaluated once with unknown index values, so a finding on
``aws_s3_bucket.x[*]`` holds for every instance.

Nothing outside the scanned roots is read: a ``file()`` or module source that
escapes is an ``E002`` finding instead.  Registry and git modules are never
fetched (``I002``, info).  A file that does not parse is an ``E001`` at its
failing line; the module's other files are still read.
"""

from __future__ import annotations

import json
import os
from typing import Any

from iac_lint.model import LMap, Location, LSeq, LStr, Parameter, Resource, Template, Unknown, loc_of
from iac_lint.model.budgets import BUDGET_EXCEEDED
from iac_lint.parsers.source import ParseOptions, in_never_walked_directory, inside, read_text, resolved_root
from iac_lint.parsers.terraform.build import build_template
from iac_lint.parsers.terraform.evaluate import Evaluator, Module, Scope
from iac_lint.parsers.terraform.instances import Instance
from iac_lint.parsers.terraform.syntax import (
    Attribute,
    Block,
    Body,
    Call,
    Expr,
    JsonProblem,
    Lit,
    Object,
    SyntaxProblem,
    Traversal,
    Tuple,
    decode_json_located,
    parse_expression,
    parse_hcl,
    split_template,
)
from iac_lint.parsers.terraform.syntax import (
    Template as TemplateExpr,
)
from iac_lint.parsers.terraform.values import FileText, decode_file_json, locate

# python-hcl2 reads about 250 KiB/s: a bigger file would stall a CI run for
# little gain (no hand-written module is this large).
MAX_HCL_BYTES = 2 * 1024 * 1024
MAX_MODULE_DEPTH = 8
_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


def parse_module(directory: str, files: list[str], options: ParseOptions | None = None,
                 overrides: dict[str, str] | None = None) -> list[Template]:
    """One module directory; ``overrides`` maps a path to unsaved text (an editor's buffer) read instead."""
    options = options or ParseOptions()
    reader = _ModuleReader(directory, options, overrides or {})
    reader.run(files)
    return [reader.tpl]


class _ModuleReader:
    """Reads one root module and the local modules it calls; answers references for the builders."""

    def __init__(self, directory: str, options: ParseOptions, overrides: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.overrides = overrides or {}
        self.refused: set[tuple[str, Location]] = set()
        self.options = options
        self.tpl = Template(path=directory, format="terraform")
        roots = options.roots or [directory]
        self.roots = [resolved_root(r) for r in roots]
        self.evaluator = Evaluator(self.read_file)
        self.evaluator.root_directory = directory
        self.instances: list[Instance] = []
        self._installed: dict[str, str] | None = None

    # --- files -----------------------------------------------------------------------------

    def inside_roots(self, path: str) -> bool:
        return inside(path, self.roots)

    def read_file(self, path: str, loc: Location) -> str | None:
        """``file()``/``templatefile()``: the text, or None with a located reason."""
        if not self.inside_roots(path):
            if (path, loc) in self.refused:
                return None  # the same call is evaluated more than once (value, then policy document)
            self.refused.add((path, loc))
            self.tpl.problem("E002", f"{os.path.basename(path)!r} is outside the scanned root and was not read "
                             f"({path})", loc)
            return None
        if in_never_walked_directory(path, self.roots):
            if (path, loc) not in self.refused:
                self.refused.add((path, loc))
                self.tpl.problem("E002", f"{os.path.basename(path)!r} is inside a directory that is never scanned "
                                 "(.git, node_modules, ...) and was not read", loc)
            return None
        if not os.path.isfile(path):
            return None
        text, failed = read_text(path, "terraform", roots=self.roots)
        if text is None:
            if failed is not None:
                self.tpl.problems.extend(failed.problems)
            return None
        self.tpl.sources.setdefault(path, text.splitlines())
        return text

    def parse_files(self, files: list[str]) -> list[Body]:
        bodies = []
        for path in files:
            text, failed = (self.overrides[path], None) if path in self.overrides \
                else read_text(path, "terraform", roots=self.roots)
            if text is None:
                if failed is not None:
                    self.tpl.problems.extend(failed.problems)
                continue
            self.tpl.sources[path] = text.splitlines()
            body = self.parse_text(text, path)
            if body is not None:
                bodies.append(body)
        return bodies

    def parse_text(self, text: str, path: str) -> Body | None:
        if len(text) > MAX_HCL_BYTES:
            self.tpl.problem("E001", f"file is {len(text)} bytes, over the {MAX_HCL_BYTES}-byte limit for HCL; "
                             "not parsed", Location(path, 1, 1))
            return None
        try:
            if path.endswith(".json"):
                return json_body(decode_json_located(text, path), path)
            return parse_hcl(text, path)
        except SyntaxProblem as exc:
            self.tpl.problem("E001", exc.message, Location(path, exc.line, exc.column))
        except JsonProblem as exc:
            self.tpl.problem("E001", f"invalid JSON: {exc}", Location(path, 1, 1))
        return None

    # --- variables of the root module -----------------------------------------------------------

    def root_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        try:
            names = sorted(os.listdir(self.directory or "."))
        except OSError:
            names = []
        auto = [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
        ordered = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names] + auto
        paths = [os.path.join(self.directory, n) for n in ordered] + list(self.options.var_files)
        for path in paths:
            values.update(self.read_tfvars(path))
        for key, raw in self.options.tf_vars.items():
            values[key] = self.cli_value(raw)
        return values

    def read_tfvars(self, path: str) -> dict[str, Any]:
        # A --var-file is the user's choice; a terraform.tfvars in the tree is the pull request's.
        roots = None if path in self.options.var_files else self.roots
        text, failed = read_text(path, "terraform", roots=roots)
        if text is None:
            if failed is not None:
                self.tpl.problems.extend(failed.problems)
            return {}
        self.tpl.sources.setdefault(path, text.splitlines())
        body = self.parse_text(text, path) if not path.endswith(".json") else None
        if path.endswith(".json"):
            try:
                data = decode_json_located(text, path)
            except JsonProblem as exc:
                self.tpl.problem("E001", f"invalid JSON: {exc}", Location(path, 1, 1))
                return {}
            return dict(data) if isinstance(data, dict) else {}
        if body is None:
            return {}
        scope = Module(self.evaluator, os.path.dirname(path), [], "", "").scope
        return {name: self.evaluator.evaluate(attr.expr, scope) for name, attr in body.attributes.items()}

    def cli_value(self, raw: str) -> Any:
        """``--var k=v``: Terraform reads complex values as HCL expressions, the rest as strings."""
        if raw.strip().startswith(("[", "{")):
            try:
                expr = parse_expression(raw, Location("<--var>", 1, 1))
                scope = Module(self.evaluator, self.directory, [], "", "").scope
                return self.evaluator.evaluate(expr, scope)
            except Exception:  # not HCL: Terraform would take it as a string too
                pass
        return raw

    # --- modules -----------------------------------------------------------------------------

    def run(self, files: list[str]) -> None:
        root = Module(self.evaluator, self.directory, self.parse_files(files), "", "",
                      root_values=self.root_values())
        self.load_children(root, [os.path.realpath(self.directory)])
        self.collect(root)
        build_template(self.tpl, self, self.instances, consumed_documents=self.evaluator.consumed_documents)
        self.read_variables(root)
        reported: set[str] = set()
        for where, what in self.evaluator.exceeded.items():
            if what not in reported:  # once per budget and module: the first place it ran out
                reported.add(what)
                self.tpl.problem(BUDGET_EXCEEDED, f"budget exceeded: {what}; the value is unknown", where)

    def read_variables(self, root: Module) -> None:
        """The root module's variables as ``Parameter``s: a literal default, and whether ``sensitive`` hides it.

        A called module's variables get their values from the call, so only the root's defaults are inputs.
        """
        for name, block in root.variables.items():
            resource = Resource(f"var.{name}", "terraform:variable", "terraform", LMap(loc=block.loc), block.loc,
                                block.file)
            param = Parameter(f"var.{name}", resource, block.loc, name=name)
            default = block.body.attributes.get("default")
            if default is not None:
                param.set("default", self.evaluator.evaluate(default.expr, root.scope), default.expr.loc)
            sensitive = block.body.attributes.get("sensitive")
            if sensitive is not None:
                value = self.evaluator.evaluate(sensitive.expr, root.scope)
                param.set("sensitive", value if isinstance(value, (bool, Unknown)) else value == "true",
                          sensitive.expr.loc)
            self.tpl.add(param)

    def load_children(self, module: Module, stack: list[str]) -> None:
        for name, block in module.module_calls.items():
            source_attr = block.body.attributes.get("source")
            if source_attr is None:
                continue
            source = self.evaluator.evaluate(source_attr.expr, module.scope)
            where = source_attr.expr.loc
            if not isinstance(source, str):
                self.tpl.problem("I002", f"module {name}: source is not static; not analysed", where, severity="info")
                continue
            if not source.startswith(("./", "../")) and source not in (".", ".."):
                installed = self.installed_module(module, name)
                if installed is None:
                    self.tpl.problem("I002", f"module {name}: {source!r} is a remote module that `terraform init` "
                                     "has not downloaded here; it is never fetched, so its resources are not "
                                     "analysed", where, severity="info")
                    continue
                directory = installed
            else:
                directory = os.path.normpath(os.path.join(module.directory, source))
            if not self.inside_roots(directory):
                # Not an error of the scanned code: scanning one example of a module repository is normal.
                self.tpl.problem("I002", f"module {name}: {source!r} is outside the scanned root; not analysed",
                                 where, severity="info")
                continue
            real = os.path.realpath(directory)
            if real in stack or len(stack) > MAX_MODULE_DEPTH:
                self.tpl.problem("I002", f"module {name}: {source!r} calls itself or nests too deeply; not analysed",
                                 where, severity="info")
                continue
            multi, skip = self.repetition(block.body, module.scope)
            if skip:
                continue
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                self.tpl.problem("E002", f"module {name}: directory {source!r} cannot be read", where)
                continue
            files = [os.path.join(directory, n) for n in names if n.endswith((".tf", ".tf.json"))
                     and os.path.isfile(os.path.join(directory, n))]
            call_scope = self.instance_scope(block.body, module.scope)
            inputs = {k: (a.expr, call_scope) for k, a in block.body.attributes.items() if k not in _META_ARGUMENTS}
            key_prefix = f"{module.key_prefix}module.{name}."
            display_prefix = f"{module.display_prefix}module.{name}{'[*]' if multi else ''}."
            child = Module(self.evaluator, directory, self.parse_files(files), key_prefix, display_prefix,
                           parent_inputs=inputs, call=block)
            module.children[name] = child
            self.load_children(child, stack + [real])

    def installed_module(self, module: Module, name: str) -> str | None:
        """The directory ``terraform init`` downloaded a remote module call into, from the root module's
        ``.terraform/modules/modules.json`` (keys are the call names joined by dots: ``vpc``, ``vpc.subnets``).
        Read from disk only: the network is never used."""
        if self._installed is None:
            self._installed = {}
            manifest = os.path.join(self.directory, ".terraform", "modules", "modules.json")
            if os.path.isfile(manifest) and self.inside_roots(manifest) and os.path.getsize(manifest) < (8 << 20):
                try:
                    with open(manifest, encoding="utf-8") as handle:
                        entries = json.load(handle).get("Modules") or []
                except (OSError, ValueError, AttributeError):
                    entries = []
                for entry in entries if isinstance(entries, list) else []:
                    key, folder = (entry.get("Key"), entry.get("Dir")) if isinstance(entry, dict) else (None, None)
                    if isinstance(key, str) and isinstance(folder, str):
                        self._installed[key] = folder
        parts = module.key_prefix.split(".")
        key = ".".join([*(p for i, p in enumerate(parts) if i % 2 == 1 and p), name])
        relative = self._installed.get(key)
        if relative is None:
            return None
        directory = os.path.normpath(os.path.join(self.directory, relative))
        return directory if self.inside_roots(directory) and os.path.isdir(directory) else None

    def repetition(self, body: Body, scope: Scope) -> tuple[bool, bool]:
        """(has count/for_each, statically zero instances)."""
        if "count" in body.attributes:
            count = self.evaluator.evaluate(body.attributes["count"].expr, scope)
            return True, count == 0 and not isinstance(count, bool)
        if "for_each" in body.attributes:
            items = self.evaluator.evaluate(body.attributes["for_each"].expr, scope)
            return True, isinstance(items, (list, dict)) and len(items) == 0
        return False, False

    def instance_scope(self, body: Body, scope: Scope) -> Scope:
        """``count.index`` and ``each.*`` stay unknown: one evaluation stands for every instance."""
        names: dict[str, Any] = {}
        sources = {}
        if "count" in body.attributes:
            names["count"] = LMap({"index": Unknown("count.index")})
        if "for_each" in body.attributes:
            names["each"] = LMap({"key": Unknown("each.key"), "value": Unknown("each.value")})
            sources["each"] = (body.attributes["for_each"].expr, scope)
        return scope.child(names, sources) if names else scope

    def collect(self, module: Module) -> None:
        for mode, blocks in (("managed", module.resources), ("data", module.data)):
            for address, block in blocks.items():
                try:
                    multi, skip = self.repetition(block.body, module.scope)
                    if skip:
                        continue
                    props = self.evaluator.evaluate_body(block.body, self.instance_scope(block.body, module.scope),
                                                         block.loc)
                except Exception as exc:  # an evaluator bug loses this resource, not the module's findings
                    self.tpl.problem("E001", f"{address}: internal error while evaluating: {type(exc).__name__}",
                                     block.loc)
                    continue
                rtype, name = address.split(".", 1)
                local = address if mode == "managed" else f"data.{address}"
                multi = multi or "[*]" in module.display_prefix
                self.instances.append(Instance(
                    key=f"{module.key_prefix}{local}",
                    id=f"{module.display_prefix}{local}{'[*]' if multi and '[*]' not in module.display_prefix else ''}",
                    type=rtype, name=name, props=props, loc=block.loc, file=block.file, mode=mode, multi=multi))
        for child in module.children.values():
            self.collect(child)

    # --- References, for the builders -----------------------------------------------------------

    def _attribute(self, node: Any, key: str) -> tuple[Attribute, Scope] | None:
        origin = self.evaluator.origin(node)
        if origin is None:
            return None
        body, scope = origin
        attr = body.attributes.get(key)
        return (attr, scope) if attr is not None else None

    def refs(self, node: Any, key: str) -> list[str]:
        found = self._attribute(node, key)
        if found is None:
            return []
        attr, scope = found
        return list(dict.fromkeys(self.evaluator.references(attr.expr, scope)))

    def document(self, node: Any, key: str) -> Any:
        found = self._attribute(node, key)
        if found is None:
            value = node.get(key) if isinstance(node, dict) else None
            return as_document(value, loc_of(value))
        attr, scope = found
        return self.document_of(attr.expr, scope, 0)

    def document_of(self, expr: Expr, scope: Scope, depth: int) -> Any:
        """A policy written as an expression, as a located document.

        Heredoc JSON is decoded from the text as written, so each string keeps
        its own line; interpolations inside its strings are then evaluated.
        """
        if depth > 16:
            return Unknown(expr.text)
        if isinstance(expr, Call) and expr.name == "jsonencode" and len(expr.args) == 1:
            return self.evaluator.evaluate(expr.args[0], scope)
        if isinstance(expr, Call) and expr.name == "templatefile" and len(expr.args) == 2:
            located = self.template_document(expr, scope)
            if located is not None:
                return located
        if isinstance(expr, TemplateExpr) and expr.heredoc and not expr.directives:
            try:
                decoded = decode_json_located(expr.body, expr.loc.file, expr.body_line)
            except JsonProblem:
                decoded = None
            if decoded is not None:
                return self.resolve_strings(decoded, scope)
        if isinstance(expr, Traversal) and isinstance(expr.root, str) and len(expr.ops) == 1 \
                and expr.ops[0][0] == "attr":
            module, name = scope.module, expr.ops[0][1]
            if expr.root == "local" and name in module.locals:
                return self.document_of(module.locals[name].expr, module.scope, depth + 1)
            if expr.root == "var":
                if name in module.inputs:
                    inner_expr, inner_scope = module.inputs[name]
                    return self.document_of(inner_expr, inner_scope, depth + 1)
                block = module.variables.get(name)
                if name not in module.root_values and block is not None and "default" in block.body.attributes:
                    return self.document_of(block.body.attributes["default"].expr, module.scope, depth + 1)
        value = self.evaluator.evaluate(expr, scope)
        return as_document(value, expr.loc)

    def template_document(self, expr: Call, scope: Scope) -> Any:
        """``templatefile("x.json.tpl", {...})`` decoded from the file as written, so each string keeps its line.

        None when the template is not JSON before rendering (directives, ``${jsonencode(...)}`` as a value):
        the rendered text is then decoded as a whole.
        """
        path = self.evaluator.evaluate(expr.args[0], scope)
        variables = self.evaluator.evaluate(expr.args[1], scope)
        if not isinstance(path, str) or not isinstance(variables, dict) or "%{" in str(path):
            return None
        full = os.path.normpath(path if os.path.isabs(path) else os.path.join(self.directory, path))
        text = self.read_file(full, expr.loc)
        if text is None or "%{" in text:
            return None
        try:
            decoded = decode_json_located(text, full)
        except JsonProblem:
            return None
        inner = Scope(scope.module, {str(k): v for k, v in variables.items()})
        return self.resolve_strings(decoded, inner)

    def resolve_strings(self, value: Any, scope: Scope) -> Any:
        """Evaluate ``${...}`` inside the strings of a decoded heredoc, keeping each string's location."""
        if isinstance(value, LMap):
            for k in list(value):
                value[k] = self.resolve_strings(value[k], scope)
            return value
        if isinstance(value, LSeq):
            for i, item in enumerate(value):
                value[i] = self.resolve_strings(item, scope)
            return value
        if isinstance(value, LStr) and ("${" in value or "%{" in value):
            loc = value.loc or Location(self.directory, 1, 1)
            parts, directives = split_template(str(value), loc)
            template = TemplateExpr(loc, str(value), tuple(parts), directives)
            result = self.evaluator.evaluate(template, scope)
            if isinstance(result, str):
                return LStr(str(result), loc)
            return result
        return value


def as_document(value: Any, loc: Location | None) -> Any:
    """An evaluated policy value (a map, JSON text, or unknown) as a located document."""
    if value is None or isinstance(value, (Unknown, dict, list)):
        return value
    if isinstance(value, FileText):
        decoded = decode_file_json(value)
        if decoded is not None:
            return decoded
    if isinstance(value, str):
        where = loc_of(value) or loc or Location("", 1, 1)
        try:
            if "\n" not in str(value):
                return decode_json_located(str(value), where.file, where.line)
            import json
            return locate(json.loads(str(value)), where)
        except (JsonProblem, ValueError):
            return Unknown(str(value)[:200])
    return None


# --- .tf.json --------------------------------------------------------------------------------


def _json_expr(value: Any, loc: Location) -> Expr:
    here = loc_of(value) or loc
    if isinstance(value, LMap):
        items = tuple((Lit(value.key_locs.get(k, here), str(k), str(k)), _json_expr(v, value.value_locs.get(k, here)))
                      for k, v in value.items())
        return Object(here, "{...}", items)
    if isinstance(value, LSeq):
        item_locs = value.item_locs
        return Tuple(here, "[...]", tuple(_json_expr(v, (item_locs[i] if i < len(item_locs) else None) or here)
                                          for i, v in enumerate(value)))
    if isinstance(value, str) and ("${" in value or "%{" in value):
        parts, directives = split_template(str(value), here)
        return TemplateExpr(here, str(value), tuple(parts), directives)
    return Lit(here, str(value), value)


def _json_block_body(value: Any, loc: Location) -> Body:
    body = Body()
    if isinstance(value, LSeq) and value:
        value = value[0]
    if isinstance(value, LMap):
        for key, item in value.items():
            where = value.key_locs.get(key, loc)
            body.attributes[str(key)] = Attribute(str(key), _json_expr(item, value.value_locs.get(key, where)), where)
    return body


def json_body(data: Any, file: str) -> Body:
    """Terraform's JSON syntax as the same syntax tree as HCL (nested blocks read as object attributes)."""
    body = Body()
    if not isinstance(data, LMap):
        return body
    for kind, section in data.items():
        if not isinstance(section, LMap):
            continue
        # decode_json_located locates every node; the file's start stands in for a section that is not.
        section_loc = section.loc or Location(file, 1)
        if kind == "locals":
            body.blocks.append(Block("locals", [], _json_block_body(section, section_loc), section_loc, file))
        elif kind in ("resource", "data"):
            for rtype, named in section.items():
                for name, content in (named.items() if isinstance(named, LMap) else []):
                    loc = named.key_locs.get(name, section_loc)
                    body.blocks.append(Block(kind, [str(rtype), str(name)], _json_block_body(content, loc), loc, file))
        elif kind in ("variable", "module", "output"):
            for name, content in section.items():
                loc = section.key_locs.get(name, section_loc)
                body.blocks.append(Block(kind, [str(name)], _json_block_body(content, loc), loc, file))
    return body
