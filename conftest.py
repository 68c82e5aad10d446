import pytest


@pytest.fixture
def world(db):
    """Two mines, branches, teams, people, and one account per role (see orgs/tests/factories.py)."""
    from orgs.tests.factories import build_world

    return build_world()


@pytest.fixture
def login(client):
    """login(user) -> a test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
