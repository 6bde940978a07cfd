from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.forms import Form


class LoginForm(Form):
    # No format check: logging in only looks the address up (and demo accounts use the reserved .local domain).
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class TotpForm(Form):
    code = StringField(_l("Code from your app"), filters=[lambda v: v.replace(" ", "") if isinstance(v, str) else v],
                       validators=[DataRequired(_l("Please type the six digits.")), Length(min=6, max=8)])


class ForgotPasswordForm(Form):
    # No format check, as for logging in: the answer is the same for any address.
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Please choose a password.")),
        Length(min=10, max=200, message=_l("Between 10 and 200 characters, please."))],
        description=_l("At least 10 characters."))
    password2 = PasswordField(_l("New password again"), validators=[
        DataRequired(_l("Please repeat the password.")), EqualTo("password", _l("The passwords differ."))])
