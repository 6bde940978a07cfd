"""The survey's forms: staff's questions, and the attendee's answer (one rating field per session attended)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.content import localized
from app.forms import Form
from events.feedback.services import RATINGS


class SurveySettingsForm(Form):
    ask_overall = BooleanField(_l("Ask for an overall rating (1 to 5)"))
    ask_sessions = BooleanField(_l("Ask for a rating of each session the person attended"))
    ask_comment = BooleanField(_l("Ask for comments (free text)"))
    anonymous = BooleanField(_l("Answers are anonymous (results do not show who answered)"))
    closed = BooleanField(_l("Closed: no more answers or changes"))

    def validate_ask_overall(self, field):
        if not (field.data or self.ask_sessions.data or self.ask_comment.data):
            raise ValidationError(_l("Choose at least one question."))


def _rating_field(label) -> RadioField:
    # The choice is checked by validate(): a missing rating is allowed, anything else must be 1 to 5.
    return RadioField(label, choices=[(r, str(r)) for r in RATINGS], coerce=int, validate_choice=False,
                      validators=[Optional()])


class _AnswerForm(Form):
    session_fields: list[tuple[str, object]] = []

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for name, _session in [("overall", None), *self.session_fields]:
            field = getattr(self, name, None)
            if field is not None and field.data not in (None, *RATINGS):
                field.errors = [*field.errors, _l("Choose a rating from 1 to 5.")]
                ok = False
        return ok

    def session_ratings(self) -> dict[int, int | None]:
        return {session.id: getattr(self, name).data for name, session in self.session_fields}


def answer_form(survey, sessions, answer=None) -> _AnswerForm:
    """The form for this survey's questions and this person's sessions, filled with their earlier answer."""
    attrs: dict = {"session_fields": []}
    if survey.ask_overall:
        attrs["overall"] = _rating_field(_l("How was the day overall?"))
    if survey.ask_sessions:
        for session in sessions:
            name = f"session_{session.id}"
            attrs[name] = _rating_field(localized(session, "title"))
            attrs["session_fields"].append((name, session))
    if survey.ask_comment:
        attrs["comment"] = TextAreaField(_l("What should we keep, and what should we change?"),
                                         validators=[Optional(), Length(max=4000)])
    form_class = type("AnswerForm", (_AnswerForm,), attrs)
    data = {}
    if answer is not None:
        data = {"overall": answer.overall, "comment": answer.comment,
                **{f"session_{sid}": r for sid, r in answer.session_ratings.items()}}
    return form_class(data=data)
