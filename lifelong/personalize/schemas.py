"""API shapes of recommendations."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ReasonRead(BaseModel):
    """Why it is recommended: a stable code, its parameters and the sentence per language."""

    code: str = Field(description="because, also_studied, similar, branch, programme, ...")
    text: dict[str, str] = Field(description="The explanation in zh_CN and en.")


class RecommendationRead(BaseModel):
    """One recommended resource."""

    resource_id: int
    title: str
    url: str
    type: str
    level: str
    score: float
    reason: ReasonRead


class RecommendationList(BaseModel):
    """Recommendations of one kind for the caller."""

    kind: str
    model_version: str | None = Field(description="The model that ranked them, if one was used.")
    items: list[RecommendationRead]
