"""Personal API tokens: made on the profile page and shown once, stored hashed, audited, revoked; and the only
way into the API (no header, an unknown or revoked token, or a page session alone: 401)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy import select

from accounts.models import ApiToken
from app.extensions import db
from app.models import AuditEvent, AuditLog


def test_a_token_made_on_the_profile_page_is_shown_once_stored_hashed_and_audited(login_as):
    client = login_as("officer")
    made = client.post("/account/tokens", data={"name": "SIMBG Kota Serang"})
    assert made.status_code == 302 and made.headers["Location"] == "/account/tokens"
    page = client.get("/account/tokens")
    secret = re.search(r"pantau_[A-Za-z0-9_-]{40,}", page.get_data(as_text=True)).group(0)
    token = db.session.scalar(select(ApiToken))
    assert token.name == "SIMBG Kota Serang" and token.user_id == client.user.id
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.prefix, token.token_hash} and secret.startswith(token.prefix)
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and token.prefix in again  # shown once; afterwards only its prefix
    assert db.session.scalar(select(AuditLog.event).where(AuditLog.user_id == client.user.id)) is (
        AuditEvent.API_TOKEN_CREATED
    )


def test_a_token_without_a_name_is_refused(login_as):
    client = login_as("officer")
    assert client.post("/account/tokens", data={"name": "   "}).status_code == 422
    assert db.session.scalar(select(ApiToken)) is None


def test_calls_without_a_valid_token_answer_401_as_problem_details(app, token_for):
    caller = token_for("officer")
    client = app.test_client()
    for headers in (
        {},
        {"Authorization": "Bearer pantau_not-a-token"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer " + "x" * 5000},
        {"Authorization": "Bearer"},
    ):
        response = client.get("/api/v1/permits", headers=headers)
        assert response.status_code == 401, headers
        assert response.mimetype == "application/problem+json"
        assert "token" in response.get_json()["detail"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert caller.get("/api/v1/permits").status_code == 200


def test_a_page_session_does_not_authenticate_an_api_call(login_as):
    client = login_as("administrator")
    assert client.get("/").status_code == 200  # signed in for the pages
    response = client.get("/api/v1/investors")
    assert response.status_code == 401


def test_a_revoked_token_answers_401_and_the_revocation_is_audited(login_as, token_for, app):
    caller = token_for("officer")
    assert caller.get("/api/v1/investors").status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == caller.user.id))
    assert token.last_used_at is not None
    owner = login_as("officer")
    assert owner.post(f"/account/tokens/{token.id}/revoke").status_code == 404  # somebody else's token
    db.session.refresh(token)
    assert token.revoked_at is None
    from tests.conftest import SignedInClient

    client = SignedInClient(app, app.response_class, use_cookies=True)
    client.sign_in_as = caller.user.get_id()
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert caller.get("/api/v1/investors").status_code == 401
    events = db.session.scalars(select(AuditLog.event).where(AuditLog.user_id == caller.user.id)).all()
    assert AuditEvent.API_TOKEN_REVOKED in events


def test_a_deactivated_account_s_tokens_stop_working(token_for):
    caller = token_for("officer")
    caller.user.active = False
    db.session.commit()
    assert caller.get("/api/v1/investors").status_code == 401


def test_the_document_and_its_page_are_served_by_the_app(anon_client):
    document = anon_client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    spec = document.get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/permits/{permit_id}/transitions" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = anon_client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "/static/js/api-docs.js" in page
    assert "<script>" not in page  # the CSP forbids inline scripts
    asset = anon_client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    asset.close()
    assert asset.status_code == 200


# swagger-ui-dist 5.35.0, fetched once with `npm pack swagger-ui-dist@5.35.0` and committed with its licence. One
# change in the bundle: its operations are a <section>, not a second <main> inside the page's (WCAG: one main).
VENDORED = {
    "swagger-ui-bundle.js": "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2",
    "swagger-ui.css": "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d",
    "LICENSE": "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30",
}
PATCH = (b'createElement("main",{id:"operations"', b'createElement("section",{id:"operations"')


def test_the_vendored_documentation_assets_are_the_published_ones_but_for_one_landmark(app):
    folder = Path(app.static_folder) / "vendor" / "swagger-ui"
    for name, digest in VENDORED.items():
        content = (folder / name).read_bytes()
        if name == "swagger-ui-bundle.js":
            assert content.count(PATCH[1]) == 1 and PATCH[0] not in content
            content = content.replace(PATCH[1], PATCH[0])  # undo the one change: the published file
        assert hashlib.sha256(content).hexdigest() == digest, name
