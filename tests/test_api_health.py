"""The health check reports the database, its seed counts and the model."""

from __future__ import annotations


def test_health_reports_seed_counts(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["model"] == "all-MiniLM-L6-v2"
    counts = body["counts"]
    assert counts["courses"] >= 300
    assert counts["providers"] >= 25
    assert counts["demand_records"] >= 5000
    assert counts["digital_skills"] >= 1284


def test_unknown_route_gets_the_json_error_body(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    body = response.get_json()
    assert set(body) == {"code", "status", "message"}
    assert body["code"] == 404 and body["status"] == "Not Found"


def test_wrong_method_gets_405_with_allow_header(client):
    response = client.post("/api/v1/health")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["code"] == 405
