"""REST API: ``GET /api/v1/recommendations`` for the signed-in learner (bearer or session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from lifelong.personalize.schemas import ReasonRead, RecommendationList, RecommendationRead
from lifelong.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/api/v1", tags=["recommendations"])


@router.get("/recommendations", response_model=RecommendationList)
def recommendations(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    kind: Annotated[
        str, Query(description="for_you, because, branch, programme or similar")
    ] = "for_you",
    limit: int = 10,
    resource_id: int | None = None,
) -> RecommendationList:
    """Recommendations of ``kind`` with explanations in both languages."""
    from lifelong.personalize import service  # NumPy/SciPy load on first use

    holder = getattr(request.app.state, "recommender", None)
    model = holder.get() if holder is not None else None
    found = service.recommendations_for(
        session, user, kind=kind, limit=limit, resource_id=resource_id, model=model
    )
    return RecommendationList(
        kind=kind,
        model_version=model.version if model is not None else None,
        items=[
            RecommendationRead(
                resource_id=r.resource.id,
                title=r.resource.title,
                url=f"/resources/{r.resource.id}",
                type=r.resource.type.value,
                level=r.resource.level.value,
                score=round(r.score, 6),
                reason=ReasonRead(code=r.reason.code, text=r.reason.texts()),
            )
            for r in found
        ],
    )
