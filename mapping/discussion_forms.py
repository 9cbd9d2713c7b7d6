"""Forms of the rounds: the annual discussion's record, its goals, and the organisation facts it depends on."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import IdsChoiceField
from .models import Discussion, Goal, GoalEvaluation, Mapping, Organisation
from .models.rounds import DISCUSSION_TEXTS


class DiscussionForm(forms.ModelForm):
    """The record; ``version`` is the version the writer started from (0: no record yet)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": _("Formularen mangler den udgave, du begyndte fra. Åbn siden igen.")},
    )

    class Meta:
        model = Discussion
        fields = ["held_on", *DISCUSSION_TEXTS]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in DISCUSSION_TEXTS if name != "meeting_interval"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        for name, field in self.fields.items():
            if field.help_text:  # the template prints it as "<id>-help" above the field
                field.widget.attrs["aria-describedby"] = f"{self[name].id_for_label}-help"


class OrganisationFactsForm(forms.ModelForm):
    """What decides whether the discussion covers the AMO's competence plan or the knowledge question."""

    class Meta:
        model = Organisation
        fields = ["employee_count", "has_amo"]
        widgets = {"employee_count": forms.NumberInput(attrs={"min": 0, "max": 1000000})}

    def clean_employee_count(self):
        count = self.cleaned_data["employee_count"]
        if count is not None and count > 1_000_000:
            raise forms.ValidationError(_("Skriv et tal under en million."))
        return count


class GoalForm(forms.ModelForm):
    """A goal for the coming year, linked to the round's actions and initiatives; ``version`` on edits."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Goal
        field_classes = {"actions": IdsChoiceField, "initiatives": IdsChoiceField}
        fields = ["title", "actions", "initiatives"]
        widgets = {"actions": forms.CheckboxSelectMultiple, "initiatives": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, mapping: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["actions"]).queryset = mapping.actions.order_by("title", "id")
        initiatives = mapping.initiatives.active().order_by("level", "dimension", "position", "id")
        cast(forms.ModelMultipleChoiceField, self.fields["initiatives"]).queryset = initiatives
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Skriv målet."))
        return title


class GoalEvaluationForm(forms.ModelForm):
    """Last year's goal, evaluated: reached, partly or not, with a comment."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Goal
        fields = ["evaluation", "comment"]
        widgets = {"evaluation": forms.RadioSelect, "comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["evaluation"]).choices = [c for c in GoalEvaluation.choices if c[0]]
        self.fields["evaluation"].required = True
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class ReadOnlyForm(forms.Form):
    is_read_only = forms.BooleanField(required=False)
