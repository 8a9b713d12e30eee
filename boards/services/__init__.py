"""Writes for boards and engagement. Import from here; each module is one area of use cases."""

from .boards import board_create, board_follow, board_unfollow, board_update, membership_add, membership_update
from .calendar import (
    calendar_feed_regenerate,
    calendar_feed_revoke,
    calendar_feed_touch,
    feed_token_hash,
    preference_update,
)
from .commitments import commitment_create, commitment_set_status, commitment_update
from .engagements import engagement_create, engagement_delete, engagement_update
from .ladder import indicator_create, indicator_update, readiness_update, stage_change
from .meetings import meeting_create, meeting_delete, meeting_update
from .people import assessment_record, champion_create, champion_update

__all__ = [
    "assessment_record",
    "board_create",
    "board_follow",
    "board_unfollow",
    "board_update",
    "calendar_feed_regenerate",
    "calendar_feed_revoke",
    "calendar_feed_touch",
    "champion_create",
    "champion_update",
    "commitment_create",
    "commitment_set_status",
    "commitment_update",
    "engagement_create",
    "engagement_delete",
    "engagement_update",
    "feed_token_hash",
    "indicator_create",
    "indicator_update",
    "meeting_create",
    "meeting_delete",
    "meeting_update",
    "membership_add",
    "membership_update",
    "preference_update",
    "readiness_update",
    "stage_change",
]
