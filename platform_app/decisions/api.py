"""REST API of shared decisions, read-only: polls (public) and votes (the district's
members), each with its results. Neither says who voted or answered what; answering and
voting go through the pages, whose services the API would call the same way."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from rest_framework import permissions, serializers, viewsets

from platform_app.decisions.models import Poll, PollOption, Vote, VoteOption
from platform_app.decisions.results import poll_results, vote_results
from platform_app.models import District, Sector


class PollOptionSerializer(serializers.ModelSerializer[PollOption]):
    sector: serializers.SlugRelatedField[Sector] = serializers.SlugRelatedField(
        slug_field="number", read_only=True
    )
    answers = serializers.IntegerField(source="answer_count", read_only=True)

    class Meta:
        model = PollOption
        fields = ("id", "label", "sector", "place_url", "answers")


class PollSerializer(serializers.ModelSerializer[Poll]):
    district: serializers.SlugRelatedField[District] = serializers.SlugRelatedField(
        slug_field="ubigeo", read_only=True
    )
    options = PollOptionSerializer(many=True, read_only=True)

    class Meta:
        model = Poll
        fields: tuple[str, ...] = (
            "id",
            "district",
            "title",
            "question",
            "decision",
            "status",
            "created_at",
            "closed_at",
            "options",
        )


class SectorCountsSerializer(serializers.Serializer[Any]):
    sector = serializers.CharField(source="label")
    counts = serializers.ListField(child=serializers.IntegerField())


class PollDetailSerializer(PollSerializer):
    by_resident_sector = serializers.SerializerMethodField()

    class Meta(PollSerializer.Meta):
        fields: tuple[str, ...] = (*PollSerializer.Meta.fields, "by_resident_sector")

    def get_by_resident_sector(self, poll: Poll) -> list[dict[str, Any]]:
        """Answers by the sector where residents live; ``counts`` follow ``options``."""
        rows = poll_results(poll).by_resident_sector
        return list(SectorCountsSerializer(rows, many=True).data)


class PollViewSet(viewsets.ReadOnlyModelViewSet[Poll]):
    """The districts' public polls and their results (no personal data)."""

    filterset_fields = ("status",)

    def get_queryset(self) -> QuerySet[Poll]:
        options = PollOption.objects.select_related("sector").annotate(
            answer_count=Count("answers")
        )
        return (
            Poll.objects.select_related("district")
            .prefetch_related(Prefetch("options", queryset=options))
            .order_by("-created_at", "pk")
        )

    def get_serializer_class(self) -> type[PollSerializer]:
        return PollDetailSerializer if self.action == "retrieve" else PollSerializer


class VoteOptionSerializer(serializers.ModelSerializer[VoteOption]):
    ballots = serializers.IntegerField(source="ballot_count", read_only=True)

    class Meta:
        model = VoteOption
        fields = ("id", "label", "ballots")


class VoteSectorSerializer(serializers.Serializer[Any]):
    sector = serializers.CharField(source="label")
    present = serializers.IntegerField()
    counts = serializers.ListField(child=serializers.IntegerField())


class VoteSerializer(serializers.ModelSerializer[Vote]):
    meeting = serializers.IntegerField(source="agenda_item.meeting_id", read_only=True)
    agenda_item = serializers.CharField(source="agenda_item.title", read_only=True)
    options = VoteOptionSerializer(many=True, read_only=True)

    class Meta:
        model = Vote
        fields: tuple[str, ...] = (
            "id",
            "meeting",
            "agenda_item",
            "question",
            "kind",
            "status",
            "opened_at",
            "closed_at",
            "decision",
            "options",
        )


class VoteDetailSerializer(VoteSerializer):
    by_sector = serializers.SerializerMethodField()

    class Meta(VoteSerializer.Meta):
        fields: tuple[str, ...] = (*VoteSerializer.Meta.fields, "by_sector")

    def get_by_sector(self, vote: Vote) -> list[dict[str, Any]]:
        """Members present and ballots by stakeholder sector; ``counts`` follow ``options``."""
        return list(VoteSectorSerializer(vote_results(vote).rows, many=True).data)


class VoteViewSet(viewsets.ReadOnlyModelViewSet[Vote]):
    """Votes of the user's district and their results by stakeholder sector."""

    # Internal work of the platform: an anonymous client is told to authenticate.
    permission_classes = (permissions.IsAuthenticated,)
    filterset_fields = ("status",)

    def get_queryset(self) -> QuerySet[Vote]:
        options = VoteOption.objects.annotate(ballot_count=Count("ballots"))
        return (
            Vote.objects.visible_to(self.request.user)
            .select_related("agenda_item")
            .prefetch_related(Prefetch("options", queryset=options))
            .order_by("-opened_at", "-pk")
        )

    def get_serializer_class(self) -> type[VoteSerializer]:
        return VoteDetailSerializer if self.action == "retrieve" else VoteSerializer
