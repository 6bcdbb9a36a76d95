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
