"""The Protocol check itself: it reports a missing method, property or attribute, and a
method whose parameters differ."""
from __future__ import annotations

from typing import Protocol

from tests.protocols import unmet


class Shape(Protocol):
    name: str

    @property
    def area(self) -> float: ...

    def scale(self, factor: float, *, keep: bool = False) -> Shape: ...


class Square:
    name = "square"

    @property
    def area(self) -> float:
        raise AssertionError("a property is read statically, never run")

    def scale(self, factor: float, *, keep: bool = False) -> Square:
        return self


class Careless:
    def scale(self, factor: float) -> Careless:
        return self


def test_a_complete_implementation_meets_the_protocol():
    assert unmet(Square(), Shape) == []


def test_each_missing_or_different_member_is_named():
    problems = unmet(Careless(), Shape)
    assert any("lacks name" in p for p in problems)
    assert any("lacks area" in p for p in problems)
    assert any("scale" in p and "differs" in p for p in problems)
