"""Domain errors raised by services and turned into answers by views and the API.

- ``NotFound``: the object does not exist *or is outside the user's scope* (404, never 403-with-contents).
- ``Forbidden``: the object is in scope but the user's roles may not do this (403).
- ``Conflict``: the action is not allowed in the object's current state, or the form was stale (409).
Field validation uses Django's ``ValidationError`` with a dict of field -> messages.
"""


class DomainError(Exception):
    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status = 404

    def __init__(self, message="对象不存在或不在您的权限范围内"):
        super().__init__(message)


class Forbidden(DomainError):
    status = 403

    def __init__(self, message="您的角色无权执行此操作"):
        super().__init__(message)


class Conflict(DomainError):
    status = 409
