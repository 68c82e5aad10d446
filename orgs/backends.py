"""Login by 工号 (employee number) + password.

System accounts (e.g. ``admin``) log in by their user name. A 工号 is unique inside one mine;
when the same 工号 exists in several mines of a group, the login form asks for the mine.
"""

from django.contrib.auth.backends import ModelBackend

from orgs.models import User


def users_for_login(login, mine_id=None):
    login = (login or "").strip()
    if not login:
        return User.objects.none()
    by_name = User.objects.filter(username=login)
    if by_name.exists():
        return by_name
    users = User.objects.filter(person__emp_no=login)
    if mine_id:
        users = users.filter(person__mine_id=mine_id)
    return users


class EmployeeNumberBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, mine=None, **kwargs):
        candidates = list(users_for_login(username, mine)[:2])
        if len(candidates) != 1:
            # Unknown, or ambiguous across mines: run the hasher anyway so timing does not tell.
            User().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
