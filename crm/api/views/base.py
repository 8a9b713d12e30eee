"""The shape every resource shares: reads from a selector, writes through a service."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer


class ServiceViewSet[ModelT: Model](viewsets.GenericViewSet):
    """List and retrieve through `get_queryset` (a selector); create, update and delete call the
    view's `create_object`, `update_object` and `delete_object`, each one service call. Only PATCH
    changes a record: an integration sends what it knows, and the rest stays as it is."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    update_serializer_class: type[BaseSerializer] | None = None

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "partial_update" and self.update_serializer_class is not None:
            return self.update_serializer_class
        return super().get_serializer_class()

    def reread(self, instance: Model) -> Model:
        """The record as a list shows it (annotations and prefetches), after a service changed it."""
        return self.get_queryset().get(pk=instance.pk)

    def respond(self, instance: Model, code: int = status.HTTP_200_OK) -> Response:
        serializer_class = super().get_serializer_class()
        data = serializer_class(self.reread(instance), context=self.get_serializer_context()).data
        return Response(data, status=code)

    # Each subclass that allows the write defines the one service call behind it.
    def create_object(self, data: dict[str, Any]) -> ModelT:
        raise NotImplementedError

    def update_object(self, instance: ModelT, data: dict[str, Any]) -> ModelT:
        raise NotImplementedError

    def delete_object(self, instance: ModelT) -> None:
        raise NotImplementedError


class ListRetrieveMixin(mixins.ListModelMixin, mixins.RetrieveModelMixin):
    pass


class CreateMixin:
    def create(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_object(serializer.validated_data)
        return self.respond(instance, status.HTTP_201_CREATED)


class UpdateMixin:
    def partial_update(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance = self.update_object(instance, dict(serializer.validated_data))
        return self.respond(instance)


class DestroyMixin:
    def destroy(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.delete_object(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def merged(instance: Model, data: dict[str, Any], names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The full set of values a service that takes every field needs: the record's, overlaid by the request's."""
    return {name: data[name] if name in data else getattr(instance, name) for name in names}
