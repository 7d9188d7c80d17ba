"""Registry YAML to Python, safely, quickly, and with a line and column for every refusal.

Why not ``yaml.safe_load``: it follows aliases without limit (a "billion laughs"
file grows to gigabytes), keeps the last of two equal keys without a word, turns
``123:`` or ``yes:`` into keys the schema check then crashes on, and raises
tracebacks for a 5,000-digit integer or a lone surrogate. It is also slow: the
C composer calls the Python resolver for every scalar and builds a node object
with two marks for each. Here libyaml's event stream is turned into Python
values directly, with PyYAML's own resolver and scalar constructors (so values
are what ``safe_load`` gives), and these limits:

- aliases may add at most ``ALIAS_ALLOWANCE`` values (plus as many as the file
  itself writes) to what the registry expands to; an alias to a node that is
  not finished yet (a recursive structure) is refused;
- nesting is at most ``MAX_DEPTH`` levels (the schema check and JSON recurse);
- every mapping key is text (``set`` elements excepted) and written once;
- an integer has at most ``MAX_INT_DIGITS`` decimal digits however it is
  written: ``0b``, ``0o``, ``0x`` and ``1:2:3`` are read without Python's limit,
  so a registry could hold a number that no output (text, JSON) can print.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from model_picker.registry.errors import RegistryError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ALIAS_ALLOWANCE = 250_000
MAX_DEPTH = 64
MAX_INT_DIGITS = 4300  # Python's default limit for converting an integer to text
_INT_LIMIT = 10**MAX_INT_DIGITS
_INT_BITS_MAYBE, _INT_BITS_SURE = _INT_LIMIT.bit_length() - 1, _INT_LIMIT.bit_length()
_TAG = "tag:yaml.org,2002:"
_STR, _MERGE_TAG, _VALUE_TAG = _TAG + "str", _TAG + "merge", _TAG + "value"
_MAPPING_TAGS = {None, "!", _TAG + "map", _TAG + "set"}
_SEQUENCE_TAGS = {None, "!", _TAG + "seq", _TAG + "omap", _TAG + "pairs"}
_RESOLVERS = Resolver.yaml_implicit_resolvers
_WILDCARD = _RESOLVERS.get(None, [])
_CONSTRUCTORS = SafeConstructor.yaml_constructors
_JSON_SCALARS = (str, int, float, bool, type(None))
_COLLECTION_TAGS = (_MAPPING_TAGS | _SEQUENCE_TAGS) - {None, "!"}


class _Merge:
    """The ``<<`` key: its value's mappings are merged into the enclosing mapping."""

    def __repr__(self) -> str:
        return "<<"


MERGE: Any = _Merge()


def int_too_long(value: int) -> bool:
    """More than ``MAX_INT_DIGITS`` decimal digits: Python refuses to print it (and JSON to write it)."""
    return value.bit_length() > _INT_BITS_SURE or (value.bit_length() > _INT_BITS_MAYBE and abs(value) >= _INT_LIMIT)


def _mark(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _resolve(event: ScalarEvent) -> str:
    """The scalar's tag, as PyYAML's Resolver decides it (plain ``123`` is an int, ``'123'`` text)."""
    tag, value = event.tag, event.value
    if tag is not None and tag != "!":
        return tag
    if tag is None and event.implicit[0]:
        for candidate, regexp in _RESOLVERS.get(value[:1], []) + _WILDCARD:
            if regexp.match(value):
                return candidate
    return _STR


class _Reader:
    """One pass over the events; a stack of open collections, each [data, size, key, key event, merges, tag, anchor]."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.constructor = SafeConstructor()
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.written = 0  # values written in the file
        self.aliased = 0  # values aliases add
        self.plain = True  # only JSON types (the parsed cache stores nothing else)
        self.documents = 0

    def fail(self, event: Any, message: str, field: str = "") -> RegistryError:
        return RegistryError(self.source, message, *_mark(event.start_mark), field=field)

    def path(self) -> list[Any]:
        parts: list[Any] = []
        for frame in self.stack:
            if isinstance(frame[0], list):
                parts.append(len(frame[0]))
            elif frame[2] is not None:
                parts.append(frame[2])
        return parts

    def field(self) -> str:
        return ".".join(str(p) for p in self.path())

    # ----- scalars --------------------------------------------------------------------
    def scalar(self, event: ScalarEvent) -> Any:
        tag = _resolve(event)
        if tag in (_STR, _VALUE_TAG):
            return event.value
        if tag == _MERGE_TAG:
            return MERGE
        constructor = _CONSTRUCTORS.get(tag)
        if tag in _COLLECTION_TAGS:
            raise self.fail(event, f"the tag !!{tag.removeprefix(_TAG)} needs a collection, not {event.value[:40]!r}",
                            self.field())
        if constructor is None:
            raise self.fail(event, f"unsupported YAML tag {tag!r} (a safe registry uses plain values)", self.field())
        try:
            value = constructor(self.constructor, ScalarNode(tag, event.value, event.start_mark, event.end_mark))
        except ValueError as exc:
            if "digits" in str(exc):
                raise self.fail(event, f"a number with {len(event.value):,} digits is too long "
                                f"(the limit is {MAX_INT_DIGITS:,} digits); quote it to keep it as text",
                                self.field()) from None
            raise self.fail(event, f"{event.value[:40]!r} is not a valid {tag.removeprefix(_TAG)}",
                            self.field()) from None
        except ConstructorError as exc:
            raise self.fail(event, exc.problem or str(exc), self.field()) from None
        except Exception:  # PyYAML's constructors raise KeyError or AttributeError on some explicit tags
            raise self.fail(event, f"{event.value[:40]!r} is not a valid {tag.removeprefix(_TAG)}",
                            self.field()) from None
        if type(value) is int and int_too_long(value):  # 0b…, 0x…, 0o… or 1:2:3 (no limit on their reading)
            raise self.fail(event, f"the number {event.value[:20]}… has more than {MAX_INT_DIGITS:,} decimal "
                            "digits (the limit for any integer, however written); quote it to keep it as text",
                            self.field())
        if not isinstance(value, _JSON_SCALARS):
            self.plain = False
        return value

    # ----- building ---------------------------------------------------------------------
    def add(self, value: Any, size: int, event: Any) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        data = frame[0]
        if value is MERGE and (isinstance(data, list) or frame[3] is not None):
            raise self.fail(event, "'<<' (a merge key) may only be used as a key", self.field())
        frame[1] += size
        if isinstance(data, list):
            data.append(value)
        elif frame[3] is None:  # a key
            if value is not MERGE and not isinstance(value, str) and not self.set_element(frame, value):
                if not isinstance(event, ScalarEvent):
                    raise self.fail(event, "a key must be text, not a list or mapping", self.field())
                raise self.fail(event, f"the key {event.value!r} is read by YAML as {type(value).__name__} "
                                f"{value!r}, not as text; quote it (e.g. '{event.value}')", self.field())
            if value is not MERGE and value in data:
                first = locate(self.text, [*self.path(), value])
                where = f" (first at line {first[0]})" if first else ""
                raise self.fail(event, f"duplicate key {value!r}{where}: a key may appear only once",
                                self.field())
            frame[2], frame[3] = value, event
        else:
            key, frame[2], frame[3] = frame[2], None, None
            if key is MERGE:
                self.merge_value(value, event)
            elif frame[5] == _TAG + "set":
                data[key] = None
            else:
                data[key] = value

    @staticmethod
    def set_element(frame: list[Any], value: Any) -> bool:
        """A ``!!set`` holds any hashable value (not only text)."""
        if frame[5] != _TAG + "set":
            return False
        try:
            hash(value)
        except TypeError:
            return False
        return True

    def merge_value(self, value: Any, event: Any) -> None:
        parts = [value] if isinstance(value, dict) else list(reversed(value)) if isinstance(value, list) else None
        if parts is None or not all(isinstance(p, dict) for p in parts):
            raise self.fail(event, "'<<' must be given a mapping or a list of mappings to merge", self.field())
        self.stack[-1][4].extend(parts)

    def open(self, event: Any, data: Any) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(event, f"nested more than {MAX_DEPTH} levels deep", self.field())
        if event.anchor:
            self.open_anchors.add(event.anchor)
        self.written += 1
        self.stack.append([data, 1, None, None, [], event.tag, event.anchor])

    def close(self, event: Any) -> None:
        data, size, _key, _key_event, merges, tag, anchor = self.stack.pop()
        if merges:
            merged: dict[Any, Any] = {}
            for part in merges:
                merged.update(part)
            merged.update(data)
            data = merged
        if tag == _TAG + "set":
            data, self.plain = set(data), False
        elif tag in (_TAG + "omap", _TAG + "pairs"):
            if not all(isinstance(p, dict) and len(p) == 1 for p in data):
                raise self.fail(event, f"!!{tag.removeprefix(_TAG)} must be a list of one-key mappings", self.field())
            data, self.plain = [next(iter(p.items())) for p in data], False
        if anchor:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = (data, size)
        self.add(data, size, event)

    def alias(self, event: AliasEvent) -> None:
        name = event.anchor
        if name in self.open_anchors:
            raise self.fail(event, f"alias *{name} refers to a node that contains it (a recursive structure)",
                            self.field())
        if name not in self.anchors:
            raise self.fail(event, f"alias *{name} has no anchor &{name} before it", self.field())
        value, size = self.anchors[name]
        self.aliased += size
        limit = ALIAS_ALLOWANCE + self.written
        if self.aliased > limit:
            raise self.fail(event, f"aliases expand this registry beyond {limit:,} values (alias *{name}); "
                            "nested aliases that multiply (a 'billion laughs' file) are refused", self.field())
        self.add(value, size, event)

    def read(self, text: str) -> Any:
        self.text = text
        loader = _Loader(text)
        try:
            get_event = loader.get_event
            while True:
                event = get_event()
                if event is None or type(event) is StreamEndEvent:
                    return self.root
                self.event(event)
        finally:
            loader.dispose()

    def event(self, event: Any) -> None:
        """One event; plain text scalars (most of a registry) skip the resolver and constructors."""
        kind = type(event)
        if kind is ScalarEvent:
            value = event.value
            size = 1 + len(value) // 64
            self.written += size
            if event.tag is not None or (event.implicit[0] and (_WILDCARD or value[:1] in _RESOLVERS)):
                value = self.scalar(event)
            if event.anchor:
                self.anchors[event.anchor] = (value, size)
            self.add(value, size, event)
        elif kind is MappingStartEvent:
            if event.tag not in _MAPPING_TAGS:
                raise self.fail(event, f"unsupported YAML tag {event.tag!r} on a mapping", self.field())
            self.open(event, {})
        elif kind is SequenceStartEvent:
            if event.tag not in _SEQUENCE_TAGS:
                raise self.fail(event, f"unsupported YAML tag {event.tag!r} on a list", self.field())
            self.open(event, [])
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            self.close(event)
        elif kind is AliasEvent:
            self.alias(event)
        elif kind is DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise self.fail(event, "a registry is one YAML document; found a second one ('---')")


def read_yaml(text: str, source: str) -> tuple[Any, bool]:
    """The document's value, and whether it holds only JSON types. Every problem is a RegistryError."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line, column = line_column(text, exc.start)
        raise RegistryError(source, f"character U+{ord(text[exc.start]):04X} (a lone surrogate) is not valid text",
                            line, column) from None
    reader = _Reader(source)
    try:
        return reader.read(text), reader.plain
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(exc, source) from None
    except yaml.reader.ReaderError as exc:
        raise reader_error(exc, text, source) from None
    except yaml.YAMLError as exc:
        raise RegistryError(source, f"YAML error: {exc}") from None


def syntax_error(exc: yaml.MarkedYAMLError, source: str) -> RegistryError:
    """Where the parser gave up, and (PyYAML's context mark) what it was reading and where that began."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    context = ""
    if exc.context and exc.context_mark is not None:
        line, column = _mark(exc.context_mark)
        context = f" ({exc.context} that starts at line {line}, column {column})"
    return RegistryError(source, f"YAML syntax error: {problem}{context}", *(_mark(mark) if mark else (None, None)))


def reader_error(exc: yaml.reader.ReaderError, text: str, source: str) -> RegistryError:
    """libyaml counts a bad character's position in UTF-8 bytes; say line and column instead."""
    prefix = text.encode("utf-8")[:exc.position].decode("utf-8", "replace")
    line, column = line_column(prefix, len(prefix))
    char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    return RegistryError(source, f"character U+{char:04X} is not allowed in YAML ({exc.reason})", line, column)


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def locate(text: str, path: list[Any]) -> tuple[int, int] | None:
    """Line and column of the key or item at ``path`` (or of its deepest parent written in the file).

    Only used on the way to an error message, so a second pass over the events is fine.
    """
    events = iter(yaml.parse(text, Loader=_Loader))
    found: list[tuple[int, int]] = []
    try:
        for event in events:
            if isinstance(event, MappingStartEvent | SequenceStartEvent):
                found.append(_mark(event.start_mark))
                _follow(event, events, path, found)
                break
    except (yaml.YAMLError, RegistryError, StopIteration):
        pass
    return found[-1] if found else None


def _skip(event: Any, events: Any) -> None:
    if not isinstance(event, MappingStartEvent | SequenceStartEvent):
        return
    depth = 1
    while depth:
        kind = next(events)
        if isinstance(kind, MappingStartEvent | SequenceStartEvent):
            depth += 1
        elif isinstance(kind, MappingEndEvent | SequenceEndEvent):
            depth -= 1


def _follow(start: Any, events: Any, path: list[Any], found: list[tuple[int, int]]) -> None:
    """Walk one collection; descend into the child named by ``path[0]``, skip the rest."""
    want, rest = (path[0], path[1:]) if path else (None, [])
    index, mapping = 0, isinstance(start, MappingStartEvent)
    while True:
        event = next(events)
        if isinstance(event, MappingEndEvent | SequenceEndEvent):
            return
        if mapping:
            key = _Reader("").scalar(event) if isinstance(event, ScalarEvent) else None
            _skip(event, events)
            value = next(events)
            hit = bool(path) and key == want and type(key) is type(want)
        else:
            value, hit = event, bool(path) and index == want
            index += 1
        if hit:
            found.append(_mark(event.start_mark))
            if rest and isinstance(value, MappingStartEvent | SequenceStartEvent):
                _follow(value, events, rest, found)
                path = []  # found: skip the rest of this collection
                continue
            path = []
        _skip(value, events)
