"""Checking a fake (or a real implementation) against the Protocol it stands for.

`unmet(thing, Protocol)` lists every member of the Protocol that `thing` (an instance, or a
class) lacks, a property that is not one, and every method whose parameters (names, kinds
and defaults, after self) differ. Members are read statically (`inspect.getattr_static`),
so a property that would load a model is not run. A Protocol's members are its methods,
its properties and its annotated attributes (checked on instances only: a class sets them
in `__init__`), so a member added to the Protocol and not to the fake is reported.
"""
from __future__ import annotations

import inspect
from typing import Any

_MISSING = object()
_DUNDERS = {"__enter__", "__exit__", "__iter__", "__len__"}  # the dunders a Protocol may declare


def protocol_members(protocol: type) -> dict[str, Any]:
    """Name -> what the Protocol declares (a function, a property, or an annotation)."""
    members: dict[str, Any] = {}
    for klass in reversed(protocol.__mro__):
        if klass in (object,) or klass.__name__ in ("Protocol", "Generic"):
            continue
        members.update({name: annotation for name, annotation in vars(klass).get("__annotations__", {}).items()
                        if not name.startswith("_")})
        members.update({name: value for name, value in vars(klass).items()
                        if (not name.startswith("_") or name in _DUNDERS)
                        and (inspect.isfunction(value) or isinstance(value, property))})
    return members


def parameters(function: Any) -> list[tuple[str, Any, Any]]:
    """Names, kinds and defaults of the parameters after self (not annotations: their spelling may differ)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values() if p.name != "self"]


def unmet(thing: object, protocol: type) -> list[str]:
    """What `thing` (an instance or a class) lacks of `protocol`, one line each; [] when it has everything."""
    is_class = isinstance(thing, type)
    label = thing.__name__ if is_class else type(thing).__name__
    problems = []
    for name, declared in protocol_members(protocol).items():
        is_attribute = not inspect.isfunction(declared) and not isinstance(declared, property)
        if is_class and is_attribute:
            continue
        found = inspect.getattr_static(thing, name, _MISSING)
        if found is _MISSING:
            problems.append(f"{label} lacks {name}")
        elif isinstance(declared, property) and is_class and not isinstance(found, property):
            problems.append(f"{label}.{name} should be a property")
        elif inspect.isfunction(declared):
            method = found.__func__ if isinstance(found, staticmethod | classmethod) else found
            if not callable(method):
                problems.append(f"{label}.{name} is not a method")
            elif parameters(method) != parameters(declared):
                problems.append(f"{label}.{name}{inspect.signature(method)} differs from "
                                f"{protocol.__name__}.{name}{inspect.signature(declared)}")
    return problems
