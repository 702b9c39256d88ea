"""The roadmap section of a consortium's data file: phases, governance, commitments, plans,
lessons (the file format is in ``data/README.md``; :mod:`datafiles.loader` reads the rest)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from roadmaps.models import (
    Commitment,
    GovernanceBody,
    GovernanceRole,
    Lesson,
    Phase,
    PlanTarget,
    ThreeYearPlan,
)


def load_roadmap(loader, entry: Any, consortium) -> None:
    """Upsert the roadmap section into ``consortium``, through the file's ``loader``.

    ``loader`` is :mod:`datafiles.loader`'s: it reads and checks each entry (``mapping``,
    ``items``, ``date``, ``city``) and writes a row only when a value differs (``sync``,
    told the ``source`` entry so a problem points at its line), naming the entry in any
    problem it finds.
    """
    if entry is None:
        return
    keys = {"phases", "governance", "commitments", "plans", "lessons"}
    entry = loader.mapping(entry, "roadmap", keys)
    for index, phase in enumerate(loader.items(entry.get("phases"), "roadmap.phases")):
        label = f"roadmap.phases[{index}]"
        keys = {"number", "name", "start", "end", "summary", "measured_stage"}
        phase = loader.mapping(phase, label, keys, required=["number", "name", "start", "end"])
        loader.once(_("phase number"), phase["number"], label, (phase, "number"))
        loader.sync(
            Phase,
            label,
            {"consortium": consortium, "number": phase["number"]},
            {
                "name": phase["name"],
                "start": loader.date(phase, "start", label),
                "end": loader.date(phase, "end", label),
                "summary": phase.get("summary") or "",
                "measured_stage": phase.get("measured_stage") or "",
            },
            source=phase,
        )
    governance = loader.items(entry.get("governance"), "roadmap.governance")
    for position, body in enumerate(governance):
        label = f"roadmap.governance[{position}]"
        keys = {"name", "level", "city", "purpose", "members"}
        body = loader.mapping(body, label, keys, required=["name", "level"])
        city = loader.city(body["city"], label, (body, "city")) if body.get("city") else None
        where = f"{body['name']} ({city.slug if city else _('consortium')})"
        loader.once(_("governance body"), where, label, (body, "name"))
        governance_body = loader.sync(
            GovernanceBody,
            label,
            {"consortium": consortium, "name": body["name"], "city": city},
            {
                "level": body["level"],
                "purpose": body.get("purpose") or "",
                "position": position,
            },
            source=body,
        )
        for role_position, role in enumerate(loader.items(body.get("members"), label)):
            role_label = f"{label}.members[{role_position}]"
            role = loader.mapping(role, role_label, {"role", "group"}, required=["role"])
            loader.sync(
                GovernanceRole,
                role_label,
                {"body": governance_body, "position": role_position},
                {"role": role["role"], "group": role.get("group") or ""},
                source=role,
            )
    commitments = loader.items(entry.get("commitments"), "roadmap.commitments")
    for position, commitment in enumerate(commitments):
        label = f"roadmap.commitments[{position}]"
        keys = {"kind", "country", "city", "text"}
        commitment = loader.mapping(commitment, label, keys, required=["kind", "text"])
        loader.sync(
            Commitment,
            label,
            {"consortium": consortium, "position": position},
            {
                "kind": commitment["kind"],
                "country": commitment.get("country") or "",
                "city": (
                    loader.city(commitment["city"], label, (commitment, "city"))
                    if commitment.get("city")
                    else None
                ),
                "text": commitment["text"],
            },
            source=commitment,
        )
    for index, plan in enumerate(loader.items(entry.get("plans"), "roadmap.plans")):
        label = f"roadmap.plans[{index}]"
        keys = {"city", "ambition", "steps", "targets"}
        plan = loader.mapping(plan, label, keys, required=["city", "ambition"])
        loader.once(_("three-year plan of city"), plan["city"], label, (plan, "city"))
        three_year_plan = loader.sync(
            ThreeYearPlan,
            label,
            {"consortium": consortium, "city": loader.city(plan["city"], label, (plan, "city"))},
            {"ambition": plan["ambition"], "steps": plan.get("steps") or ""},
            source=plan,
        )
        for target_index, target in enumerate(loader.items(plan.get("targets"), label)):
            target_label = f"{label}.targets[{target_index}]"
            keys = {"number", "category", "commitment"}
            target = loader.mapping(target, target_label, keys, required=["number", "category"])
            within = _("the plan of %(city)s") % {"city": plan["city"]}
            loader.once(
                _("target number"), target["number"], target_label, (target, "number"), within
            )
            loader.sync(
                PlanTarget,
                target_label,
                {"plan": three_year_plan, "number": target["number"]},
                {"category": target["category"], "commitment": target.get("commitment") or ""},
                source=target,
            )
    for index, lesson in enumerate(loader.items(entry.get("lessons"), "roadmap.lessons")):
        label = f"roadmap.lessons[{index}]"
        lesson = loader.mapping(lesson, label, {"number", "text"}, required=["number", "text"])
        loader.once(_("lesson number"), lesson["number"], label, (lesson, "number"))
        loader.sync(
            Lesson,
            label,
            {"consortium": consortium, "number": lesson["number"]},
            {"text": lesson["text"]},
            source=lesson,
        )
