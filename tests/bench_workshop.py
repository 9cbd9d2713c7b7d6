"""Workshop load: many phones polling and writing against a running server.

``workshop_load(base_url, code, count_rows)`` simulates participants who
each join, poll every 2 s and write every 10 s (a suggestion or a comment,
then the page the write redirects to, as a phone does) for 60 s, over plain
http.client connections in threads (no dependencies).

It returns::

    {"workshop_p95_ms": ..., "workshop_errors": ..., "workshop_lost": ...}

- p95 over every poll, write and page load during the load (joining is setup);
- errors: failed requests and unexpected statuses (a 429 counts: the limits
  must not bite a normal workshop);
- lost: writes the server acknowledged (302) that the database does not hold
  afterwards. ``count_rows()`` is the caller's: it counts the workshop's input
  rows, e.g. ``lambda: Input.objects.filter(workshop__code=code).count()``.

By hand, against a server started with a workshop open::

    python tests/bench_workshop.py http://127.0.0.1:8000 ABCD2345
"""

import http.client
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The phone's state in the one live protocol (templates/mapping/_live.html#state).
VERSION_INPUT = re.compile(r'id="live-version" name="v" value="([^"]+)"')
CARD_LINK = re.compile(r'href="/j/[A-Z0-9]+/i/(\d+)/"')


class Phone:
    """One participant: a keep-alive connection and a cookie jar."""

    def __init__(self, base_url: str, code: str, number: int):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.code = code
        self.number = number
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.csrf = ""
        self.version = ""
        self.cards: list[str] = []
        self.writes = 0
        self.location = ""

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed: reconnect once.
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.coded_value
        self.location = response.getheader("Location", "")
        return response.status, text

    def read_page(self, text: str) -> None:
        if match := CSRF_INPUT.search(text):
            self.csrf = match.group(1)
        if match := VERSION_INPUT.search(text):
            self.version = match.group(1)
        self.cards = CARD_LINK.findall(text) or self.cards

    def join(self) -> None:
        status, text = self.request("GET", f"/j/{self.code}/")
        if status != 200:
            raise RuntimeError(f"join page answered {status}")
        self.read_page(text)
        status, _text = self.request("POST", f"/j/{self.code}/", {"csrfmiddlewaretoken": self.csrf, "name": ""})
        if status != 302:
            raise RuntimeError(f"join answered {status}")
        status, text = self.request("GET", f"/j/{self.code}/")
        if status != 200:
            raise RuntimeError(f"participant page answered {status}")
        self.read_page(text)

    def poll(self) -> int:
        status, text = self.request("GET", f"/j/{self.code}/poll/?v={self.version}", headers={"HX-Request": "true"})
        if status == 200:
            self.read_page(text)
        return status

    def write(self) -> int:
        self.writes += 1
        key = f"bench-{self.number}-{self.writes}-{random.getrandbits(32):08x}"
        if self.cards and self.writes % 2 == 0:
            card = random.choice(self.cards)
            path = f"/j/{self.code}/i/{card}/comment/"
            body = {"text": f"Kommentar {self.writes} fra telefon {self.number}", "key": key}
        else:
            path = f"/j/{self.code}/suggest/"
            body = {
                "text": f"Forslag {self.writes} fra telefon {self.number}",
                "cell": "gruppe:kultur",
                "is_missing": "0",
            }
            body["key"] = key
        body["csrfmiddlewaretoken"] = self.csrf
        status, _text = self.request("POST", path, body)
        return status

    def follow(self) -> int:
        """What a phone does after a write: load the page it is sent back to (and its thanks)."""
        path = urlsplit(self.location).path or f"/j/{self.code}/"
        status, text = self.request("GET", path)
        if status == 200:
            self.read_page(text)
        return status


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def workshop_load(
    base_url: str,
    code: str,
    count_rows: Callable[[], int] | None = None,
    participants: int = 60,
    poll_every: float = 2.0,
    write_every: float = 10.0,
    duration: float = 60.0,
) -> dict:
    lock = threading.Lock()
    timings: list[float] = []
    write_timings: list[float] = []
    errors: list[str] = []
    acknowledged = 0
    before = count_rows() if count_rows else 0

    phones = [Phone(base_url, code, n) for n in range(participants)]
    for phone in phones:  # joining is setup, not load
        try:
            phone.join()
        except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the run
            errors.append(f"join: {error!r}")

    start = time.monotonic() + 0.5
    deadline = start + duration

    def timed(call: Callable[[], int], kind: str, expected: set[int], also: list[float] | None = None) -> int | None:
        began = time.perf_counter()
        try:
            status = call()
        except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the run
            status = None
            with lock:
                errors.append(f"{kind}: {error!r}")
        elapsed = (time.perf_counter() - began) * 1000
        with lock:
            timings.append(elapsed)
            if also is not None:
                also.append(elapsed)
            if status is not None and status not in expected:
                errors.append(f"{kind}: HTTP {status}")
        return status

    def run(phone: Phone) -> None:
        nonlocal acknowledged
        rng = random.Random(phone.number)
        next_poll = start + rng.uniform(0, poll_every)
        next_write = start + rng.uniform(0, write_every)
        while True:
            now = time.monotonic()
            due = min(next_poll, next_write)
            if due >= deadline:
                return
            if due > now:
                time.sleep(due - now)
            is_write = next_write <= next_poll
            if is_write:
                status = timed(phone.write, "write", {302}, write_timings)
                if status == 302:
                    with lock:
                        acknowledged += 1
                    timed(phone.follow, "page", {200})
            else:
                timed(phone.poll, "poll", {200, 204})
            if is_write:
                next_write += write_every
            else:
                next_poll += poll_every

    threads = [threading.Thread(target=run, args=(phone,), daemon=True) for phone in phones if phone.csrf]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 30)
    for phone in phones:
        if phone.connection is not None:
            phone.connection.close()

    lost = None
    if count_rows is not None:
        lost = max(0, acknowledged - (count_rows() - before))
    return {
        "workshop_p95_ms": round(percentile(timings, 0.95), 1),
        "workshop_errors": len(errors),
        "workshop_lost": lost,
        "workshop_write_p95_ms": round(percentile(write_timings, 0.95), 1),
        "workshop_requests": len(timings),
        "workshop_writes": acknowledged,
        "workshop_error_samples": errors[:5],
    }


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python tests/bench_workshop.py BASE_URL CODE [PARTICIPANTS] [SECONDS]")
    result = workshop_load(
        sys.argv[1],
        sys.argv[2],
        participants=int(sys.argv[3]) if len(sys.argv) > 3 else 60,
        duration=float(sys.argv[4]) if len(sys.argv) > 4 else 60.0,
    )
    print(result)
