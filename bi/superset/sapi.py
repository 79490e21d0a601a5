"""A small client for Superset's REST API (login with JWT + CSRF), shared by bootstrap.py and smoke.py.
Runs in Superset's own virtualenv (requests comes with Superset)."""

from __future__ import annotations

import json

import requests


class Superset:
    def __init__(self, base: str, username: str, password: str):
        self.base = base.rstrip("/")
        self.http = requests.Session()
        token = self.http.post(f"{self.base}/api/v1/security/login", json={
            "username": username, "password": password, "provider": "db", "refresh": True}, timeout=60)
        token.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        csrf = self.http.get(f"{self.base}/api/v1/security/csrf_token/", timeout=60)
        csrf.raise_for_status()
        self.http.headers["X-CSRFToken"] = csrf.json()["result"]
        self.http.headers["Referer"] = self.base

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.http.request(method, f"{self.base}{path}", timeout=300, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code}: {response.text[:2000]}")
        return response

    def get(self, path: str, **kwargs) -> dict:
        return self.request("GET", path, **kwargs).json()

    def post(self, path: str, payload: dict) -> dict:
        return self.request("POST", path, json=payload).json()

    def find(self, resource: str, column: str, value: str) -> list[dict]:
        q = "(filters:!((col:%s,opr:eq,value:'%s')))" % (column, value.replace("'", "!'"))
        return self.get(f"/api/v1/{resource}/", params={"q": q})["result"]


def load_json(value):
    return json.loads(value) if isinstance(value, str) else value
