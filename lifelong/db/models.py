"""Imports every domain's tables so that metadata (and Alembic) sees all of them."""

from lifelong.accounts import models as accounts_models  # noqa: F401
from lifelong.db.base import Base
from lifelong.learning import models as learning_models  # noqa: F401
from lifelong.records import activities as lrs_activities  # noqa: F401
from lifelong.records import agents as lrs_agents  # noqa: F401
from lifelong.records import models as records_models  # noqa: F401
from lifelong.records.documents import models as lrs_document_models  # noqa: F401
from lifelong.synth import models as synth_models  # noqa: F401

metadata = Base.metadata
