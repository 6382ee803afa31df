"""The admin's "Import a bundle" form: what `manage.py import_legacy` takes, checked before the task is queued."""

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from .engine import ImportRefused, parse_cutover
from .entities import ENTITIES


class ImportBundleForm(forms.Form):
    bundle = forms.CharField(
        label=_("Bundle"), max_length=500,
        help_text=_("Path on the server (and the Celery workers) of a bundle directory or .tar.gz file"),
    )
    dry_run = forms.BooleanField(label=_("Dry run"), required=False,
                                 help_text=_("Validate and report; nothing is kept"))
    cutover = forms.CharField(label=_("Cutover"), required=False,
                              help_text=_("ISO 8601 with an offset; empty: the manifest's exported_at"))
    only = forms.MultipleChoiceField(label=_("Only these entities"), required=False,
                                     choices=[(entity, entity) for entity in ENTITIES],
                                     widget=forms.CheckboxSelectMultiple)
    workers = forms.IntegerField(
        label=_("Workers"), required=False, min_value=1,
        help_text=_("Above 1: the files are split into that many chunks imported in parallel by Celery workers "
                    "(PostgreSQL); empty or 1: one task imports serially"),
    )

    def clean_bundle(self) -> str:
        value = self.cleaned_data["bundle"].strip()
        path = Path(value)
        if not path.is_absolute():
            raise forms.ValidationError(_("Give an absolute path on the server."))
        if path.is_dir():
            if not (path / "manifest.json").is_file():
                raise forms.ValidationError(_("%(path)s has no manifest.json.") % {"path": value})
        elif not (path.is_file() and path.name.endswith((".tar.gz", ".tgz"))):
            raise forms.ValidationError(_("%(path)s is neither a bundle directory nor a .tar.gz file on the server.")
                                        % {"path": value})
        return value

    def clean_cutover(self) -> str | None:
        value = self.cleaned_data["cutover"].strip()
        if not value:
            return None
        try:
            parse_cutover(value, origin=str(_("Cutover")))
        except ImportRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value
