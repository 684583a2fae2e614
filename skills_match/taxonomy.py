"""The four-level digital skills taxonomy: the level rule, human overrides and the build.

No published source gives ESCO's digital skills a level (ESCO's digital flag is binary), so
skills-match assigns essential / general / specialist / fusion with the rule below, written
once here and tested clause by clause. It reads only ESCO's own metadata, held per skill in
the ``skills`` table, plus one statistic from ``occupation_skills``: the ISCO major groups of
the non-ICT occupations that require the skill. Clauses are tried in order; the first that
applies decides, and its reason is stored in ``skills.level_reason``.

R1  Not in ESCO's digital collection, not a DigComp concept and not an Essential Digital
    Skills (EDS) area -> no level (not a digital skill).
R2  An EDS area (2018 framework or 2019 national standards) -> essential.
R3  A DigComp concept, unless it is ICT-development knowledge (K0612/K0613/K0619)
    -> essential: DigComp is the citizen's digital competence framework.
R4  An ESCO transversal skill (reuse level "transversal" or in the transversal collection)
    that an EDS area names as its ESCO equivalent -> essential: ESCO says every kind of job
    and life needs it, and it is inside the UK's essential skills standard. A transversal
    skill outside that standard (e.g. "apply basic programming skills") goes on to R5-R14.
R5  At least half of the occupations requiring it are ICT occupations (ISCO-08 25, 35)
    -> specialist.
R6  In an ICT-craft group (knowledge K0612 databases and networks, K0613 software
    development, K0619 ICT n.e.c.; skills S5.1 programming, S5.2.1 setting up computer
    systems, S5.2.2 protecting ICT devices, S1.11.1 designing ICT systems) and at least a
    fifth of the occupations requiring it are ICT occupations -> specialist.
R7  Sector-specific or occupation-specific (ESCO reuse level) -> fusion: a digital skill
    that belongs to particular, mostly non-ICT, sectors or occupations.
R8  Required by non-ICT occupations in at least 7 of the 9 civilian ISCO major groups
    -> general: needed across nearly every kind of work.
R9  In ESCO's transversal group T1.3 "working with digital devices and applications" (by
    hierarchy code or, for skills that have none, by broader group) -> general.
R10 Knowledge filed under a non-ICT field of study (an ISCED-F knowledge code outside K06,
    e.g. K0914 medical technology, K0414 marketing) -> fusion.
R11 A digital tool of a trade (S5.6.3 CAD and drawing, S5.6.4 sound and image processing,
    S5.7 machine control, S6-S8 materials, construction and machinery) -> fusion.
R12 Required by non-ICT occupations in at least 5 ISCO major groups -> general.
R13 Required by non-ICT occupations in fewer than 5 ISCO major groups -> fusion: used inside
    a few kinds of work.
R14 No occupation evidence and nothing above applies -> undecided; the level classifier
    (``skills_match.levels``) assigns the level (level_source 'model').

R8, R12 and R13 need the occupation statistic; without it they are skipped. Human
corrections (``level_overrides``) win over the rule and the model and survive a rebuild:
:func:`build_taxonomy` applies rule -> model -> overrides every time.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InvalidInput, NotFound
from .schemas import LEVELS
from .store import Store

log = logging.getLogger(__name__)

RULE_VERSION = "2"
EDS_SOURCES = ("eds-2018", "eds-2019")
ICT_ISCO_PREFIXES = ("25", "35")  # ISCO-08 ICT professionals and ICT technicians
CIVILIAN_MAJOR_GROUPS = frozenset("123456789")  # ISCO major group 0 is the armed forces

SPECIALIST_ICT_SHARE = 0.5
CRAFT_ICT_SHARE = 0.2
BROAD_MAJOR_GROUPS = 7
GENERAL_MAJOR_GROUPS = 5

ICT_DEVELOPMENT_KNOWLEDGE = ("K0612", "K0613", "K0619")
ICT_CRAFT_GROUPS = (*ICT_DEVELOPMENT_KNOWLEDGE, "S5.1", "S5.2.1", "S5.2.2", "S1.11.1")
TRADE_TOOL_GROUPS = ("S5.6.3", "S5.6.4", "S5.7", "S6.", "S7.", "S8.")
DIGITAL_DEVICES_GROUP = "T1.3"
DIGITAL_DEVICES_LABEL = "working with digital devices and applications"

CLAUSES: tuple[tuple[str, str], ...] = (
    ("R1", "not ESCO-digital, not DigComp, not an EDS area -> no level"),
    ("R2", "Essential Digital Skills area -> essential"),
    ("R3", "DigComp concept (not ICT-development knowledge) -> essential"),
    ("R4", "ESCO transversal skill inside the EDS standard -> essential"),
    ("R5", ">= 50% of requiring occupations are ICT (ISCO 25/35) -> specialist"),
    ("R6", "ICT-craft group and >= 20% ICT occupations -> specialist"),
    ("R7", "sector- or occupation-specific (ESCO reuse level) -> fusion"),
    ("R8", "non-ICT occupations in >= 7 of 9 ISCO major groups -> general"),
    ("R9", "ESCO T1.3 'working with digital devices and applications' -> general"),
    ("R10", "knowledge of a non-ICT field (ISCED-F code outside K06) -> fusion"),
    ("R11", "digital tool of a trade (CAD, media, machine control, equipment) -> fusion"),
    ("R12", "non-ICT occupations in >= 5 ISCO major groups -> general"),
    ("R13", "non-ICT occupations in < 5 ISCO major groups -> fusion"),
    ("R14", "no evidence -> undecided (level classifier)"),
)


@dataclass(frozen=True)
class OccupationStats:
    """What ``occupation_skills`` says about one skill beyond the counts on its row."""

    non_ict_major_groups: frozenset[str] = frozenset()

    @property
    def civilian_groups(self) -> frozenset[str]:
        """Civilian ISCO major groups (1-9) of the non-ICT occupations requiring the skill."""
        return self.non_ict_major_groups & CIVILIAN_MAJOR_GROUPS


@dataclass(frozen=True)
class LevelDecision:
    """The rule's verdict on one skill: a level (or None), the clause and why."""

    level: str | None
    clause: str
    reason: str

    @property
    def undecided(self) -> bool:
        """A digital skill the rule leaves to the classifier."""
        return self.clause == "R14"


def _codes(value: str | None) -> set[str]:
    return {c.strip() for c in (value or "").split("|") if c.strip()}


def _in_groups(codes: set[str], prefixes: Iterable[str]) -> list[str]:
    prefixes = tuple(prefixes)
    return sorted(c for c in codes if c.startswith(prefixes))


def is_levelled(skill: Mapping[str, Any]) -> bool:
    """Whether a skill belongs to the digital taxonomy (and so gets a level)."""
    return bool(
        skill.get("is_digital") or skill.get("in_digcomp") or skill.get("source") in EDS_SOURCES
    )


def rule_level(skill: Mapping[str, Any], stats: OccupationStats | None = None) -> LevelDecision:
    """Apply the written rule (R1-R14, see the module docstring) to one skill row.

    ``skill`` is a row of the ``skills`` table (a mapping); ``stats`` adds the ISCO major
    groups of the non-ICT occupations that require it. Pure: no database, no model.

    >>> rule_level({"source": "eds-2018", "is_digital": 1}).level
    'essential'
    """
    if not is_levelled(skill):
        return LevelDecision(None, "R1", "R1: not a digital skill (no level)")
    if skill.get("source") in EDS_SOURCES:
        return LevelDecision("essential", "R2", "R2: Essential Digital Skills area → essential")
    codes = _codes(skill.get("hierarchy_codes"))
    ict_knowledge = _in_groups(codes, ICT_DEVELOPMENT_KNOWLEDGE)
    if skill.get("in_digcomp") and not ict_knowledge:
        return LevelDecision("essential", "R3", "R3: DigComp concept → essential")
    transversal = skill.get("reuse_level") == "transversal" or skill.get("is_transversal")
    if transversal and skill.get("in_eds"):
        return LevelDecision(
            "essential", "R4", "R4: ESCO transversal skill inside the EDS standard → essential"
        )

    ict = int(skill.get("ict_occupations") or 0)
    non_ict = int(skill.get("non_ict_occupations") or 0)
    total = ict + non_ict
    share = ict / total if total else 0.0
    if total and share >= SPECIALIST_ICT_SHARE:
        return LevelDecision(
            "specialist",
            "R5",
            f"R5: {ict} of {total} occupations requiring it are ICT occupations "
            "(ISCO 25/35) → specialist",
        )
    craft = _in_groups(codes, ICT_CRAFT_GROUPS)
    if craft and total and share >= CRAFT_ICT_SHARE:
        return LevelDecision(
            "specialist",
            "R6",
            f"R6: ICT-craft group {', '.join(craft)} and {ict} of {total} occupations are "
            "ICT occupations → specialist",
        )
    reuse = skill.get("reuse_level")
    if reuse in ("sector-specific", "occupation-specific"):
        return LevelDecision("fusion", "R7", f"R7: {reuse} digital skill → fusion")

    groups = stats.civilian_groups if stats is not None else None
    if groups is not None and len(groups) >= BROAD_MAJOR_GROUPS:
        return LevelDecision(
            "general",
            "R8",
            f"R8: required by non-ICT occupations in {len(groups)} of 9 ISCO major groups "
            "→ general",
        )
    broader = {b.strip() for b in (skill.get("broader_labels") or "").split("|")}
    if DIGITAL_DEVICES_GROUP in codes or DIGITAL_DEVICES_LABEL in broader:
        return LevelDecision(
            "general",
            "R9",
            "R9: ESCO T1.3 'working with digital devices and applications' → general",
        )
    fields_ = sorted(c for c in codes if c.startswith("K") and not c.startswith("K06"))
    if skill.get("skill_type") == "knowledge" and fields_:
        return LevelDecision(
            "fusion", "R10", f"R10: knowledge of a non-ICT field ({', '.join(fields_)}) → fusion"
        )
    tools = _in_groups(codes, TRADE_TOOL_GROUPS)
    if tools:
        return LevelDecision(
            "fusion", "R11", f"R11: digital tool of a trade ({', '.join(tools)}) → fusion"
        )
    if groups:
        if len(groups) >= GENERAL_MAJOR_GROUPS:
            return LevelDecision(
                "general",
                "R12",
                f"R12: required by non-ICT occupations in {len(groups)} ISCO major groups "
                "→ general",
            )
        return LevelDecision(
            "fusion",
            "R13",
            f"R13: required by non-ICT occupations in only {len(groups)} ISCO major "
            f"group(s) ({''.join(sorted(groups))}) → fusion",
        )
    return LevelDecision(None, "R14", "R14: no occupation evidence → undecided")


# -- building the levels in the store ----------------------------------------------------


@dataclass
class TaxonomyReport:
    """What a build did: levels by source, rule clauses used, overrides applied."""

    levels: Counter[tuple[str, str]] = field(default_factory=Counter)  # (level, source)
    clauses: Counter[str] = field(default_factory=Counter)
    undecided: int = 0
    unlevelled: int = 0  # undecided skills left without a level (no model available)
    overrides: int = 0
    changed: int = 0

    @property
    def total(self) -> int:
        """How many skills have a level."""
        return sum(self.levels.values())

    def table(self) -> str:
        """The level distribution as a Markdown table: count per level and per source."""
        sources = ("rule", "model", "override")
        lines = [
            "| level | skills | share | rule | model | override |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        total = self.total or 1
        for level in LEVELS:
            per = [self.levels[(level, s)] for s in sources]
            n = sum(per)
            lines.append(
                f"| {level} | {n:,} | {100 * n / total:.1f}% | " + " | ".join(map(str, per)) + " |"
            )
        per = [sum(v for (_, s), v in self.levels.items() if s == src) for src in sources]
        lines.append(f"| **all** | {self.total:,} | 100% | " + " | ".join(map(str, per)) + " |")
        return "\n".join(lines)

    def clause_table(self) -> str:
        """How many skills each rule clause decided, as a Markdown table."""
        lines = ["| clause | rule | skills |", "|---|---|---:|"]
        for clause, text in CLAUSES:
            if clause != "R1":
                lines.append(f"| {clause} | {text} | {self.clauses.get(clause, 0):,} |")
        return "\n".join(lines)


Classifier = Callable[[list[str]], list[str]]


def occupation_stats(
    store: Store, skill_ids: Iterable[str] | None = None
) -> dict[str, OccupationStats]:
    """Per skill: the ISCO major groups of the non-ICT occupations that require it."""
    groups = store.skill_non_ict_major_groups(ICT_ISCO_PREFIXES, skill_ids)
    return {sid: OccupationStats(frozenset(g)) for sid, g in groups.items()}


def _default_classifier(models_dir: str | Path | None) -> Classifier | None:
    from .levels import load_level_classifier

    try:
        model = load_level_classifier(models_dir)
    except NotFound:
        return None
    return lambda texts: list(model.predict(texts))


Decisions = dict[str, tuple[str | None, str | None, str | None]]  # id -> level, source, why


def _decide(
    rows: list[dict[str, Any]],
    stats: Mapping[str, OccupationStats],
    overridden: set[str],
    classifier: Classifier | str | None,
    models_dir: str | Path | None,
    report: TaxonomyReport,
) -> Decisions:
    """Rule, then the classifier for undecided skills (overridden ones need no prediction)."""
    decisions: Decisions = {}
    undecided: list[dict[str, Any]] = []
    for row in rows:
        decision = rule_level(row, stats.get(row["id"], OccupationStats()))
        if decision.clause != "R1":
            report.clauses[decision.clause] += 1
        if decision.undecided:
            undecided.append(row)
        source = "rule" if decision.level else None
        decisions[row["id"]] = (decision.level, source, decision.reason if source else None)
    report.undecided = len(undecided)
    # Only load the model (and the embedding model behind it) when the rule needs it.
    todo = [r for r in undecided if r["id"] not in overridden]
    if todo:
        predict = _default_classifier(models_dir) if classifier == "auto" else classifier
        if predict is None:
            report.unlevelled = len(todo)
            log.warning("%d digital skill(s) left unlevelled: no level model found.", len(todo))
        else:
            levels = predict([r["label"] for r in todo])
            for row, level in zip(todo, levels, strict=True):
                decisions[row["id"]] = (
                    level,
                    "model",
                    f"model: level classifier on the label (rule R14: no occupation evidence) "
                    f"→ {level}",
                )
    return decisions


def _with_overrides(
    decisions: Decisions, overrides: Mapping[str, Mapping[str, Any]], report: TaxonomyReport
) -> list[tuple[str | None, str | None, str | None, str]]:
    """Overrides win; return (level, source, reason, id) rows and count the distribution."""
    final = dict(decisions)
    for skill_id, o in overrides.items():
        if skill_id in final:
            final[skill_id] = (o["level"], "override", _override_reason(o))
            report.overrides += 1
    updates = []
    for skill_id, (level, source, reason) in final.items():
        if level:
            report.levels[(level, source or "rule")] += 1
        updates.append((level, source, reason, skill_id))
    return updates


def _override_reason(override: Mapping[str, Any]) -> str:
    why = f": {override['reason']}" if override.get("reason") else ""
    return f"override by {override['changed_by']} on {override['changed_at'][:10]}{why}"


def build_taxonomy(
    store: Store,
    classifier: Classifier | str | None = "auto",
    models_dir: str | Path | None = None,
) -> TaxonomyReport:
    """Level every skill: rule, then the classifier for undecided ones, then overrides.

    Idempotent: running it twice leaves the same levels. ``classifier`` is a function from
    labels to levels, ``None`` (leave undecided skills unlevelled) or ``"auto"`` (load the
    committed model from ``models_dir`` only if some skill needs it).

    >>> report = build_taxonomy(store)
    >>> print(report.table())
    """
    rows = store.skills_for_levelling()
    stats = occupation_stats(store)
    overridden = {o["skill_id"] for o in store.level_overrides()}
    report = TaxonomyReport()
    decisions = _decide(rows, stats, overridden, classifier, models_dir, report)
    with store.write():
        # Read overrides again under the write lock: one set meanwhile must still win.
        overrides = {o["skill_id"]: o for o in store.level_overrides()}
        report.changed = store.set_skill_levels(_with_overrides(decisions, overrides, report))
    return report


def _relevel(
    store: Store, skill_id: str, classifier: Classifier | str | None, models_dir: str | Path | None
) -> Decisions:
    rows = store.skills_for_levelling([skill_id])
    if not rows:
        raise NotFound(f"No skill with id {skill_id!r}.")
    stats = occupation_stats(store, [skill_id])
    return _decide(rows, stats, set(), classifier, models_dir, TaxonomyReport())


def relevel_skill(
    store: Store,
    skill_id: str,
    classifier: Classifier | str | None = "auto",
    models_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Recompute one skill's level by rule, model and override; return the skill."""
    decisions = _relevel(store, skill_id, classifier, models_dir)
    with store.write():
        override = store.level_override(skill_id)
        overrides = {skill_id: override} if override else {}
        store.set_skill_levels(_with_overrides(decisions, overrides, TaxonomyReport()))
    return store.skill(skill_id) or {}


# -- overrides -----------------------------------------------------------------------------

MAX_REASON = 500
MAX_NAME = 100


def set_override(
    store: Store, skill_id: str, level: str, changed_by: str, reason: str = ""
) -> dict[str, Any]:
    """Record a human correction of a skill's level and apply it at once; return the override.

    Bad input raises :class:`InvalidInput` (or :class:`NotFound` for an unknown skill) and
    changes nothing.
    """
    errors: dict[str, list[str]] = {}
    level = (level or "").strip().lower()
    if level not in LEVELS:
        errors["level"] = [f"Must be one of: {', '.join(LEVELS)}."]
    changed_by = (changed_by or "").strip()
    if not changed_by:
        errors["changed_by"] = ["Say who is making the change."]
    elif len(changed_by) > MAX_NAME:
        errors["changed_by"] = [f"At most {MAX_NAME} characters."]
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        errors["reason"] = [f"At most {MAX_REASON} characters."]
    if errors:
        raise InvalidInput("The level override is invalid.", errors)
    with store.write():
        if store.skill(skill_id) is None:
            raise NotFound(f"No skill with id {skill_id!r}.")
        override = store.put_level_override(skill_id, level, reason, changed_by)
        store.set_skill_levels([(level, "override", _override_reason(override), skill_id)])
        store.audit(changed_by, "set-level", "ok", target=f"skill:{skill_id}={level}")
    return override


def remove_override(
    store: Store,
    skill_id: str,
    changed_by: str = "cli",
    classifier: Classifier | str | None = "auto",
    models_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Delete a skill's override and give it back its rule (or model) level; return the skill.

    Raises :class:`NotFound` (and changes nothing) if the skill has no override.
    """
    if store.level_override(skill_id) is None:
        raise NotFound(f"Skill {skill_id!r} has no level override.")
    # Decide the level first (this may load the model), then swap it in one transaction.
    decisions = _relevel(store, skill_id, classifier, models_dir)
    with store.write():
        if not store.delete_level_override(skill_id):
            raise NotFound(f"Skill {skill_id!r} has no level override.")
        store.set_skill_levels(_with_overrides(decisions, {}, TaxonomyReport()))
        store.audit(changed_by, "clear-level", "ok", target=f"skill:{skill_id}")
    return store.skill(skill_id) or {}


def list_overrides(store: Store) -> list[dict[str, Any]]:
    """Every human level correction, newest first, with the skill's label."""
    return store.level_overrides()
