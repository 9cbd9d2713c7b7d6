from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Action, Dimension, Initiative, InputStatus, Level, Link, Mapping, Purpose, Role, Workshop
from .participation import STEPS
from .storable import parse_id


def error_text(form: forms.BaseForm) -> str:
    """A refused form's errors as one sentence, for a message at the top of the page."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


class IdChoiceField(forms.ModelChoiceField):
    """A choice of one row by its id, refused as an invalid choice when the id cannot be one
    (not digits, or more than a bigint holds) instead of failing inside the query."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(str(value)) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Rows chosen by their ids; an id that cannot be one is an invalid choice (see ``IdChoiceField``)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if parse_id(str(pk)) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # Django API the stubs leave out


CELL_CHOICES = [
    (f"{level.value}:{dimension.value}", format_lazy("{} · {}", level.label, dimension.label))
    for level in Level
    for dimension in Dimension
]


class InitiativeCreateForm(forms.ModelForm):
    class Meta:
        model = Initiative
        fields = ["title", "level", "dimension"]
        widgets = {"level": forms.HiddenInput, "dimension": forms.HiddenInput}
        error_messages = {
            "level": {"invalid_choice": _("Ukendt niveau.")},
            "dimension": {"invalid_choice": _("Ukendt dimension (struktur eller kultur).")},
        }

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Skriv en titel."))
        return title


class MeasurementSelect(forms.NullBooleanSelect):
    """Yes, no, or not said: then the gap analysis suggests it from the title (a checkbox's "on" is a yes)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Gæt ud fra titlen")), ("true", _("Ja")), ("false", _("Nej"))]

    def value_from_datadict(self, data, files, name):
        return True if data.get(name) == "on" else super().value_from_datadict(data, files, name)


class InitiativeForm(forms.ModelForm):
    """Edits a card; ``version`` is the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    class Meta:
        model = Initiative
        field_classes = {"purposes": IdsChoiceField}
        fields = [
            "title",
            "purpose_text",
            "description",
            "purposes",
            "effect",
            "status",
            "owner",
            "cadence",
            "is_measurement",
            "reviewed_at",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "purposes": forms.CheckboxSelectMultiple,
            "reviewed_at": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "is_measurement": MeasurementSelect,
            "purpose_text": forms.TextInput(attrs={"placeholder": _("Hvad skal indsatsen gøre for arbejdsmiljøet?")}),
        }

    def __init__(self, *args, mapping: Mapping, **kwargs):
        # Several editors can be open on one board: ids unique per card.
        instance = kwargs.get("instance")
        if instance is not None and instance.pk:
            kwargs.setdefault("auto_id", f"card-{instance.pk}-%s")
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["purposes"]).queryset = mapping.purposes.all()
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Skriv en titel."))
        return title

    def validate_constraints(self):
        """Leave out the check constraints: the fields above already refuse what they refuse.

        A card's checks are "one of the listed choices" and "a title that is not
        blank", which the choice fields and ``clean_title`` validate with clear
        messages; asking the database again costs a query each on every save.
        The database still enforces them.
        """
        exclude = self._get_validation_exclusions()  # type: ignore[attr-defined]  # ModelForm's own, not in the stubs
        for constraint in self.instance._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                continue
            try:
                constraint.validate(type(self.instance), self.instance, exclude=exclude)
            except ValidationError as error:
                self._update_errors(error)  # type: ignore[attr-defined]  # ModelForm's own, not in the stubs


class MoveForm(forms.Form):
    cell = forms.ChoiceField(label=_("Flyt til celle"), choices=CELL_CHOICES, required=False)
    level = forms.ChoiceField(choices=Level.choices, required=False)
    dimension = forms.ChoiceField(choices=Dimension.choices, required=False)
    index = forms.IntegerField(min_value=0, max_value=100_000, required=False)
    step = forms.TypedChoiceField(
        choices=[("-1", "up"), ("1", "down")],
        coerce=int,
        required=False,
        empty_value=0,  # type: ignore[arg-type]  # any value works; the stubs say str
    )

    def target(self, initiative: Initiative, current_index: int) -> tuple[str, str, int]:
        """Where the card goes: an explicit cell/index (drag), a cell (menu) or a step (buttons)."""
        data = self.cleaned_data
        level, dimension = initiative.level, initiative.dimension
        if data.get("cell"):
            level, dimension = data["cell"].split(":")
            index = data["index"] if data.get("index") is not None else 100_000
            return level, dimension, index
        if data.get("level") and data.get("dimension"):
            level, dimension = data["level"], data["dimension"]
        if data.get("index") is not None:
            return level, dimension, data["index"]
        return level, dimension, max(0, current_index + (data.get("step") or 0))


class LinkForm(forms.ModelForm):
    class Meta:
        model = Link
        field_classes = {"target": IdChoiceField}
        fields = ["target", "kind", "note"]
        labels = {"target": _("Forbind til")}
        error_messages = {
            "target": {"invalid_choice": _("Vælg en indsats fra denne kortlægning.")},
        }

    def __init__(self, *args, source: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        # Link.clean checks both ends against the mapping during is_valid().
        self.instance.source, self.instance.mapping = source, source.mapping
        targets = source.mapping.initiatives.active().exclude(pk=source.pk).order_by("title")
        cast(forms.ModelChoiceField, self.fields["target"]).queryset = targets

    def clean_target(self):
        target = self.cleaned_data["target"]
        if self.source.outgoing_links.filter(target=target).exists():
            raise forms.ValidationError(_("Der er allerede en forbindelse til den indsats."))
        return target

    def _post_clean(self) -> None:
        # Link.clean reads both ends; a refused target has already said what is wrong.
        if "target" in self.cleaned_data:
            super()._post_clean()  # type: ignore[misc]  # BaseModelForm's own, not in the stubs


class PurposeForm(forms.ModelForm):
    class Meta:
        model = Purpose
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, mapping: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.mapping = mapping

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Skriv et formål."))
        clash = self.mapping.purposes.filter(title__iexact=title).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Det formål findes allerede."))
        return title


class MappingForm(forms.Form):
    BLANK, EXAMPLE = "blank", "example"
    title = forms.CharField(label=_("Titel"), max_length=200)
    template = forms.ChoiceField(
        label=_("Start fra"),
        choices=[(BLANK, _("En tom kortlægning")), (EXAMPLE, _("Eksemplet fra IGLO-modellen"))],
        widget=forms.RadioSelect,
        initial=BLANK,
    )

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Skriv en titel."))
        return title


class ImportForm(forms.Form):
    file = forms.FileField(label=_("JSON-fil fra en eksport"))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, **kwargs):
        # Shares the organisation page with other forms: keep the ids apart.
        kwargs.setdefault("auto_id", "invitation-%s")
        super().__init__(*args, **kwargs)


class ActionForm(forms.ModelForm):
    """Creates an action, or edits one; an edit carries the ``version`` it started from."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,  # the column's range: a bigger number is refused here, not by the database
        error_messages={"required": _("Formularen mangler den udgave, du begyndte fra. Åbn handlingen igen.")},
    )

    class Meta:
        model = Action
        field_classes = {"initiatives": IdsChoiceField}
        fields = [
            "title",
            "description",
            "solution",
            "follow_up",
            "initiatives",
            "owner",
            "due",
            "burden",
            "effort",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "solution": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
            "initiatives": forms.CheckboxSelectMultiple,
            "due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "burden": forms.Select(choices=[(n, str(n)) for n in range(1, 6)]),
        }

    def __init__(self, *args, mapping: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        initiatives = mapping.initiatives.active().order_by("title")
        cast(forms.ModelMultipleChoiceField, self.fields["initiatives"]).queryset = initiatives
        cast(forms.IntegerField, self.fields["burden"]).min_value = 1
        if not self.instance.pk:
            del self.fields["version"]
        elif not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Skriv, hvad handlingen er."))
        return title

    def clean_burden(self):
        burden = self.cleaned_data["burden"]
        if not 1 <= burden <= 5:
            raise forms.ValidationError(_("Vælg et tal fra 1 til 5."))
        return burden


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)


class WipLimitForm(forms.Form):
    wip_limit = forms.IntegerField(label=_("Højst antal handlinger i gang ad gangen"), min_value=1, max_value=20)


SECTION_CHOICES = [
    ("grid", _("IGLO-modellen: indsatserne på de fire niveauer")),
    ("purposes", _("Formål og de niveauer, der arbejder med dem")),
    ("links", _("Forbindelser og kæder")),
    ("gaps", _("Huller i kortlægningen")),
    ("actions", _("Handlingsplan")),
]


class ExportForm(forms.Form):
    """What goes into the printed overview (mapping/pdf.py); sections in document order."""

    section = forms.MultipleChoiceField(
        label=_("Med i oversigten"),
        choices=SECTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg mindst én del.")},
    )
    paper = forms.ChoiceField(
        label=_("Papir"),
        choices=[("A4", _("A4 liggende")), ("A3", _("A3 liggende"))],
        widget=forms.RadioSelect,
        initial="A4",
    )
    handout = forms.BooleanField(
        label=_("Udgave til uddeling, uden interne noter"),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "handout-help"}),
    )

    @classmethod
    def defaults(cls) -> dict:
        return {
            "section": [value for value, _label in SECTION_CHOICES],
            "paper": "A4",
            "handout": False,
        }


# Workshop: the facilitator's controls and the participants' forms.

FORM_KEY = r"^[A-Za-z0-9_-]{8,64}$"


class WorkshopStartForm(forms.Form):
    votes_per_participant = forms.IntegerField(label=_("Stemmer pr. deltager"), min_value=1, max_value=20, initial=3)


class ParticipantLimitForm(forms.Form):
    participant_limit = forms.IntegerField(label=_("Højst deltagere"), min_value=1, max_value=1000)


class WorkshopStepForm(forms.Form):
    step = forms.IntegerField(min_value=1, max_value=len(STEPS))


def cell_parts(value: str) -> tuple[str, str]:
    """A cell choice ("gruppe:kultur") as (level, dimension); ("", "") for none."""
    if not value:
        return "", ""
    level, dimension = value.split(":")
    return level, dimension


class ModerateForm(forms.Form):
    APPROVE, MERGE, HIDE = "approve", "merge", "hide"

    action = forms.ChoiceField(choices=[(APPROVE, _("Godkend")), (MERGE, _("Slå sammen")), (HIDE, _("Skjul"))])
    initiative = IdChoiceField(queryset=Initiative.objects.none(), required=False, label=_("Slå sammen med"))
    # Where an approved suggestion goes: the facilitator places what a participant left as "ved ikke".
    cell = forms.ChoiceField(label=_("Celle"), choices=[("", "—"), *CELL_CHOICES], required=False)

    def __init__(self, *args, mapping: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["initiative"]).queryset = mapping.initiatives.active()

    def status(self) -> str:
        return {self.APPROVE: InputStatus.APPROVED, self.MERGE: InputStatus.MERGED, self.HIDE: InputStatus.HIDDEN}[
            self.cleaned_data["action"]
        ]

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("action") == self.MERGE and not data.get("initiative"):
            self.add_error("initiative", _("Vælg den indsats, forslaget skal slås sammen med."))
        return data


class ParticipantForm(forms.Form):
    """Every participant write carries a key made when the page was rendered: a double submit counts once."""

    key = forms.RegexField(
        regex=FORM_KEY,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Siden er forældet. Hent den igen."),
            "invalid": _("Siden er forældet. Hent den igen."),
        },
    )


class JoinForm(forms.Form):
    name = forms.CharField(
        label=_("Navn (frivilligt)"),
        max_length=60,
        required=False,
        help_text=_("Lad feltet stå tomt for at være anonym."),
    )


class SuggestionForm(ParticipantForm):
    # Left alone, a suggestion is "ved ikke": the facilitator places it when approving it.
    cell = forms.ChoiceField(
        label=_("Hvor hører det hjemme?"),
        choices=[("", _("Ved ikke – facilitatoren placerer det")), *CELL_CHOICES],
        required=False,
    )
    is_missing = forms.TypedChoiceField(
        label=_("Hvad vil du sige?"),
        choices=[("0", _("Det gør vi også")), ("1", _("Det savner vi"))],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Indsats"),
        max_length=200,
        error_messages={"required": _("Skriv, hvad du foreslår.")},
    )

    def clean_text(self):
        return " ".join(self.cleaned_data["text"].split())

    def cell_parts(self) -> tuple[str, str]:
        """The level and dimension chosen, or ("", "") for "ved ikke"."""
        return cell_parts(self.cleaned_data["cell"])


RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
RATING_ERRORS = {"required": _("Vælg et tal fra 1 til 5."), "invalid_choice": _("Vælg et tal fra 1 til 5.")}


class RatingForm(ParticipantForm):
    rating_purpose = forms.TypedChoiceField(
        label=_("Er formålet klart?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=RATING_ERRORS,
        required=False,
        empty_value=None,
    )
    rating_works = forms.TypedChoiceField(
        label=_("Virker det?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=RATING_ERRORS,
        required=False,
        empty_value=None,
    )
    # The other answer: "kender den ikke" (its own button), in place of the two numbers.
    unknown = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("unknown"):
            for name in ("rating_purpose", "rating_works"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, RATING_ERRORS["required"])
        return data


class BurdenForm(ParticipantForm):
    """A "belaster" mark on a finding (step 4), or taking it back."""

    ADD, REMOVE = "add", "remove"

    finding = forms.CharField(max_length=200)
    action = forms.ChoiceField(choices=[(ADD, ADD), (REMOVE, REMOVE)])


class CommentForm(ParticipantForm):
    text = forms.CharField(
        label=_("Kommentar"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv en kommentar.")},
    )


class VoteForm(ParticipantForm):
    ADD, REMOVE = "add", "remove"

    action = forms.ChoiceField(choices=[(ADD, ADD), (REMOVE, REMOVE)])


# -- i11b: leaving no data behind ---------------------------------------------------


class OrganisationDeleteForm(forms.Form):
    """Typing the organisation's name is the confirmation: a click alone deletes nothing."""

    confirm = forms.CharField(label=_("Skriv organisationens navn"), max_length=200)

    def __init__(self, *args, organisation_name: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_name = organisation_name

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip()
        if typed != self.organisation_name.strip():
            raise ValidationError(_("Navnet passer ikke. Skriv det præcis, som det står."))
        return typed


class AccountDeleteForm(forms.Form):
    """Your password again: a forgotten open laptop must not be enough to delete an account."""

    password = forms.CharField(label=_("Din adgangskode"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("Adgangskoden er forkert."))
        return password


class WorkshopRetentionForm(forms.Form):
    input_kept_days = forms.TypedChoiceField(
        label=_("Slet input automatisk"),
        choices=[("" if days is None else days, label) for days, label in Workshop.RETENTION_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
