"""Crawl the platform deployed in production shape, through nginx and TLS (CI's stage 4/5).

Anonymously and as each demo role, every page linked from the header and its navigation is
opened; the run fails on any 5xx (or other non-200 answer), on a missing security header,
on a session or CSRF cookie without ``Secure``, on a stylesheet or script that does not
load, when plain HTTP does not redirect to HTTPS, or when a file a coordinator attaches to
a meeting does not come back, byte for byte, through the link the page shows.
"""

from __future__ import annotations

import argparse
import io
import re
import secrets
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from pypdf import PdfWriter

# The demo logins of the README (manage.py seed_demo).
DEMO_LOGINS = (
    "coordinator@example.org",
    "desk@example.org",
    "surveyor@example.org",
    "reviewer@example.org",
    "judge@example.org",
    "member@example.org",
    "representative@example.org",
    "company@example.org",
    "resident@example.org",
)
SECURITY_HEADERS = (
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
)


def one_page_pdf() -> bytes:
    """A real PDF, as a scanner writes it: the platform checks what a file is, not its name."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (type, name, value)


class Page(HTMLParser):
    """The links of a page's header and navigation, all its links, assets and forms."""

    def __init__(self) -> None:
        super().__init__()
        self.navigation: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.assets: list[str] = []
        self.forms: list[Form] = []
        self._in_header = 0
        self._link: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag in ("header", "nav"):
            self._in_header += 1
        elif tag == "a" and a.get("href"):
            self._href, self._link = a["href"], []
            if self._in_header:
                self.navigation.append(a["href"])
        elif tag == "script" or (tag == "img" and a.get("src", "").startswith("/media/")):
            # Scripts, and uploaded images (nginx's /media/public/ or the app's views).
            if a.get("src"):
                self.assets.append(a["src"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.assets.append(a["href"])
        elif tag == "form":
            method = a.get("method", "get").lower()
            self.forms.append(Form(a.get("action", ""), method, a.get("enctype", "")))
        elif tag in ("input", "textarea", "select") and self.forms and a.get("name"):
            kind = a.get("type", "text") if tag == "input" else tag
            self.forms[-1].fields.append((kind, a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("header", "nav"):
            self._in_header -= 1
        elif tag == "a" and self._link is not None:
            self.links.append((self._href, " ".join("".join(self._link).split())))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


class Crawl:
    def __init__(self, base: str, ca: str) -> None:
        self.base = base.rstrip("/")
        self.ca = ca
        self.failures: list[str] = []
        self.pages: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.assets_seen: set[str] = set()

    def fail(self, who: str, message: str) -> None:
        with self.lock:
            self.failures.append(f"[{who}] {message}")

    def session(self) -> requests.Session:
        session = requests.Session()
        # The site's own certificate only: no CA bundle or proxy from the environment.
        session.trust_env = False
        session.verify = self.ca
        return session

    def same_site(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.base).netloc

    def get(self, session: requests.Session, who: str, url: str) -> requests.Response | None:
        try:
            response = session.get(url, timeout=30)
        except requests.RequestException as error:
            self.fail(who, f"GET {url}: {error}")
            return None
        with self.lock:
            self.pages[who] += 1
        if response.status_code != 200:
            self.fail(who, f"GET {url} answered {response.status_code}")
        if "text/html" in response.headers.get("Content-Type", ""):
            self.check_headers(who, url, response)
        return response

    def check_headers(self, who: str, url: str, response: requests.Response) -> None:
        headers = response.headers
        missing = [name for name in SECURITY_HEADERS if name not in headers]
        framing = "X-Frame-Options" in headers or "frame-ancestors" in headers.get(
            "Content-Security-Policy", ""
        )
        if not framing:
            missing.append("X-Frame-Options or frame-ancestors")
        if missing:
            self.fail(who, f"{url} lacks {', '.join(missing)}")
        if headers.get("X-Content-Type-Options", "nosniff") != "nosniff":
            self.fail(who, f"{url}: X-Content-Type-Options is not nosniff")

    def check_cookies(self, who: str, session: requests.Session) -> None:
        names = {cookie.name: cookie for cookie in session.cookies}
        for name in ("sessionid", "csrftoken"):
            if name not in names:
                self.fail(who, f"no {name} cookie was set")
            elif not names[name].secure:
                self.fail(who, f"the {name} cookie is not Secure")

    def visit(self, session: requests.Session, who: str) -> None:
        """The home page, then every page its header and navigation link to."""
        home = self.get(session, who, self.base + "/")
        if home is None:
            return
        page = parse(home.text)
        targets = [urljoin(home.url, href) for href in page.navigation]
        seen = {home.url}
        for url in dict.fromkeys(t.split("#")[0] for t in targets if self.same_site(t)):
            if url in seen:
                continue
            response = self.get(session, who, url)
            if response is not None and "text/html" in response.headers.get("Content-Type", ""):
                self.check_assets(session, who, response)
        self.check_assets(session, who, home)

    def check_assets(
        self, session: requests.Session, who: str, response: requests.Response
    ) -> None:
        for src in parse(response.text).assets:
            url = urljoin(response.url, src)
            with self.lock:
                if url in self.assets_seen or not self.same_site(url):
                    continue
                self.assets_seen.add(url)
            asset = session.get(url, timeout=30)
            if asset.status_code != 200:
                self.fail(who, f"{url} (on {response.url}) answered {asset.status_code}")

    def submit(
        self,
        session: requests.Session,
        page: requests.Response,
        form: Form,
        values: dict[str, str],
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> requests.Response:
        data = {name: value for kind, name, value in form.fields if kind == "hidden"}
        data.update(values)
        return session.post(
            urljoin(page.url, form.action or page.url),
            data=data,
            files=files,
            # Django checks the Referer of HTTPS form posts against the host.
            headers={"Referer": page.url},
            timeout=60,
        )

    def sign_in(self, session: requests.Session, email: str, password: str) -> bool:
        login_page = session.get(f"{self.base}/cuentas/login/", timeout=30)
        form = next(
            (
                f
                for f in parse(login_page.text).forms
                if any(n == "password" for _, n, _ in f.fields)
            ),
            None,
        )
        if form is None:
            self.fail(email, "no sign-in form at /cuentas/login/")
            return False
        after = self.submit(session, login_page, form, {"login": email, "password": password})
        if after.status_code != 200 or "/cuentas/login/" in after.url:
            self.fail(email, f"signing in failed ({after.status_code} at {after.url})")
            return False
        return True

    def as_role(self, email: str | None, password: str) -> str:
        """Visit the site anonymously (no email) or signed in; one line of what was seen."""
        who = email or "anonymous"
        session = self.session()
        if email is not None:
            if not self.sign_in(session, email, password):
                return f"{who}: could not sign in"
            self.check_cookies(email, session)
        self.visit(session, who)
        if email is not None and email.startswith("coordinator@"):
            self.upload_round_trip(session, who)
        return f"{who}: {self.pages[who]} pages"

    def upload_round_trip(self, session: requests.Session, who: str) -> None:
        """A file attached to a meeting comes back through the link the meeting page shows."""
        listing = self.get(session, who, f"{self.base}/plataforma/reuniones/")
        if listing is None:
            return
        detail_links = [
            urljoin(listing.url, href)
            for href, _text in parse(listing.text).links
            if urlsplit(urljoin(listing.url, href)).path.rstrip("/").split("/")[-1].isdigit()
            and "/plataforma/reuniones/" in href
        ]
        if not detail_links:
            self.fail(who, "no meeting to attach a file to")
            return
        detail = self.get(session, who, detail_links[0])
        if detail is None:
            return
        form = next(
            (f for f in parse(detail.text).forms if f.enctype == "multipart/form-data"), None
        )
        if form is None:
            self.fail(who, f"no upload form on {detail.url}")
            return
        title = f"Acta CI {secrets.token_hex(4)}"
        values = {name: title for kind, name, _ in form.fields if kind in ("text", "textarea")}
        file_fields = [name for kind, name, _ in form.fields if kind == "file"]
        pdf = one_page_pdf()
        files = dict.fromkeys(file_fields, ("acta-ci.pdf", pdf, "application/pdf"))
        after = self.submit(session, detail, form, values, files)
        if after.status_code != 200:
            errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', after.text, re.S)
            self.fail(who, f"the upload answered {after.status_code}: {errors}")
            return
        hrefs = [href for href, text in parse(after.text).links if title in text]
        if not hrefs:
            self.fail(who, f"the page after the upload shows no link named {title!r}")
            return
        url = urljoin(after.url, hrefs[0])
        got = session.get(url, timeout=30)
        if got.status_code != 200 or got.content != pdf:
            self.fail(who, f"the uploaded file at {url} came back {got.status_code}, not the same")
        elif got.headers.get("X-Content-Type-Options") != "nosniff":
            self.fail(who, f"the uploaded file at {url} is served without nosniff")
        else:
            kind = got.headers.get("Content-Type")
            print(f"   the uploaded file came back through {urlsplit(url).path} ({kind})")


ROLES = (None, *DEMO_LOGINS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--https", required=True, help="e.g. https://localhost:18443")
    parser.add_argument("--http", required=True, help="the plain-HTTP address of the same site")
    parser.add_argument("--ca", required=True, help="the site's (self-signed) certificate")
    parser.add_argument("--password", required=True, help="the demo logins' password")
    parser.add_argument("--public-file", required=True, help="a public upload on disk…")
    parser.add_argument("--public-url", required=True, help="…and its address (/media/public/)")
    args = parser.parse_args()
    crawl = Crawl(args.https, args.ca)

    # The first request of each web process loads every URL module: wait for the site to
    # answer before judging it, within a deadline.
    deadline = time.monotonic() + 120
    while True:
        try:
            health = crawl.session().get(f"{crawl.base}/healthz", timeout=30)
            break
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    if health.status_code != 200 or health.json().get("status") != "ok":
        crawl.fail("healthz", f"{health.status_code} {health.text}")

    plain = crawl.session().get(args.http + "/", allow_redirects=False, timeout=10)
    if plain.status_code != 301 or not plain.headers.get("Location", "").startswith("https://"):
        crawl.fail("http", f"plain HTTP answered {plain.status_code}, not a redirect to HTTPS")
    public = crawl.session().get(crawl.base + args.public_url, timeout=10)
    if public.status_code != 200 or public.content != Path(args.public_file).read_bytes():
        crawl.fail("anonymous", f"{args.public_url} answered {public.status_code}, not the file")
    elif public.headers.get("X-Content-Type-Options") != "nosniff":
        crawl.fail("anonymous", f"{args.public_url} is served without nosniff")
    # nginx compresses pages: Brotli for a browser that accepts it, else gzip, else none.
    for accepted, expected in (("br, gzip", "br"), ("gzip", "gzip"), ("identity", None)):
        page = crawl.session().get(
            crawl.base + "/", headers={"Accept-Encoding": accepted}, timeout=10, stream=True
        )
        encoding = page.headers.get("Content-Encoding")
        if page.status_code != 200 or encoding != expected:
            crawl.fail("anonymous", f"/ for {accepted!r} came back {page.status_code} {encoding}")
        page.close()
    # Private files have no address: neither nginx's internal location nor /media/private/.
    for closed in ("/_protected_media/private/", "/media/private/"):
        outside = crawl.session().get(crawl.base + closed, timeout=10)
        if outside.status_code != 404:
            crawl.fail("anonymous", f"{closed} answered {outside.status_code}, not 404")

    # Each login in its own session, four at a time: the site serves them concurrently.
    with ThreadPoolExecutor(max_workers=4) as pool:
        for line in pool.map(lambda email: crawl.as_role(email, args.password), ROLES):
            print(f"   {line}")

    if crawl.failures:
        total = sum(crawl.pages.values())
        print(f"{len(crawl.failures)} problem(s) in {total} pages:", file=sys.stderr)
        for failure in crawl.failures:
            print(f" - {failure}", file=sys.stderr)
        return 1
    total = sum(crawl.pages.values())
    print(f"{total} pages, {len(crawl.assets_seen)} static and media files: no errors.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
