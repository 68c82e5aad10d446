"""Login by 工号, the forced first password change, and logout."""

from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect

from orgs.backends import users_for_login
from orgs.models import OrgKind, OrgNode


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.CharField(
        label="工号",
        max_length=60,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "class": "form-control", "inputmode": "text"}
        ),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )
    mine = forms.ModelChoiceField(
        label="所属矿",
        queryset=OrgNode.objects.filter(kind=OrgKind.MINE),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    error_messages = {
        "invalid_login": "工号或密码不正确。",
        "inactive": "该账号已停用,请联系管理员。",
        "ambiguous": "多个矿有此工号,请选择所属矿。",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        mine = self.cleaned_data.get("mine")
        if username and password and not mine and users_for_login(username).count() > 1:
            self.show_mine = True
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        if username is not None and password:
            from django.contrib.auth import authenticate

            self.user_cache = authenticate(
                self.request, username=username, password=password, mine=mine.pk if mine else None
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        from orgs.account_services import take_reset_notice

        response = super().form_valid(form)
        notice = take_reset_notice(form.get_user())
        if notice:
            messages.warning(self.request, notice)
        return response


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        "password_incorrect": "原密码不正确。",
        "password_mismatch": "两次输入的新密码不一致。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise forms.ValidationError("新密码不能与原密码相同。")
        return password


def password_change(request):
    if not request.user.is_authenticated:
        return redirect("login")
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.must_change_password = False
        user.save()
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    from django.shortcuts import render

    return render(
        request, "registration/password_change.html", {"form": form, "forced": request.user.must_change_password}
    )
