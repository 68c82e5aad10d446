import pytest

from care import services


@pytest.fixture
def care(world):
    """The demo world with the default catalogue; the worker's 班组长 and a party member who helps."""
    services.ensure_defaults(world.mine)
    services.ensure_defaults(world.mine_b)
    return world
