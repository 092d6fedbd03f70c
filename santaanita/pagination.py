"""The API's one pagination, the default of every list (``REST_FRAMEWORK`` in settings).

Kept apart from ``santaanita.api_contract``: DRF imports the default pagination class while
defining its generic views, so this module may import nothing that imports them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

MAX_PAGE_SIZE = 200


class ContractPagination(PageNumberPagination):
    """Pages of ``PAGE_SIZE`` rows; ``page_size`` asks for 1 to ``MAX_PAGE_SIZE``.

    A page size out of that range is refused with 400 rather than quietly cut, so that a
    client looping over pages learns the limit instead of missing rows it thought it asked for.
    """

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param) or None  # empty: unset
        if raw is None:
            return int(self.page_size or MAX_PAGE_SIZE)
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            message = _("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: message})
        return int(raw)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, object]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
