"""A stand-in DHIS2 server for tests: POST /api/dataValueSets as DHIS2 answers it.

It checks the credentials (Basic or `ApiToken`), validates the body against the JSON Schema
written from DHIS2's documentation, refuses values for organisation units it does not know
(a conflict, HTTP 409, as DHIS2 2.36+ answers), deletes the values an importStrategy=DELETE
import addresses, and replies with a DHIS2-shaped ImportSummary
wrapped in a web message. What it received is kept for the test to read.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jsonschema import Draft202012Validator

from cml.core.dhis2 import datavalueset_schema

USER, PASSWORD, TOKEN = "admin", "district", "d2pat_standinTOKEN0123456789"


@dataclass
class Received:
    bodies: list[dict[str, Any]] = field(default_factory=list)
    queries: list[dict[str, list[str]]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    schema_errors: list[str] = field(default_factory=list)


class StandIn:
    def __init__(self, known_org_units: set[str] | None = None) -> None:
        self.known_org_units = known_org_units
        self.received = Received()
        self.stored: dict[tuple[str, str, str, str, str], str] = {}
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def authorized(self, header: str) -> bool:
        if header == f"ApiToken {TOKEN}":
            return True
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return header == expected

    def import_values(self, body: dict[str, Any], dry_run: bool, strategy: str = "CREATE_AND_UPDATE") -> tuple[int, dict[str, Any]]:
        imported = updated = ignored = deleted = 0
        conflicts = []
        for value in body["dataValues"]:
            org_unit = value.get("orgUnit") or body.get("orgUnit")
            if self.known_org_units is not None and org_unit not in self.known_org_units:
                ignored += 1
                conflicts.append({"object": org_unit, "value": "Organisation unit not found or not accessible", "errorCode": "E7610"})
                continue
            key = (value["dataElement"], value.get("period") or body["period"], org_unit, value.get("categoryOptionCombo", ""),
                   value.get("attributeOptionCombo") or body.get("attributeOptionCombo", ""))
            if strategy == "DELETE":  # DHIS2 deletes the value at the address; one it does not hold is ignored
                deleted += key in self.stored
                ignored += key not in self.stored
                if not dry_run:
                    self.stored.pop(key, None)
                continue
            if "value" not in value:
                ignored += 1
                conflicts.append({"object": value["dataElement"], "value": "Data value is missing", "errorCode": "E7619"})
                continue
            if key in self.stored:
                updated += 1
            else:
                imported += 1
            if not dry_run:
                self.stored[key] = value["value"]
        status = "WARNING" if conflicts else "SUCCESS"
        summary = {
            "responseType": "ImportSummary", "status": status, "description": "Import process completed successfully",
            "importOptions": {"dryRun": dry_run, "importStrategy": strategy, "idSchemes": {}},
            "importCount": {"imported": imported, "updated": updated, "ignored": ignored, "deleted": deleted},
            "conflicts": conflicts, "dataSetComplete": body.get("completeDate", "false"),
        }
        code = 409 if conflicts else 200
        message = {"httpStatus": "Conflict" if conflicts else "OK", "httpStatusCode": code, "status": status if conflicts else "OK",
                   "message": "One more conflicts encountered, please check import summary." if conflicts else "Import was successful.",
                   "response": summary}
        return code, message

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _answer(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                if url.path != "/api/dataValueSets":
                    self._answer(404, {"httpStatus": "Not Found", "httpStatusCode": 404, "status": "ERROR", "message": "not found"})
                    return
                authorization = self.headers.get("Authorization", "")
                standin.received.authorizations.append(authorization)
                if not standin.authorized(authorization):
                    self._answer(401, {"httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR", "message": "Unauthorized"})
                    return
                if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                    self._answer(415, {"httpStatus": "Unsupported Media Type", "httpStatusCode": 415, "status": "ERROR"})
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                query = parse_qs(url.query)
                standin.received.bodies.append(body)
                standin.received.queries.append(query)
                errors = [f"{e.json_path}: {e.message}" for e in Draft202012Validator(datavalueset_schema()).iter_errors(body)]
                if errors:
                    standin.received.schema_errors += errors
                    self._answer(400, {"httpStatus": "Bad Request", "httpStatusCode": 400, "status": "ERROR", "message": errors[0]})
                    return
                self._answer(*standin.import_values(body, query.get("dryRun") == ["true"], query.get("importStrategy", ["CREATE_AND_UPDATE"])[0]))

        return Handler
