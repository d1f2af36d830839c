"""``lifelong recommend train`` and ``status`` as a user runs them."""

from __future__ import annotations

from lifelong.config import Settings
from tests.personalize.factories import World
from tests.test_cli import lifelong


def test_train_then_status(world: World, settings: Settings) -> None:
    env = {
        "LIFELONG_DATA_DIR": str(settings.data_dir),
        "LIFELONG_DATABASE_URL": str(settings.database_url),
        "LIFELONG_RECOMMEND__FACTORS": "8",
        "LIFELONG_RECOMMEND__ITERATIONS": "5",
    }
    assert "no recommender model yet" in lifelong("recommend", "status", env=env).stdout
    trained = lifelong("recommend", "train", env=env)
    assert trained.returncode == 0, trained.stderr
    version = (settings.recommender_dir / "CURRENT").read_text()
    assert f"model {version}: 60 learners, 40 resources, 240 interactions" in trained.stdout
    status = lifelong("recommend", "status", env=env)
    assert version in status.stdout
