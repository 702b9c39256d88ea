"""Forms of the entry grid: one small form per KPI row, numbers read in the user's language.

The forms only turn what was typed into plain values; the rules (what a count, a
percentage, "not available" may hold) are :func:`kpis.reporting.rules.validate_row`, the same
the service applies for the API, so the messages are the same everywhere.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from icc_portal.numbers import parse_localised
from kpis.models import KPI, Measurement

from .entry import RowInput
from .rules import (
    MAX_TEXT_LENGTH,
    MAX_URL_LENGTH,
    NOT_A_NUMBER,
    format_number,
    matches_snapshot,
    primary_answer_field,
    validate_row,
)

Status = Measurement.Status


class LocalizedDecimalField(forms.Field):
    """A number typed in the active language (``1.234,5`` in Italian); shown the same way."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_localised(
                str(value),
                decimal_separator=formats.get_format("DECIMAL_SEPARATOR"),
                thousand_separator=formats.get_format("THOUSAND_SEPARATOR"),
            )
        except ValueError:
            raise ValidationError(
                NOT_A_NUMBER,
                code="invalid",
                params={"example": format_number(Decimal("1234.5"))},
            ) from None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_number(value)
        return value


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class EntryRowForm(forms.Form):
    """One KPI's figure. Prefix ``kpi<id>``; ``version`` is the version the user saw."""

    value = LocalizedDecimalField(label=_("Value"), required=False)
    boolean_value = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    text_value = forms.CharField(
        label=_("Answer in words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_TEXT_LENGTH}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason (if not available)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 1, "maxlength": MAX_TEXT_LENGTH}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 1, "maxlength": MAX_TEXT_LENGTH}),
    )
    evidence_url = forms.CharField(
        label=_("Evidence link"),
        required=False,
        # Text, not type="url": a browser refuses www.vanersborg.se/plan before it is sent,
        # where the portal reads it as https://www.vanersborg.se/plan (rules.with_scheme).
        widget=forms.TextInput(
            attrs={
                "maxlength": MAX_URL_LENGTH,
                "placeholder": "https://",
                "inputmode": "url",
                "autocomplete": "url",
                "spellcheck": "false",
            }
        ),
    )
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        data=None,
        *,
        kpi: KPI,
        measurement: Measurement | None,
        snapshot: dict | None = None,
        **kwargs,
    ):
        self.kpi = kpi
        self.measurement = measurement
        self.snapshot = snapshot
        self.touched = data is not None
        kwargs.setdefault("prefix", f"kpi{kpi.pk}")
        kwargs.setdefault("initial", self.initial_for(measurement))
        super().__init__(data, **kwargs)
        unit = f" ({kpi.unit})" if kpi.unit and kpi.is_numeric else ""
        if kpi.value_type == KPI.ValueType.PERCENT:
            self.fields["value"].label = _("Value in %")
        elif kpi.is_numeric:
            self.fields["value"].label = _("Value") + unit
        else:
            self.fields["value"].label = _("Figure (optional)")
        if kpi.value_type == KPI.ValueType.TEXT:
            self.fields["text_value"].label = _("Answer")
        elif kpi.value_type == KPI.ValueType.BOOLEAN:
            self.fields["text_value"].label = _("Answer in words (optional)")
        else:
            self.fields["text_value"].label = _("Answer in words, if no figure (optional)")
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", f"entry-{name.replace('_', '-')}")

    @staticmethod
    def initial_for(measurement: Measurement | None) -> dict:
        if measurement is None:
            return {"status": Status.NOT_REPORTED, "version": 0}
        return {
            "value": measurement.value,
            "boolean_value": {True: "yes", False: "no"}.get(measurement.boolean_value, ""),
            "text_value": measurement.text_value,
            "status": measurement.status,
            "reason": measurement.reason,
            "note": measurement.note,
            "evidence_url": measurement.evidence_url,
            "as_of": measurement.as_of,
            "version": measurement.version,
        }

    @property
    def primary_field(self) -> str:
        return primary_answer_field(self.kpi.value_type)

    @property
    def primary_is_wide(self) -> bool:
        return self.kpi.value_type == KPI.ValueType.TEXT

    @property
    def secondary_fields(self) -> list[str]:
        """Answer fields besides the main one, so no stored part of a figure is dropped."""
        return [name for name in ("value", "text_value") if name != self.primary_field]

    def clean(self):
        data = super().clean()
        answered = any(
            data.get(name) not in (None, "") for name in ("value", "boolean_value", "text_value")
        )
        if data.get("status") == Status.NOT_REPORTED and answered:
            # Typing a figure is reporting it: no need to pick "Reported" as well.
            data["status"] = Status.REPORTED
        if self.errors:
            return data
        row = self.to_row()
        self.touched = not matches_snapshot(row, self.snapshot)
        if self.touched:
            for field, message, code in validate_row(row, value_type=self.kpi.value_type):
                self.add_error(field, ValidationError(message, code=code))
        return data

    def to_row(self) -> RowInput:
        data = self.cleaned_data
        return RowInput(
            kpi=self.kpi,
            key=self.kpi.pk,
            status=data.get("status") or Status.NOT_REPORTED,
            expected_version=data.get("version") or 0,
            value=data.get("value"),
            boolean_value=data.get("boolean_value"),
            text_value=data.get("text_value") or "",
            reason=data.get("reason") or "",
            note=data.get("note") or "",
            evidence_url=data.get("evidence_url") or "",
            as_of=data.get("as_of"),
        ).cleaned()

    def add_entry_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the service's messages beside the fields they are about."""
        for field, messages in errors.items():
            target = None if field in ("__all__", "kpi") or field not in self.fields else field
            for message in messages:
                self.add_error(target, message)

    def refresh_version(self, version: int) -> None:
        """After a stale refusal: base the next save on the version the user was just shown."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(version)
        self.data = data


class ReviewForm(forms.Form):
    """The comment that goes with submit, approve, return or reopen."""

    ACTIONS = ("submit", "approve", "return", "reopen")

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    consortium = forms.SlugField(required=False)
    # The number of missing figures the person confirmed ("submit with 5 figures missing").
    confirm_missing = forms.IntegerField(required=False, min_value=0)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
