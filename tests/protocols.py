"""Checking a fake (or a real implementation) against the Protocol it stands for.

`unmet(instance, Protocol)` lists every member of the Protocol that the instance lacks, and
every method whose parameters (names and kinds, after self) differ. Members are read
statically (`inspect.getattr_static`), so a property that would load a model is not run.
A Protocol's members are its methods, its properties and its annotated attributes, so a
member added to the Protocol and not to the fake is reported.
"""
from __future__ import annotations

import inspect
from typing import Any

_MISSING = object()


def protocol_members(protocol: type) -> dict[str, Any]:
    """Name -> what the Protocol declares (a function, a property, or an annotation)."""
    members: dict[str, Any] = {}
    for klass in reversed(protocol.__mro__):
        if klass in (object,) or klass.__name__ in ("Protocol", "Generic"):
            continue
        members.update({name: annotation for name, annotation in vars(klass).get("__annotations__", {}).items()
                        if not name.startswith("_")})
        members.update({name: value for name, value in vars(klass).items()
                        if not name.startswith("_") and (callable(value) or isinstance(value, property))})
    return members


def parameters(function: Any) -> list[tuple[str, Any]]:
    """Names and kinds of the parameters after self (annotations are not compared)."""
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values() if p.name != "self"]


def unmet(instance: object, protocol: type) -> list[str]:
    """What `instance` lacks of `protocol`, one line each; [] when it has everything."""
    problems = []
    for name, declared in protocol_members(protocol).items():
        found = inspect.getattr_static(instance, name, _MISSING)
        if found is _MISSING:
            problems.append(f"{type(instance).__name__} lacks {name}")
            continue
        if inspect.isfunction(declared) and not isinstance(found, property):
            method = getattr(instance, name)
            if not callable(method):
                problems.append(f"{type(instance).__name__}.{name} is not a method")
            elif parameters(method) != parameters(declared):
                problems.append(f"{type(instance).__name__}.{name}{inspect.signature(method)} differs from "
                                f"{protocol.__name__}.{name}{inspect.signature(declared)}")
    return problems
