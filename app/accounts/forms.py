from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    # No format check: logging in only looks the address up (and demo accounts use the reserved .local domain).
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class TotpForm(FlaskForm):
    code = StringField(_l("Code from your app"), filters=[lambda v: v.replace(" ", "") if isinstance(v, str) else v],
                       validators=[DataRequired(_l("Please type the six digits.")), Length(min=6, max=8)])
