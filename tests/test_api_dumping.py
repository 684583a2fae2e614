"""FastDumpSchema gives exactly marshmallow's output, field type by field type."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from marshmallow import Schema, fields, post_dump

from api.dumping import FastDumpSchema


class Inner(FastDumpSchema):
    name = fields.String()
    score = fields.Float()


class Outer(FastDumpSchema):
    text = fields.String()
    count = fields.Integer()
    ratio = fields.Float()
    flag = fields.Boolean()
    tags = fields.List(fields.String())
    inner = fields.Nested(Inner)
    inners = fields.List(fields.Nested(Inner))
    many = fields.Nested(Inner, many=True)
    loose = fields.Dict()
    typed = fields.Dict(keys=fields.String(), values=fields.Integer())
    renamed = fields.String(data_key="shown_as")
    moved = fields.String(attribute="elsewhere")
    as_text = fields.Float(as_string=True)
    when = fields.Date()  # not a plain type: marshmallow serialises it


@dataclass
class Thing:
    text: object = "a"
    count: object = 3
    flag: object = "yes"
    tags: list = field(default_factory=lambda: [1, "b"])
    inner: object = None
    inners: list = field(default_factory=list)
    many: list = field(default_factory=list)
    loose: dict = field(default_factory=lambda: {"k": [1]})
    typed: dict = field(default_factory=lambda: {1: "2", "x": 3.7})
    renamed: str = "r"
    elsewhere: str = "e"
    as_text: float = 1.5


CASES = [
    {},
    {"text": None, "count": None, "ratio": None, "flag": None, "tags": None, "inner": None},
    {"text": 7, "count": "12", "ratio": 2, "flag": 0, "tags": ["x", 2.5]},
    {"flag": "False", "inner": {"name": "n", "score": 1}, "inners": [{"name": 1}, {}]},
    {"many": [{"score": "0.5"}], "loose": {"a": {"b": 1}}, "typed": {"k": "4"}},
    {"renamed": "shown", "elsewhere": "there", "as_text": 0.25},
    {"flag": [], "extra": "not a field"},
]


def reference(schema: Schema, obj: object, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as m:
        m.setattr(FastDumpSchema, "dump", Schema.dump)
        return schema.dump(obj)


@pytest.mark.parametrize("case", CASES)
def test_same_output_as_marshmallow_for_mappings(case: dict, monkeypatch) -> None:
    assert Outer().dump(case) == reference(Outer(), case, monkeypatch)


def test_same_output_for_objects_and_missing_attributes(monkeypatch) -> None:
    things = [Thing(), Thing(inner=Thing(), inners=[Thing(), {"name": "d"}], many=[Thing()])]
    for thing in things:
        assert Outer().dump(thing) == reference(Outer(), thing, monkeypatch)
    assert Outer(many=True).dump(things) == reference(Outer(many=True), things, monkeypatch)
    # A value of the wrong kind fails the same way marshmallow does.
    with pytest.raises(ValueError):
        Outer().dump({"count": "twelve"})


def test_schemas_with_dump_hooks_use_marshmallow() -> None:
    class Hooked(FastDumpSchema):
        name = fields.String()

        @post_dump
        def upper(self, data: dict, **kwargs) -> dict:
            return {k: v.upper() for k, v in data.items()}

    assert Hooked().dump({"name": "ab"}) == {"name": "AB"}
