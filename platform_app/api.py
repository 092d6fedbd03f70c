"""REST API of platform_app: districts and sectors (public, read-only)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from platform_app.models import District, Sector


class SectorSerializer(serializers.ModelSerializer[Sector]):
    district = serializers.SlugRelatedField(slug_field="ubigeo", read_only=True)

    class Meta:
        model = Sector
        fields = ("id", "district", "number", "name", "area_m2", "boundary")


class SectorSummarySerializer(serializers.ModelSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ("number", "name")


class DistrictSerializer(serializers.ModelSerializer[District]):
    sectors = SectorSummarySerializer(many=True, read_only=True)

    class Meta:
        model = District
        fields = ("ubigeo", "name", "slug", "centre_lat", "centre_lon", "area_m2", "sectors")


class DistrictDetailSerializer(DistrictSerializer):
    class Meta(DistrictSerializer.Meta):
        fields = (*DistrictSerializer.Meta.fields, "boundary")


class DistrictViewSet(viewsets.ReadOnlyModelViewSet[District]):
    """The 43 districts of Lima; the detail carries the boundary as GeoJSON."""

    lookup_field = "ubigeo"
    filterset_fields = ("ubigeo", "slug")
    search_fields = ("name",)
    ordering_fields = ("name", "ubigeo")

    def get_queryset(self) -> QuerySet[District]:
        return District.objects.prefetch_related("sectors").order_by("ubigeo")

    def get_serializer_class(self) -> type[DistrictSerializer]:
        return DistrictDetailSerializer if self.action == "retrieve" else DistrictSerializer


class SectorViewSet(viewsets.ReadOnlyModelViewSet[Sector]):
    serializer_class = SectorSerializer
    filterset_fields = ("district__ubigeo", "number")
    ordering_fields = ("number",)

    def get_queryset(self) -> QuerySet[Sector]:
        return Sector.objects.select_related("district").order_by("district__ubigeo", "number")
