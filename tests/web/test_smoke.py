from tests.conftest import login


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_each_demo_role_sees_its_home(client, world):
    expectations = {
        "demo-monitor": b"Record an interview",
        "demo-lead": b"Interviews by facility",
        "demo-advocate": b"Interviews by region",
        "demo-admin": b"Administration",
    }
    for username, marker in expectations.items():
        assert login(client, username).status_code == 302
        page = client.get("/")
        assert page.status_code == 200
        assert marker in page.data, username
        client.post("/logout")


def test_health_endpoint_reports_the_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_pages_and_static_files_are_compressed_and_cached(client) -> None:
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("Content-Encoding") == "gzip"
    css = client.get("/static/cml.css", headers={"Accept-Encoding": "br, gzip"})
    assert css.headers.get("Content-Encoding") in ("br", "gzip")
    assert "max-age=86400" in css.headers["Cache-Control"]
