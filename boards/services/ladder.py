"""The priority ladder for boards and areas, and each area's readiness indicators."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from boards.models import (
    AreaReadiness,
    AreaStage,
    Board,
    Engagement,
    Meeting,
    ReadinessChange,
    ReadinessIndicator,
    ReadinessStatus,
    Stage,
    StageChange,
)
from crm.models import LocalArea, User

from ._common import audit_record, audited_update, snapshot


def _check_evidence(
    *,
    board: Board | None,
    area: LocalArea | None,
    evidence_engagement: Engagement | None,
    evidence_meeting: Meeting | None,
    evidence_url: str,
) -> None:
    if evidence_engagement is None and evidence_meeting is None and not evidence_url.strip():
        raise ValidationError(
            {"evidence_engagement": "Give the evidence for this change: an engagement, a meeting decision or a link."}
        )
    if board is not None:
        if evidence_engagement is not None and evidence_engagement.board_id != board.pk:
            raise ValidationError({"evidence_engagement": "Choose an engagement with this board."})
        if evidence_meeting is not None and evidence_meeting.board_id != board.pk:
            raise ValidationError({"evidence_meeting": "Choose a meeting of this board."})
    if area is not None:
        if evidence_engagement is not None and evidence_engagement.area_id != area.pk:
            raise ValidationError({"evidence_engagement": "Choose an engagement in this area."})
        if evidence_meeting is not None and evidence_meeting.board.area_id != area.pk:
            raise ValidationError({"evidence_meeting": "Choose a meeting of a board in this area."})


@transaction.atomic
def stage_change(
    *,
    actor: User | None,
    to_stage: int,
    board: Board | None = None,
    area: LocalArea | None = None,
    evidence_engagement: Engagement | None = None,
    evidence_meeting: Meeting | None = None,
    evidence_url: str = "",
    note: str = "",
) -> StageChange:
    """Move a board or an area on the priority ladder, up or down. Every move needs evidence and is kept."""
    if (board is None) == (area is None):
        raise ValueError("A stage change is for exactly one board or one area.")
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": "Choose a stage on the ladder."})
    _check_evidence(
        board=board,
        area=area,
        evidence_engagement=evidence_engagement,
        evidence_meeting=evidence_meeting,
        evidence_url=evidence_url,
    )
    now = timezone.now()
    if board is not None:
        # Lock the row so two leaders moving the same board at once record a true from-stage.
        board = Board.objects.select_for_update().get(pk=board.pk)
        from_stage = board.stage
        ladder = None
    else:
        ladder, _ = AreaStage.objects.get_or_create(area=area)
        ladder = AreaStage.objects.select_for_update().get(pk=ladder.pk)
        from_stage = ladder.stage
    if from_stage == to_stage:
        raise ValidationError({"to_stage": f"It is already at “{Stage(to_stage).label}”. Choose a different stage."})
    change = StageChange(
        board=board,
        area=area,
        from_stage=from_stage,
        to_stage=to_stage,
        evidence_engagement=evidence_engagement,
        evidence_meeting=evidence_meeting,
        evidence_url=evidence_url.strip(),
        note=note,
        changed_by=actor,
        changed_at=now,
    )
    change.full_clean()
    change.save()
    target: Board | LocalArea
    if board is not None:
        board.stage = to_stage
        board.stage_changed_at = now
        board.save(update_fields=["stage", "stage_changed_at", "updated_at"])
        target = board
    else:
        # No board, so it is the area's move, and its ladder row was locked above.
        ladder = cast(AreaStage, ladder)
        ladder.stage = to_stage
        ladder.changed_at = now
        ladder.save(update_fields=["stage", "changed_at"])
        target = cast(LocalArea, area)
    audit_record(
        actor=actor,
        action="update",
        target=target,
        changes={"priority stage": [Stage(from_stage).label, Stage(to_stage).label]},
    )
    return change


@transaction.atomic
def readiness_update(
    *,
    actor: User | None,
    area: LocalArea,
    indicator: ReadinessIndicator,
    status: str,
    evidence: str = "",
    evidence_url: str = "",
) -> AreaReadiness:
    """Set an area's status on one indicator, keeping the history. "In place" needs evidence."""
    if status not in ReadinessStatus.values:
        raise ValidationError({"status": "Choose a status."})
    if status == ReadinessStatus.IN_PLACE and not (evidence.strip() or evidence_url.strip()):
        raise ValidationError({"evidence": "Say what shows this is in place, or give a link to it."})
    readiness, _ = AreaReadiness.objects.get_or_create(area=area, indicator=indicator)
    readiness = AreaReadiness.objects.select_for_update().get(pk=readiness.pk)
    from_status = readiness.status
    if from_status == status and readiness.evidence == evidence and readiness.evidence_url == evidence_url:
        return readiness
    now = timezone.now()
    readiness.status = status
    readiness.evidence = evidence
    readiness.evidence_url = evidence_url
    readiness.updated_by = actor
    readiness.updated_at = now
    readiness.full_clean()
    readiness.save()
    ReadinessChange.objects.create(
        readiness=readiness,
        from_status=from_status,
        to_status=status,
        evidence=evidence,
        evidence_url=evidence_url,
        changed_by=actor,
        changed_at=now,
    )
    audit_record(
        actor=actor,
        action="update",
        target=readiness,
        changes={"status": [ReadinessStatus(from_status).label, ReadinessStatus(status).label]},
    )
    return readiness


@transaction.atomic
def indicator_create(
    *, actor: User | None, name: str, description: str = "", position: int = 0, is_active: bool = True
) -> ReadinessIndicator:
    indicator = ReadinessIndicator(name=name.strip(), description=description, position=position, is_active=is_active)
    indicator.full_clean()
    indicator.save()
    audit_record(actor=actor, action="create", target=indicator, changes=snapshot(indicator))
    return indicator


@transaction.atomic
def indicator_update(
    *, actor: User | None, indicator: ReadinessIndicator, name: str, description: str, position: int, is_active: bool
) -> ReadinessIndicator:
    audited_update(
        actor=actor,
        instance=indicator,
        fields={"name": name.strip(), "description": description, "position": position, "is_active": is_active},
    )
    return indicator
