"""A small validator for the OpenAPI 3.0 subset the Stellantis B2C spec uses.

No schema library is installed, and the spec needs care a generic one would
not take: it is YAML 1.1 where ``No`` (a chargingMode) would read as false,
tabs stand before some comments, some content types carry a trailing space, and path items and responses are
``$ref``s into its own ``x-fragment`` section. Supported keywords: $ref,
allOf, oneOf/anyOf (any branch passes), type, nullable, enum, required,
properties, items, minItems/maxItems, minimum/maximum, pattern and the
date-time format (RFC 3339: lowercase t/z allowed, ``+0000`` not).
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any, Final

import yaml

_DATE_TIME: Final = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int, float),
}


class _SpecLoader(yaml.SafeLoader):
    """YAML with only true/false as booleans (YAML 1.2), so ``No`` stays a string."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class Spec:
    """One OpenAPI document: find a response's schema, validate a body against it."""

    def __init__(self, path: Path) -> None:
        """Load the document at ``path``."""
        text = path.read_text().replace("\t", " ")
        self.doc: dict[str, Any] = yaml.load(text, Loader=_SpecLoader)  # noqa: S506 (a SafeLoader)
        self._paths = [
            (re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$"), p)
            for p in self.doc["paths"]
        ]

    def resolve(self, node: Any) -> Any:
        """Follow ``$ref`` (local pointers only) until a node without one."""
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def check(self, method: str, path: str, status: int, content_type: str, body: Any) -> list[str]:
        """What is wrong with an answer, per the spec ([] when nothing is)."""
        template = next((p for pattern, p in self._paths if pattern.match(path)), None)
        if template is None:
            return [f"{path}: no such path in the spec"]
        operation = self.resolve(self.resolve(self.doc["paths"][template]).get(method.lower()))
        if operation is None:
            return [f"{method} {template}: no such operation in the spec"]
        responses = operation["responses"]
        response = next((v for k, v in responses.items() if str(k) == str(status)), None)
        if response is None:
            response = responses.get("default")
        if response is None:
            return [f"{method} {template}: status {status} not in the spec"]
        content = {k.strip(): v for k, v in (self.resolve(response).get("content") or {}).items()}
        if not content:
            return [] if body is None else [f"{method} {template} {status}: body where none is"]
        if content_type not in content:
            return [f"{method} {template} {status}: {content_type}, spec says {sorted(content)}"]
        return self.validate(content[content_type].get("schema", {}), body, "$")

    def validate(self, schema: Any, value: Any, where: str) -> list[str]:
        """The places where ``value`` breaks ``schema``."""
        schema = self.resolve(schema)
        if value is None and schema.get("nullable"):
            return []
        errors: list[str] = []
        for part in schema.get("allOf", ()):
            errors += self.validate(part, value, where)
        branches = [*schema.get("oneOf", ()), *schema.get("anyOf", ())]
        if branches and all(self.validate(b, value, where) for b in branches):
            errors.append(f"{where}: matches none of its {len(branches)} alternatives")
        kind = schema.get("type")
        if kind is not None and (
            isinstance(value, bool) != (kind == "boolean")
            or not isinstance(value, _TYPES[kind])
            or (kind == "integer" and not float(value).is_integer())
        ):
            return [*errors, f"{where}: {type(value).__name__} {value!r:.40}, not {kind}"]
        if "enum" in schema and value not in schema["enum"]:
            errors.append(f"{where}: {value!r:.40} not in {schema['enum']}")
        if isinstance(value, str):
            if schema.get("format") == "date-time" and not _DATE_TIME.match(value):
                errors.append(f"{where}: {value!r} is not an RFC 3339 date-time")
            if "pattern" in schema and not re.search(schema["pattern"], value):
                errors.append(f"{where}: {value!r:.40} does not match {schema['pattern']}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                errors.append(f"{where}: {value} < {schema['minimum']}")
            if "maximum" in schema and value > schema["maximum"]:
                errors.append(f"{where}: {value} > {schema['maximum']}")
        if isinstance(value, list):
            if len(value) < schema.get("minItems", 0):
                errors.append(f"{where}: fewer than {schema['minItems']} items")
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                errors.append(f"{where}: more than {schema['maxItems']} items")
            if "items" in schema:
                for index, item in enumerate(value):
                    errors += self.validate(schema["items"], item, f"{where}[{index}]")
        if isinstance(value, dict):
            errors += [
                f"{where}: no {key}" for key in schema.get("required", ()) if key not in value
            ]
            for key, sub in (schema.get("properties") or {}).items():
                if key in value:
                    errors += self.validate(sub, value[key], f"{where}.{key}")
        return errors
