"""Boards, their members, and who follows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from boards.models import Board, BoardFollow, BoardMembership
from crm.models import Contact, LocalArea, TimelineEntry, User
from crm.services.timeline import timeline_record, timeline_remove

from ._common import audit_record, audited_update, snapshot


@transaction.atomic
def board_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    area: LocalArea,
    cadence: str = Board.Cadence.QUARTERLY,
    chair: Contact | None = None,
    secretariat: Contact | None = None,
    website: str = "",
    owner: User | None = None,
) -> Board:
    board = Board(
        name=name.strip(),
        kind=kind,
        area=area,
        cadence=cadence,
        chair=chair,
        secretariat=secretariat,
        website=website,
        owner=owner,
    )
    board.full_clean()
    board.save()
    audit_record(actor=actor, action="create", target=board, changes=snapshot(board))
    if owner is not None:
        # Owners follow their boards, so their meetings land in the owner's calendar without a second step.
        board_follow(user=owner, board=board)
    return board


@transaction.atomic
def board_update(*, actor: User | None, board: Board, **fields: Any) -> Board:
    if "stage" in fields:
        raise ValueError("Move a board on the ladder with stage_change, which records the evidence.")
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    audited_update(actor=actor, instance=board, fields=fields)
    if board.owner is not None:
        board_follow(user=board.owner, board=board)
    return board


def board_follow(*, user: User, board: Board) -> BoardFollow:
    # The unique constraint makes a double click (or two tabs) harmless.
    follow, _ = BoardFollow.objects.get_or_create(user=user, board=board)
    return follow


def board_unfollow(*, user: User, board: Board) -> None:
    BoardFollow.objects.filter(user=user, board=board).delete()


def _membership_timeline(membership: BoardMembership, actor: User | None) -> None:
    source = f"boards.membership:{membership.pk}"
    timeline_remove(source)
    term = ""
    if membership.start_date:
        term = f" from {membership.start_date:%d/%m/%Y}"
    if membership.end_date:
        term += f" until {membership.end_date:%d/%m/%Y}"
    timeline_record(
        kind=TimelineEntry.Kind.MEMBERSHIP,
        summary=f"{membership.get_seat_display()} of {membership.board.name}{term}",
        contact=membership.contact,
        url=membership.board.get_absolute_url(),
        actor=actor,
        source=source,
    )


@transaction.atomic
def membership_add(
    *,
    actor: User | None,
    board: Board,
    contact: Contact,
    seat: str,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> BoardMembership:
    membership = BoardMembership(board=board, contact=contact, seat=seat, start_date=start_date, end_date=end_date)
    membership.full_clean()
    membership.save()
    audit_record(actor=actor, action="create", target=membership, changes=snapshot(membership))
    _membership_timeline(membership, actor)
    return membership


@transaction.atomic
def membership_update(*, actor: User | None, membership: BoardMembership, **fields: Any) -> BoardMembership:
    audited_update(actor=actor, instance=membership, fields=fields)
    _membership_timeline(membership, actor)
    return membership
