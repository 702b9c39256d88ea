"""The admin's data-file forms: the upload, and the apply step of a previewed file."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis.exchange.bounds import MAX_FILE_BYTES, megabytes


class DataFileUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Data file (YAML)"),
        help_text=gettext_lazy(
            "A consortium's data file, as described in data/README.md. Nothing is written "
            "yet: the next page shows what it would create, update and leave unchanged."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; a data file may be up to %(limit)s MB.")
                % {"size": megabytes(upload.size), "limit": megabytes(MAX_FILE_BYTES)},
                code="too_large",
            )
        content = upload.read()
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text: save it as UTF-8 and upload it again."),
                code="not_text",
            ) from None
        return upload.name, content


class DataFileApplyForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    remove_absent = forms.BooleanField(
        required=False,
        label=gettext_lazy("Also remove the rows listed as not in the file"),
        help_text=gettext_lazy("Rows that figures hang on are kept whatever you choose."),
    )
