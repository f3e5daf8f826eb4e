from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role


class UserForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=User.organisation.field.related_model.objects.filter(is_active=True),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: User, subject: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a superuser moves users between organisations.
        if not actor.is_superuser:
            del self.fields["organisation"]
        if subject is not None and subject.pk == actor.pk:
            # Nobody changes their own roles: the service refuses it, with a message.
            self.fields["roles"].required = False
            self.fields["roles"].help_text = _(
                "You cannot change your own roles: another administrator does."
            )
        else:
            self.fields["roles"].help_text = _(
                "Roles that reach case files, participant registers or user management take "
                "effect once another administrator approves them. Roles taken away go at once."
            )
        if subject is not None:
            self.fields["email"].help_text = _(
                "A new address takes effect once confirmed with the link sent to it."
            )


class UserCreateForm(UserForm):
    """A new account, without a password: its owner chooses one through the invitation
    (accounts/invitations.py)."""

    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @ . + - _ only."),
        error_messages={"invalid": _("Use only letters, digits and @ . + - _.")},
    )

    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "job_title",
        "organisation",
        "roles",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _(
            "The invitation to choose a password goes to this address; opening it confirms "
            "the address. Without one, you hand the invitation link over yourself."
        )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username


def _password_field(label: str | None = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Asked again because this changes how your account is protected."),
    )


class PasswordConfirmForm(forms.Form):
    """The password again, for a change to how an account is protected."""

    password = _password_field()


class AuthenticatorForm(forms.Form):
    replace = forms.TypedChoiceField(
        label=_("What to do with your current authenticator"),
        choices=[
            ("1", _("Replace it (it stops working once the new one is confirmed)")),
            ("0", _("Keep it and add this one")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Name of the new authenticator"),
        max_length=64,
        required=False,
        help_text=_("For example: work phone."),
    )
    token = forms.CharField(
        label=_("Code shown by the new authenticator"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = _password_field()


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        help_text=_("A link goes to this address; the change takes effect when it is opened."),
    )
    password = _password_field()


class AdminPasswordForm(forms.Form):
    """An administrator's own password, before removing a user's devices."""

    password = _password_field(_("Your own password"))
