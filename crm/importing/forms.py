"""Forms for the import pages: upload, then map columns and choose what happens to matches."""

from __future__ import annotations

from django import forms

from crm.models import ImportJob

from .columns import targets_for
from .readers import max_bytes
from .validation import MATCH_ACTIONS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What does the file hold?",
        choices=ImportJob.Kind.choices,
        initial=ImportJob.Kind.CONTACTS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV or Excel (.xlsx) file with a header row. The first sheet of a workbook is read.",
        error_messages={
            "required": "Choose a CSV or Excel file to import.",
            "empty": "The file is empty. Choose a CSV or Excel file that has a header row and some rows.",
        },
        allow_empty_file=True,
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the largest file you can import is "
                f"{limit / 1024 / 1024:.0f} MB. Split it into smaller files."
            )
        if upload.size == 0:
            raise forms.ValidationError(
                "The file is empty. Choose a CSV or Excel file that has a header row and some rows."
            )
        return upload


class MappingForm(forms.Form):
    """One select per column of the file, then what to do with rows matching existing records."""

    match_action = forms.ChoiceField(
        label="When a row matches a record already in the registry",
        choices=list(MATCH_ACTIONS.items()),
        initial="skip",
        widget=forms.RadioSelect,
    )
    create_missing_organisations = forms.BooleanField(
        label="Create missing organisations",
        required=False,
        help_text="Add organisations named in the file that are not in the registry yet, instead of "
        "reporting them as problems.",
    )

    def __init__(self, *args: object, job: ImportJob, samples: dict[str, list[str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.job = job
        self.column_fields: list[tuple[str, str]] = []
        choices = [("", "Do not import"), *[(t.key, t.label) for t in targets_for(job.kind)]]
        current = job.mapping.get("columns", {})
        for index, header in enumerate(job.headers):
            name = f"column_{index}"
            example = ", ".join(s for s in samples.get(header, []) if s)[:120]
            self.fields[name] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=current.get(header, ""),
                help_text=f"For example: {example}" if example else "Empty in the first rows.",
            )
            self.column_fields.append((name, header))
        if job.kind != ImportJob.Kind.CONTACTS:
            del self.fields["create_missing_organisations"]
        else:
            self.fields["create_missing_organisations"].initial = job.mapping.get("options", {}).get(
                "create_missing_organisations", False
            )
        self.fields["match_action"].initial = job.match_action or "skip"
        # Columns first, then the choices about matches, as the page reads top to bottom.
        self.order_fields([name for name, _ in self.column_fields])

    def columns(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(name) or "" for name, header in self.column_fields}

    def column_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in self.column_fields]
