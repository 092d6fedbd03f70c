"""Form helpers shared by the apps (no domain)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Generic, TypeAlias, TypedDict, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, QuerySet
from django.forms.renderers import BaseRenderer
from django.forms.utils import ErrorList, flatatt
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

_FieldT = TypeVar("_FieldT", bound=forms.Field)
_ModelT = TypeVar("_ModelT", bound=Model)

# What a form is bound to: the submitted fields (``request.POST``, a dict in tests) and the
# uploaded files (``request.FILES``), the first two arguments of every Django form.
FormData: TypeAlias = Mapping[str, object] | None
FormFiles: TypeAlias = MultiValueDict[str, UploadedFile[bytes]] | None


class _Options(TypedDict, total=False):
    auto_id: bool | str
    prefix: str | None
    initial: MutableMapping[str, object] | None
    error_class: type[ErrorList]
    label_suffix: str | None
    empty_permitted: bool
    use_required_attribute: bool | None
    renderer: BaseRenderer | None


class FormOptions(_Options, total=False):
    """The keyword arguments a ``forms.Form`` takes besides its data and files: a form
    that adds its own (``district=``) passes these on untouched."""

    field_order: Iterable[str] | None


class ModelFormOptions(_Options, Generic[_ModelT], total=False):
    """The keyword arguments a ``forms.ModelForm`` of ``_ModelT`` takes besides its data and
    files: the same as a form's, with the row it edits."""

    instance: _ModelT | None


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError lands next to the fields it is about; the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_field(form: forms.BaseForm, name: str, kind: type[_FieldT]) -> _FieldT:
    """``form.fields[name]``, typed as the kind of field the form declares it to be.

    ``form.fields`` is a ``dict[str, Field]`` to the type checker, which therefore knows
    nothing of a ModelChoiceField's ``queryset`` or a ChoiceField's ``choices``; the caller
    names the kind, and a wrong one fails here, at once, rather than on a later attribute.
    """
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}.")
    return field


def set_queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Model]) -> None:
    """Narrow the choices of the ModelChoiceField ``name`` (to a district's rows, say)."""
    form_field(form, name, forms.ModelChoiceField).queryset = queryset


def carry_current_version(form: forms.BaseForm, post: QueryDict, version: int) -> None:
    """After a stale save the form shows what was typed (``post``, the data it was bound
    to), now carrying the current version: sending it again, knowingly, replaces the other
    person's change."""
    data = post.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data


def install_constraint_message() -> None:
    """A database constraint checked by ``full_clean`` and broken says so in words.

    Django's default names the constraint ("Constraint “…” is violated."), which means
    nothing to the person filling the form; constraints that know a better sentence set
    their own ``violation_error_message``. Called once from ``PlatformAppConfig.ready``.
    """
    from django.apps import apps
    from django.db.models import BaseConstraint
    from django.utils.translation import gettext_lazy

    default = BaseConstraint.default_violation_error_message
    message = gettext_lazy(
        "This conflicts with a record already saved: review the data and try again."
    )
    BaseConstraint.default_violation_error_message = message
    # The models' constraints, built before the apps were ready, copied the old default.
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.violation_error_message is default:
                constraint.violation_error_message = message


class LongSelectMultiple(forms.SelectMultiple):
    """A multiple select for a long flat list (a district's 134 public spaces), its options
    written in one pass.

    Django's select renders each option through its own template: for a hundred options
    that is most of a form page's time, on a page (a registration form) opened far more
    often than it is sent. The markup is the same as Django's; only flat choices (no
    groups) are supported.
    """

    def render(
        self,
        name: str,
        value: object,
        attrs: dict[str, object] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        selected = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        final["multiple"] = True
        options = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                raise TypeError("LongSelectMultiple takes flat choices, not groups")
            key = "" if option_value is None else str(option_value)
            options.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    key,
                    mark_safe(" selected") if key in selected else "",
                    label,
                )
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final),
            mark_safe("".join(options)),  # noqa: S308 - escaped above
        )
