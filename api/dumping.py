"""Output schemas that serialise large answers quickly, with marshmallow's exact result.

A match answer carries about 2,300 fields; marshmallow's per-field machinery (accessor,
default, hooks) spent more time on them than the ranking did. :class:`FastDumpSchema` reads
the schema's own field list once and, for the plain field types, converts values directly;
any other field, and any schema with dump hooks, goes through marshmallow as before.
``tests/test_api_dumping.py`` checks the two agree field type by field type, and
``tests/test_api_match.py`` on real match and pathway answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP

Convert = Callable[[Any], Any]


def _none_or(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _same(value: Any) -> Any:
    return value


def _converter(field: fields.Field) -> Convert | None:
    """A value converter equal to ``field._serialize``, or None to let marshmallow do it."""
    kind = type(field)
    if kind is fields.String:
        return _none_or(str)
    if kind in (fields.Integer, fields.Float) and not field.as_string:
        return _none_or(field.num_type)
    if kind is fields.Boolean:
        return _same  # marshmallow 4 writes a Boolean's value as it is
    if kind is fields.Nested and isinstance(field.nested, type | Schema):
        schema = field.schema
        many = bool(schema.many or field.many)
        return _none_or(lambda value: schema.dump(value, many=many))
    if kind is fields.List:
        inner = _converter(field.inner)
        if inner is None:
            return None
        return _none_or(lambda value: [inner(each) for each in value])
    if kind is fields.Dict and field.key_field is None and field.value_field is None:
        return _none_or(field.mapping_type)
    if kind is fields.Dict and field.key_field is not None and field.value_field is not None:
        keys, values = _converter(field.key_field), _converter(field.value_field)
        if keys is None or values is None:
            return None
        return _none_or(
            lambda value: field.mapping_type((keys(k), values(v)) for k, v in value.items())
        )
    return None


def _get(obj: Any, key: str) -> Any:
    # marshmallow's accessor for a flat key: item access for mappings, else the attribute.
    if not hasattr(obj, "__getitem__"):
        return getattr(obj, key, missing)
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError, AttributeError):
        return getattr(obj, key, missing)


class FastDumpSchema(Schema):
    """A Schema whose ``dump`` converts plain fields directly (same output as marshmallow)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plan: list[tuple[str, str, Any, Convert | None]] | None = None
        if self._hooks[PRE_DUMP] or self._hooks[POST_DUMP]:
            return
        plan = []
        for name, field in self.dump_fields.items():
            attribute = field.attribute or name
            if "." in attribute or field.dump_default is not missing:
                return
            plan.append((field.data_key or name, attribute, field, _converter(field)))
        self._plan = plan

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """Serialise ``obj`` (or each of ``obj`` when many) to plain data."""
        if self._plan is None:
            return super().dump(obj, many=many)
        if self.many if many is None else many:
            return [self._dump_one(each) for each in obj]
        return self._dump_one(obj)

    def _dump_one(self, obj: Any) -> dict[str, Any]:
        out = {}
        for key, attribute, field, convert in self._plan:  # type: ignore[union-attr]
            if convert is None:
                value = field.serialize(attribute, obj, accessor=self.get_attribute)
            else:
                value = _get(obj, attribute)
                if value is not missing:
                    value = convert(value)
            if value is not missing:
                out[key] = value
        return out
