"""Administration: providers, API keys and skill level corrections (admin); skill aliases
(the partnership, and admin).

A key is shown once, in the response that issues it (create or rotate); afterwards only its
metadata is listed. Revoking stops a key at once; rotating issues a replacement with the
same name, role and provider and revokes the old one in the same transaction.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import RAISE

from skills_match import apikeys, reference, taxonomy
from skills_match.errors import InvalidInput, NotFound
from skills_match.schemas import ProviderSchema

from .auth import actor, roles, set_audit_target
from .db import get_store, settings
from .schemas import (
    AliasIn,
    AliasOut,
    AliasPage,
    AliasQuery,
    KeyCreateIn,
    KeyIssuedOut,
    KeyOut,
    KeyPage,
    LevelOverrideIn,
    LevelOverrideOut,
    PageQuery,
    ProviderOut,
    ProviderPage,
    SkillLevelOut,
    body_doc,
    link_header,
    load_body,
    page,
)

blp = Blueprint(
    "admin",
    __name__,
    url_prefix="/api/v1",
    description="Administration: providers, API keys and skill level corrections (admin); "
    "skill aliases (partnership).",
)

_provider_schema = ProviderSchema()
_key_schema = KeyCreateIn()
_override_schema = LevelOverrideIn()
_alias_schema = AliasIn()
ALIAS_ROLES = ("partnership", "admin")


def _issued(key_id: int, plain: str, replaces: int | None = None) -> dict[str, Any]:
    return {**get_store().key(key_id), "key": plain, "replaces": replaces}


# -- providers --------------------------------------------------------------------------


@blp.route("/providers", methods=["POST"])
@roles("admin")
@blp.doc(**body_doc(ProviderSchema))
@blp.response(201, ProviderOut)
def create_provider() -> Any:
    """Register a training provider by UKPRN (409 if it is already registered)."""
    record = load_body(_provider_schema)
    store = get_store()
    area = record.get("local_authority")
    if area and not store.local_authority(area):
        raise InvalidInput("Unknown area.", {"local_authority": [f"Unknown GSS code {area}."]})
    with store.write():
        provider_id = store.insert_provider(record)
    set_audit_target(f"provider:{provider_id}")
    location = url_for("admin.get_provider", provider_id=provider_id)
    return store.provider_with_counts(provider_id), {"Location": location}


@blp.route("/providers")
@roles("admin")
@blp.arguments(PageQuery, location="query")
@blp.response(200, ProviderPage)
def list_providers(args: dict[str, Any]) -> Any:
    """List providers by name, with their counts of active courses."""
    providers = get_store().providers()
    start = (args["page"] - 1) * args["page_size"]
    body = page(providers[start : start + args["page_size"]], len(providers), args)
    return body, link_header(body)


@blp.route("/providers/<int:provider_id>")
@roles("admin")
@blp.response(200, ProviderOut)
def get_provider(provider_id: int) -> dict:
    """Read one provider."""
    return get_store().provider_with_counts(provider_id)


# -- keys -------------------------------------------------------------------------------


@blp.route("/keys", methods=["POST"])
@roles("admin")
@blp.doc(**body_doc(KeyCreateIn))
@blp.response(201, KeyIssuedOut)
def create_key() -> Any:
    """Issue an API key; the response is the only time the key itself is shown."""
    args = load_body(_key_schema)
    store = get_store()
    provider_id = None
    if args.get("provider"):
        provider = store.provider_by_ukprn(args["provider"])
        if provider is None:
            raise InvalidInput(
                "Unknown provider.", {"provider": [f"No provider with UKPRN {args['provider']}."]}
            )
        provider_id = provider["id"]
    key_id, plain = apikeys.create_key(
        store, settings().api_key_pepper, args["name"], args["role"], provider_id
    )
    set_audit_target(f"key:{key_id}")
    return _issued(key_id, plain), {"Cache-Control": "no-store"}


@blp.route("/keys")
@roles("admin")
@blp.arguments(PageQuery, location="query")
@blp.response(200, KeyPage)
def list_keys(args: dict[str, Any]) -> Any:
    """List API keys (metadata only: name, role, provider, last use, revocation)."""
    keys = get_store().keys()
    start = (args["page"] - 1) * args["page_size"]
    body = page(keys[start : start + args["page_size"]], len(keys), args)
    return body, link_header(body)


@blp.route("/keys/<int:key_id>/rotate", methods=["POST"])
@roles("admin")
@blp.response(201, KeyIssuedOut)
def rotate_key(key_id: int) -> Any:
    """Replace a live key with a new one (same name, role, provider); the old stops working."""
    new_id, plain = apikeys.rotate_key(get_store(), settings().api_key_pepper, key_id)
    set_audit_target(f"key:{key_id}->key:{new_id}")
    return _issued(new_id, plain, replaces=key_id), {"Cache-Control": "no-store"}


@blp.route("/keys/<int:key_id>", methods=["DELETE"])
@roles("admin")
@blp.response(200, KeyOut)
def revoke_key(key_id: int) -> dict:
    """Revoke a live key: it stops working at once."""
    return apikeys.revoke_key(get_store(), key_id)


# -- skill level corrections ------------------------------------------------------------


@blp.route("/level-overrides")
@roles("admin")
@blp.response(200, LevelOverrideOut(many=True))
def list_level_overrides() -> list:
    """List human corrections of skills' digital levels, newest first."""
    return taxonomy.list_overrides(get_store())


@blp.route("/level-overrides/<string:skill_id>", methods=["PUT"])
@roles("admin")
@blp.doc(**body_doc(LevelOverrideIn))
@blp.response(200, LevelOverrideOut)
def set_level_override(skill_id: str) -> dict:
    """Set a skill's digital level by hand; it wins over the rule and the model."""
    args = load_body(_override_schema)
    store = get_store()
    taxonomy.set_override(store, skill_id, args["level"], actor(), args["reason"])
    return next(o for o in taxonomy.list_overrides(store) if o["skill_id"] == skill_id)


@blp.route("/level-overrides/<string:skill_id>", methods=["DELETE"])
@roles("admin")
@blp.response(200, SkillLevelOut)
def remove_level_override(skill_id: str) -> dict:
    """Remove a skill's level correction; it gets its rule (or model) level back."""
    return taxonomy.remove_override(get_store(), skill_id, changed_by=actor())


# -- skill aliases ------------------------------------------------------------------------


@blp.route("/aliases")
@roles(*ALIAS_ROLES)
@blp.arguments(AliasQuery, location="query", unknown=RAISE)
@blp.response(200, AliasPage)
def list_aliases(args: dict[str, Any]) -> Any:
    """List the words people write for skills: the shipped table and the partnership's."""
    rows = reference.list_aliases(get_store(), args.get("source"))
    start = (args["page"] - 1) * args["page_size"]
    body = page(rows[start : start + args["page_size"]], len(rows), args)
    return body, link_header(body)


@blp.route("/aliases", methods=["POST"])
@roles(*ALIAS_ROLES)
@blp.doc(**body_doc(AliasIn))
@blp.response(201, AliasOut)
def add_alias() -> Any:
    """Add an alias for a skill (audited); extraction uses it at once."""
    args = load_body(_alias_schema)
    row = reference.add_alias(
        get_store(), args["alias"], args["skill_id"], actor(), args["note"], args["case_sensitive"]
    )
    set_audit_target(f"alias:{row['id']}")
    return row, {"Location": url_for("admin.get_alias", alias_id=row["id"])}


@blp.route("/aliases/<int:alias_id>")
@roles(*ALIAS_ROLES)
@blp.response(200, AliasOut)
def get_alias(alias_id: int) -> dict:
    """Read one alias."""
    row = get_store().alias_by_id(alias_id)
    if row is None:
        raise NotFound(f"No alias with id {alias_id}.")
    return row


@blp.route("/aliases/<int:alias_id>", methods=["DELETE"])
@roles(*ALIAS_ROLES)
@blp.response(200, AliasOut)
def remove_alias(alias_id: int) -> dict:
    """Remove an alias the partnership added (audited); shipped ones are refused."""
    store = get_store()
    row = store.alias_by_id(alias_id)
    if row is None:
        raise NotFound(f"No alias with id {alias_id}.")
    return reference.remove_alias(store, row["alias"], row["skill_id"], actor())
