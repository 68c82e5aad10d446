import pytest

from stability import services


@pytest.fixture
def st(world):
    """The test world with stability settings for mine A; weekends do not roll periods over unless a test says so."""
    cfg = services.settings_for(world.mine)
    cfg.roll_holidays = False
    cfg.save()
    return world
