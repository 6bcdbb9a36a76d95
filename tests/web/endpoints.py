"""Which endpoints answer a person with an HTML page, and which answer a program or give a file: one definition
for the tests that walk or fill the pages (test_navigation, test_fuzz)."""

from __future__ import annotations

# Answered to programs, never linked for a reader: the token API and its document, the collection app's JSON,
# ODK Collect's XML, a chart's data, the offline app's worker and manifest, the health check, static files.
FOR_PROGRAMS_PREFIXES = ("api.", "api-docs.", "collect_api.", "openrosa.")
FOR_PROGRAMS = frozenset({"static", "vendor.plotly_js", "collect.service_worker", "collect.manifest", "dashboard.indicator_json",
                          "health.healthz"})
# Files a person downloads from a link of a page: PDFs, a spreadsheet, a CSV template.
DOWNLOADS = frozenset({"reports.brief_pdf", "warnings.bulletin_pdf", "meetings.register", "collect.import_template"})


def for_programs(endpoint: str) -> bool:
    return endpoint in FOR_PROGRAMS or endpoint.startswith(FOR_PROGRAMS_PREFIXES)


def is_html_page(endpoint: str) -> bool:
    """Whether a GET of `endpoint` answers an HTML page (with links to follow and forms to fill)."""
    return not for_programs(endpoint) and endpoint not in DOWNLOADS
