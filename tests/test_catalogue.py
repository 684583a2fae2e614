"""One-at-a-time writes: a change merges into the record as stored under the write lock, and
one ownership check guards a provider's courses."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from skills_match import catalogue, importer
from skills_match.errors import NotFound, PermissionDenied
from skills_match.store import Store
from skills_match.store.courses import SkillLink

from .factories import PYTHON, add_provider, course, demand, skill_id


class InterleavingLinker:
    """Finds one skill in any text; the first time it is asked, another writer goes first.

    The linker runs outside the write lock, so this is the moment a concurrent request's
    write can land between our read of the record and our write of it.
    """

    def __init__(self, skill: str, meanwhile: Callable[[], None]) -> None:
        self.skill = skill
        self.meanwhile: Callable[[], None] | None = meanwhile
        self.texts: list[str] = []

    def link(self, texts: Sequence[str]) -> list[list[SkillLink]]:
        """One link per text, its evidence the whole text (to see which text was linked)."""
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            meanwhile()
        self.texts += texts
        return [[SkillLink(self.skill, method="exact", evidence=text)] for text in texts]


def test_concurrent_patches_of_different_fields_of_a_course_both_survive(reference_store):
    store = reference_store
    provider_id = add_provider(store)
    course_id = catalogue.create_course(store, provider_id, course("RACE-1"))

    def other_request() -> None:
        with Store(store.path) as other:
            catalogue.update_course(other, provider_id, course_id, {"places": 3})

    linker = InterleavingLinker(skill_id(store, PYTHON), other_request)
    catalogue.update_course(store, provider_id, course_id, {"title": "Python at work"}, linker)
    saved = store.course(course_id)
    assert (saved["title"], saved["places"]) == ("Python at work", 3)
    # The other write left the text alone, so the links found before the lock were kept.
    assert len(linker.texts) == 1
    assert [s["evidence"] for s in saved["skills"]] == linker.texts


def test_a_concurrent_change_to_the_linked_text_is_merged_and_linked_again(reference_store):
    store = reference_store
    provider_id = add_provider(store)
    course_id = catalogue.create_course(store, provider_id, course("RACE-2"))

    def other_request() -> None:
        with Store(store.path) as other:
            catalogue.update_course(other, provider_id, course_id, {"description": "New words."})

    linker = InterleavingLinker(skill_id(store, PYTHON), other_request)
    catalogue.update_course(store, provider_id, course_id, {"title": "Python at work"}, linker)
    saved = store.course(course_id)
    assert (saved["title"], saved["description"]) == ("Python at work", "New words.")
    # Linked once before the lock, then again on the merged text: the stored links are its.
    assert linker.texts[-1] == "Python at work\nNew words."
    assert [s["evidence"] for s in saved["skills"]] == ["Python at work\nNew words."]


def test_concurrent_patches_of_different_fields_of_a_demand_record_both_survive(
    reference_store,
):
    store = reference_store
    demand_id = catalogue.create_demand(store, demand("RACE-D"))

    def other_request() -> None:
        with Store(store.path) as other:
            catalogue.update_demand(other, demand_id, {"vacancies": 7})

    linker = InterleavingLinker(skill_id(store, PYTHON), other_request)
    catalogue.update_demand(store, demand_id, {"job_title": "Python developer"}, linker)
    saved = store.demand_record_state(demand_id)
    assert (saved["job_title"], saved["vacancies"]) == ("Python developer", 7)


def test_one_ownership_check_403_for_another_providers_course_404_for_none(reference_store):
    store = reference_store
    owner, other = add_provider(store, "10000001"), add_provider(store, "10000002", "Other")
    course_id = catalogue.create_course(store, owner, course("OWN-1"))
    catalogue.check_course_owner(store, course_id, owner)
    with pytest.raises(PermissionDenied):
        catalogue.check_course_owner(store, course_id, other)
    with pytest.raises(NotFound):
        catalogue.check_course_owner(store, 424242, owner)
    # The store's own copy (which answered Conflict, 409) is gone: this is the one check.
    assert not hasattr(Store, "check_course_owner")


def test_the_importers_helpers_the_catalogue_uses_are_public() -> None:
    for name in ("check_references", "course_text", "demand_text", "links_for"):
        assert getattr(catalogue, name) is getattr(importer, name)
        assert getattr(importer, name).__doc__
