"""The OpenAPI schema: every operation documents the one error shape the exception handler returns."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field name; `non_field_errors` for the request as a whole.",
    )


ERRORS = {
    "400": "The request was not valid: see `errors` for each field.",
    "401": "No token or session, or the token is not valid or has been revoked.",
    "403": "Your role does not allow this.",
    "404": "There is nothing here with that number.",
    "429": "Too many requests with this token: wait and try again.",
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        bodies = super()._get_response_bodies(direction)
        error = self._get_response_for_code(OpenApiResponse(response=ErrorSerializer), "400", direction=direction)
        for code, description in ERRORS.items():
            if code in bodies:
                continue
            if code == "404" and not self._is_detail():
                continue
            if code == "400" and self.method == "GET" and not self._is_list_view() and not self._is_detail():
                continue
            bodies[code] = {**error, "description": description}
        return bodies

    def _is_detail(self) -> bool:
        return "{id}" in self.path or "{pk}" in self.path
