"""Announcements in the API: published ones for everyone, drafts too for their district's
coordinators. Read-only: writing goes through the pages and their services."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from platform_app.outreach.models import Announcement


class AnnouncementSerializer(serializers.ModelSerializer[Announcement]):
    district = serializers.CharField(source="district.ubigeo", read_only=True)
    image = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = ("id", "district", "title", "text", "image", "event_date", "published_at")
        read_only_fields = fields

    def get_image(self, obj: Announcement) -> str | None:
        if not obj.image:
            return None
        request = self.context.get("request")
        url = obj.image.url
        return request.build_absolute_uri(url) if request is not None else url


class AnnouncementViewSet(viewsets.ReadOnlyModelViewSet[Announcement]):
    serializer_class = AnnouncementSerializer
    filterset_fields = ("district__ubigeo",)

    def get_queryset(self) -> QuerySet[Announcement]:
        return (
            Announcement.objects.visible_to(self.request.user)
            .select_related("district")
            .order_by("-published_at", "-created_at")
        )
