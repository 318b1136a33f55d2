"""Each action's input declared once.

An action's input is one pydantic schema (a `ninja.Schema`) in the app that owns the action:
its fields, lengths, bounds and choices. The API takes it as the request body as it is, and
`form_for` derives the page's form from it, so a new field or a new limit is one edit and the
page and the API cannot disagree. `run_form_action` is the one shape of a page that performs an
action: validate, call the service, put the service's errors on the form, or go on.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pydantic
from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from motherline.bounds import not_before_floor
from motherline.core.forms import MISSING_VERSION, DayMonthYearInput, add_service_errors, posted

# Text longer than this is typed in a box of several lines.
LONG_TEXT = 255


@dataclass(frozen=True)
class _Shape:
    """A schema field's type and limits, with Optional and Annotated unwrapped."""

    kind: Any
    optional: bool
    min_length: int | None = None
    max_length: int | None = None
    ge: Any = None
    le: Any = None
    gt: Any = None
    max_digits: int | None = None
    decimal_places: int | None = None
    # For a list: the type of its items (a choice: several may be chosen); for a dict, the
    # type of its values.
    item: Any = None
    # For a dict: the choice its keys are.
    key: Any = None


_LIMITS = ("min_length", "max_length", "ge", "le", "gt", "max_digits", "decimal_places")


def _shape(annotation: Any, metadata: Iterable[Any]) -> _Shape:
    limits: dict[str, Any] = {}
    optional = False
    item = None
    pending = list(metadata)
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            for part in extra:
                # A Field() inside an Annotated type (a reused amount) carries its limits.
                pending.extend(part.metadata if isinstance(part, FieldInfo) else [part])
        elif origin in (typing.Union, types.UnionType):
            others = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(others) < len(typing.get_args(annotation))
            if len(others) != 1:
                raise TypeError(f"A form field needs one type, not {annotation!r}")
            annotation = others[0]
        elif origin is list:
            (item,) = typing.get_args(annotation)
            annotation = list
            break
        elif origin is dict:
            # One text per member of a choice (findings by topic): `key` is the choice.
            key, item = typing.get_args(annotation)
            return _Shape(kind=dict, optional=optional, item=item, key=key)
        else:
            break
    for part in pending:
        for name in _LIMITS:
            value = getattr(part, name, None)
            if value is not None:
                limits[name] = value
    return _Shape(kind=annotation, optional=optional, item=item, **limits)


def field_label(model: type[models.Model], name: str) -> Any:
    """The label of a model's field as its forms show it (its verbose name, capitalised); None
    when the model has no such field."""
    field = _model_field(model, name)
    return capfirst(field.verbose_name) if field is not None else None


def _label(name: str, model: type[models.Model] | None, description: str | None) -> Any:
    label = field_label(model, name) if model is not None else None
    return label or description or capfirst(name.replace("_", " "))


def _choices(kind: Any) -> list[tuple[Any, Any]]:
    return getattr(kind, "choices", None) or [(m.value, m.name) for m in kind]


def _with_empty(choices: list[tuple[Any, Any]], required: bool) -> list[tuple[Any, Any]]:
    """The choices of a field that may be left empty begin with "—", unless they name their
    empty choice themselves (a result "Pending", a court "Not known")."""
    if required or any(value == "" for value, _label in choices):
        return choices
    return [("", "—"), *choices]


def _is_choice(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, enum.Enum)


def _form_field(
    name: str,
    shape: _Shape,
    *,
    label: Any,
    required: bool,
    help_text: Any,
    rows: int | None = None,
) -> forms.Field:
    common: dict[str, Any] = {"label": label, "required": required, "help_text": help_text or ""}
    kind = shape.kind
    if _is_choice(kind):
        return forms.ChoiceField(choices=_with_empty(_choices(kind), required), **common)
    if kind is list and _is_choice(shape.item):
        return forms.MultipleChoiceField(
            choices=_choices(shape.item), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind is list:
        item = _shape(shape.item, ())
        return ItemsField(item_max_length=item.max_length, max_items=shape.max_length, **common)
    if kind is Decimal:
        low = shape.ge if shape.ge is not None else shape.gt
        return forms.DecimalField(
            max_digits=shape.max_digits,
            decimal_places=shape.decimal_places,
            min_value=low,
            **common,
        )
    if kind is bool:
        return forms.BooleanField(**{**common, "required": False})
    if kind is int:
        return forms.IntegerField(min_value=shape.ge, max_value=shape.le, **common)
    if kind is date:
        return forms.DateField(
            widget=DayMonthYearInput(),  # dd/mm/yyyy whatever the browser's locale
            validators=[not_before_floor],
            **common,
        )
    if kind is str:
        long = shape.max_length is None or shape.max_length > LONG_TEXT
        rows = rows or (4 if long else 1)
        attrs = {"maxlength": shape.max_length} if shape.max_length else {}
        widget = (
            forms.Textarea(attrs={"rows": rows, **attrs}) if rows > 1 else forms.TextInput(attrs)
        )
        return forms.CharField(
            max_length=shape.max_length,
            min_length=shape.min_length if required else None,
            widget=widget,
            **common,
        )
    raise TypeError(f"No form field for {name}: {kind!r}")


class ItemsField(forms.CharField):
    """Several short items typed in one box, separated by spaces or commas (the references
    of the women seen): each is checked against the item's length, and their number against
    the list's."""

    def __init__(
        self, *, item_max_length: int | None, max_items: int | None, **kwargs: Any
    ) -> None:
        self.item_max_length = item_max_length
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return list(dict.fromkeys(item for item in text.replace(",", " ").split() if item))

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if self.max_items is not None and len(value) > self.max_items:
            raise ValidationError(
                _("At most %(count)s items."), code="max_items", params={"count": self.max_items}
            )
        too_long = [i for i in value if self.item_max_length and len(i) > self.item_max_length]
        if too_long:
            raise ValidationError(
                _("Too long to be one: %(items)s"),
                code="item_too_long",
                params={"items": ", ".join(too_long)},
            )

    def prepare_value(self, value: Any) -> Any:
        return " ".join(value) if isinstance(value, list) else value


Input = TypeVar("Input", bound=BaseModel)


NOT_ACCEPTED = gettext_lazy("This value is not valid.")


class ActionForm(forms.Form, Generic[Input]):
    """A form derived from an action's schema (`form_for`). `options` gives the choices of
    the fields chosen from records the user may pick (the prisons of her jurisdiction); a
    dict of the schema (findings by topic) is one field per choice, `grouped` lists them
    for the page, and `action_input()` builds the schema from what was typed, so the page
    hands the service what the API does."""

    schema: type[Input]
    groups: dict[str, tuple[str, type[enum.Enum]]] = {}

    def __init__(
        self, *args: Any, options: Mapping[str, Iterable[tuple[Any, Any]]] | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        for name, choices in (options or {}).items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            several = isinstance(field, forms.MultipleChoiceField)
            field.choices = list(choices) if several else _with_empty(list(choices), field.required)

    @property
    def grouped(self) -> dict[str, list[forms.BoundField]]:
        """Each dict of the schema as its fields, for the page (`form.grouped.findings`)."""
        return {
            name: [self[f"{prefix}{member.value}"] for member in key]
            for name, (prefix, key) in self.groups.items()
        }

    def action_input(self) -> Input:
        """The schema from what was typed: a box left empty, or a list left on "—" (it posts
        "", the choice not made), takes the schema's default (a count not filled in is 0, as
        the API's body without it). Whatever the schema still refuses is raised as the
        form's field errors, never as a failure of the page."""
        fields = self.schema.model_fields
        unchosen = {
            name
            for name, field in self.fields.items()
            if isinstance(field, forms.ChoiceField) and self.cleaned_data.get(name) == ""
        }
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if not (value is None or name in unchosen)
            or name not in fields
            or fields[name].is_required()
        }
        for name, (prefix, key) in self.groups.items():
            texts = {member.value: data.pop(f"{prefix}{member.value}", "") for member in key}
            data[name] = {k: v for k, v in texts.items() if v and v.strip()}
        try:
            return self.schema.model_validate(data)
        except pydantic.ValidationError as refused:
            # The form's fields carry the schema's limits, so this is seldom reached; the
            # schema's own words are English, so the reader is told in her language.
            raise ValidationError(
                {
                    str(error["loc"][0]) if error["loc"] else NON_FIELD_ERRORS: NOT_ACCEPTED
                    for error in refused.errors()
                }
            ) from refused


def form_for(
    schema: type[Input],
    *,
    model: type[models.Model] | None = None,
    required: Iterable[str] = (),
    exclude: Iterable[str] = (),
    labels: Mapping[str, Any] | None = None,
    help_texts: Mapping[str, Any] | None = None,
    chosen_from_records: Iterable[str] = (),
    group_prefixes: Mapping[str, str] | None = None,
    radios: Iterable[str] = (),
    rows: Mapping[str, int] | None = None,
    hidden: Iterable[str] = (),
) -> type[ActionForm[Input]]:
    """The page's form for an action's schema: one field per schema field, in its order,
    with its limits and choices; labels from the model's fields where it has them (or from
    `labels`). The schema's `version` becomes the hidden version field (refused when
    missing). `required` names the fields a page must fill although the API may leave them
    out (a correction sends only what changes; the page shows every field filled in).
    `chosen_from_records` names the codes the page offers as a choice (its options come
    when the form is made, as `options`; a list of codes is several boxes to tick); a dict
    of a choice to a text becomes one text per choice named `group_prefixes[name]` + the
    choice (the columns a phone form exports).
    `radios` names the few-choice fields shown as radio buttons rather than a list; `rows`
    gives the lines of a text's box (a long text has 4, a short one 1: a one-line box);
    `hidden` names the fields the page fills in itself (the note a new note corrects)."""
    must = set(required)
    skip = set(exclude)
    pick = set(chosen_from_records)
    fields: dict[str, forms.Field] = {}
    groups: dict[str, tuple[str, type[enum.Enum]]] = {}
    for name, info in schema.model_fields.items():
        if name in skip:
            continue
        if name in pick:
            chosen: dict[str, Any] = {
                "label": (labels or {}).get(name) or _label(name, model, info.title),
                "required": info.is_required() or name in must,
                "help_text": (help_texts or {}).get(name, ""),
            }
            fields[name] = (
                forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, **chosen)
                if _shape(info.annotation, info.metadata).kind is list
                else forms.ChoiceField(**chosen)
            )
            continue
        if name == "version":
            fields[name] = forms.IntegerField(
                widget=forms.HiddenInput,
                min_value=1,
                max_value=_shape(info.annotation, info.metadata).le,
                error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION},
            )
            continue
        shape = _shape(info.annotation, info.metadata)
        if shape.kind is dict:
            prefix = (group_prefixes or {}).get(name, f"{name}_")
            groups[name] = (prefix, shape.key)
            text = _shape(shape.item, ())
            for value, label in _choices(shape.key):
                fields[f"{prefix}{value}"] = _form_field(
                    name, text, label=label, required=False, help_text=""
                )
            continue
        fields[name] = _form_field(
            name,
            shape,
            label=(labels or {}).get(name) or _label(name, model, info.title),
            required=name in must or (info.is_required() and not shape.optional),
            help_text=(help_texts or {}).get(name) or _help(name, model),
            rows=(rows or {}).get(name),
        )
        if name in hidden:
            fields[name].widget = forms.HiddenInput()
        if name in radios:
            field = fields[name]
            assert isinstance(field, forms.ChoiceField), name
            # Django keeps a field's choices as (value, label) pairs (django-stubs types what
            # is read as anything that may be set); the empty one goes.
            pairs: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
            field.choices = [c for c in pairs if c[0]]
            field.widget = forms.RadioSelect(choices=field.choices)
    attributes: dict[str, Any] = {
        "schema": schema,
        "groups": groups,
        **fields,
    }
    return type(f"{schema.__name__}Form", (ActionForm,), attributes)


def _model_field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    """The model's field of that name; None for a field of the action that the model does
    not have (or has only as the other side of a relation)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _help(name: str, model: type[models.Model] | None) -> Any:
    field = _model_field(model, name) if model is not None else None
    return field.help_text if field is not None else ""


def changed_values(form: forms.BaseForm, current: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a filled-in correction form whose value differs from the record's, as a
    correction sends them to its service (the API sends only what changes, too)."""
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name != "version" and not _same(value, current.get(name))
    }


def _same(value: Any, current: Any) -> bool:
    # Several choices are the same choice in any order.
    if isinstance(value, list) and isinstance(current, list):
        return sorted(value) == sorted(current)
    return bool(value == current)


def run_form_action(
    request: HttpRequest,
    form: forms.BaseForm,
    perform: Callable[[dict[str, Any]], Any],
    *,
    done: str | Callable[[Any], str],
    go_to: str | Callable[[Any], str],
    field_map: Mapping[str, str] | None = None,
) -> HttpResponse | None:
    """Validate a bound form, perform the action with its cleaned data, say `done` and go to
    `go_to` (each a text, or what it makes of the action's result: the record created); on
    a refusal put the service's
    errors on the form (a record changed meanwhile is one: `StaleVersion` says so at the top)
    and answer None, so that the page is shown again with them."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = perform(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error, field_map)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return redirect(go_to(result) if callable(go_to) else go_to)


def service_call(
    service: Callable[..., Any], request: HttpRequest, record: Any
) -> Callable[[dict[str, Any]], Any]:
    """The action of a form whose fields are the service's parameters, by name: it calls
    `service(user, record, **fields, request=request)`."""
    return lambda data: service(request.user, record, **data, request=request)


def correction_call(
    correct: Callable[..., Any],
    request: HttpRequest,
    record: Any,
    changes: Callable[[dict[str, Any]], Mapping[str, Any]],
) -> Callable[[dict[str, Any]], Any]:
    """The action of a form that corrects a record: it calls `correct(user, record,
    changes(fields), version=, request=)`, the owning app's service, which checks the version
    the form read (its hidden `version`) and writes the audit row."""
    return lambda data: correct(
        request.user, record, changes(data), version=data["version"], request=request
    )


# The one page of a form: its heading over the record's reference and a lead, the form's
# fields, errors and buttons (templates/form_page.html; a page with more extends it).
FORM_PAGE = "form_page.html"
AUDITED = gettext_lazy("What you change is kept on the audit trail.")


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    perform: Callable[[dict[str, Any]], Any],
    *,
    done: str | Callable[[Any], str],
    go_to: str | Callable[[Any], str],
    template: str = FORM_PAGE,
    context: Mapping[str, Any] | None = None,
    field_map: Mapping[str, str] | None = None,
    read: Callable[[], Any] | None = None,
) -> HttpResponse:
    """`run_form_action`, or else the page with the form (and its errors): the page's
    `context` names what it shows (`heading`, `reference`, `lead`, `submit_label`); Cancel
    goes back to `go_to`. `read` is called before the page is shown: the audit row of a
    page that shows a person's record."""
    done_page = run_form_action(request, form, perform, done=done, go_to=go_to, field_map=field_map)
    if done_page is not None:
        return done_page
    if read is not None:
        read()
    cancel = {"cancel_url": go_to} if isinstance(go_to, str) else {}
    return render(request, template, {**cancel, **(context or {}), "form": form})


Choices = Iterable[tuple[Any, Any]]


def correction_page(
    request: HttpRequest,
    record: Any,
    form_class: type[forms.Form],
    correct: Callable[..., Any],
    *,
    done: str,
    go_to: str,
    heading: str,
    lead: str,
    shown: Mapping[str, Any] | None = None,
    choices: Mapping[str, Choices] | None = None,
    more: Callable[[], Mapping[str, Any]] | None = None,
    template: str = FORM_PAGE,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The page that corrects a record: the form shows the record's values (or what `shown`
    says a field shows: a user's name for the user) and the version read; what differs is
    handed to `correct(user, record, changes, version=, request=)`, the owning app's service,
    which checks the version and writes the audit row. `choices` offers a field's values in
    a list (the schema bounds them; the page knows which apply); `more` adds changes the
    form's fields do not carry (rows of a table)."""
    names = [name for name in form_class.base_fields if name != "version"]
    current = {name: getattr(record, name, None) for name in names} | dict(shown or {})
    form = form_class(posted(request), initial={**current, "version": record.version})
    for name, options in (choices or {}).items():
        form.fields[name].widget = forms.Select(choices=options)

    return form_page(
        request,
        form,
        correction_call(
            correct,
            request,
            record,
            lambda data: {**changed_values(form, current), **(more() if more else {})},
        ),
        done=done,
        go_to=go_to,
        template=template,
        context={
            "heading": heading,
            "reference": getattr(record, "reference", ""),
            "lead": lead,
            "submit_label": _("Save the correction"),
            **(context or {}),
        },
    )


__all__ = [
    "ActionForm",
    "ItemsField",
    "changed_values",
    "correction_call",
    "correction_page",
    "form_for",
    "form_page",
    "posted",
    "run_form_action",
    "service_call",
]
