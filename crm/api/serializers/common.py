from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.models import User


@extend_schema_field({"type": "array", "items": {"type": "string", "maxLength": 80}})
class TagNamesField(serializers.Field):
    """Tags by name, as a person types them; unknown names become new tags (see tags_from_names)."""

    def to_representation(self, value: Any) -> list[str]:
        return [tag.name for tag in value.all()]

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            raise serializers.ValidationError("Give the tags as a list of names.")
        names = [" ".join(item.split()) for item in data]
        if any(len(name) > 80 for name in names):
            raise serializers.ValidationError("Keep each tag to 80 characters.")
        if any("\x00" in name for name in names):
            raise serializers.ValidationError("A tag cannot contain a null character.")
        return [name for name in names if name]


def active_users() -> Any:
    return User.objects.filter(is_active=True)


def web_url(serializer: serializers.Serializer, obj: Any) -> str:
    request = serializer.context.get("request")
    path = obj.get_absolute_url()
    return request.build_absolute_uri(path) if request is not None else path


class UtcDateTimeField(serializers.DateTimeField):
    """Times go out in UTC ("…Z"), as they are stored: an integration converts to its own zone, and
    no reader has to make sense of historic local offsets."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(**kwargs)


class ApiModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UtcDateTimeField,
    }
