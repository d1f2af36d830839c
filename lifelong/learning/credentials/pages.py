"""Pages of certificates: the printable certificate and the public verification page."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from lifelong.learning.credentials import openbadges, signing
from lifelong.learning.credentials import service as certificates
from lifelong.web.deps import AppSettings, CurrentUser, DbSession, OptionalUser
from lifelong.web.i18n import gettext
from lifelong.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/certificates/{certificate_id}")
def certificate_page(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    certificate_id: str,
) -> Response:
    """The printable certificate (its holder, or an administrator within reach)."""
    certificate = certificates.owned(session, user, certificate_id)
    credential = certificates.credential_for(session, settings, certificate)
    holder = session.get(type(user), certificate.user_id)
    return render(
        request,
        "credentials/certificate.html",
        {
            "certificate": certificate,
            "holder": holder,
            "verify_url": openbadges.verify_url(settings, certificate.id),
            "credential_json": json.dumps(credential, ensure_ascii=False, indent=2),
        },
    )


@router.get("/verify/{certificate_id}")
def verify_page(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
    certificate_id: str,
) -> Response:
    """Anyone can check a certificate here: valid, revoked, or not found."""
    outcome = certificates.verify(session, settings, certificate_id)
    status = 404 if outcome.status == "not_found" else 200
    # Problems are English msgids (the API shows them as they are); translated here as
    # plain text, so the template still escapes them.
    problems = [gettext(request.state.locale, problem) for problem in outcome.problems]
    return render(
        request,
        "credentials/verify.html",
        {"outcome": outcome, "certificate_id": certificate_id, "problems": problems},
        status_code=status,
    )


@router.get("/issuer")
def issuer_page(request: Request, settings: AppSettings, user: OptionalUser) -> Response:
    """The issuer's public profile and the key its credentials are signed with.

    Asked for JSON, it answers the OB 3.0 Profile with its Multikey verification method,
    so a verifier can resolve the issuer id found in a credential.
    """
    public = signing.load_key(settings).public_key()
    if "json" in request.headers.get("accept", "") and "html" not in request.headers.get(
        "accept", ""
    ):
        method = signing.verification_method(public)
        return JSONResponse(
            {
                "@context": openbadges.CONTEXTS,
                "id": openbadges.issuer_id(settings),
                "type": ["Profile"],
                "name": "Lifelong Open University",
                "url": settings.public_url.rstrip("/"),
                "verificationMethod": [
                    {
                        "id": method,
                        "type": "Multikey",
                        "controller": signing.did_key(public),
                        "publicKeyMultibase": signing.did_key(public).removeprefix("did:key:"),
                    }
                ],
            }
        )
    return render(
        request,
        "credentials/issuer.html",
        {"did": signing.did_key(public), "method": signing.verification_method(public)},
    )
