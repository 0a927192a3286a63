"""The load generator of benchmarks/api_throughput.py, run by it as a process of its own.

Run: .venv/bin/python benchmarks/load_client.py --port P --path /api/v1/signals
     [--requests N] [--seconds S] [--concurrency C] [--token T] [--tag TEXT]
``--concurrency`` threads each hold one HTTP/1.1 connection to 127.0.0.1 (kept alive while the
server keeps it open, opened again when the server closes it, as gunicorn's sync workers do
after every response) and POST signal submissions one after another — JSON bodies like a
partner system sends, every title different — until ``--requests`` have been sent or
``--seconds`` have passed, whichever comes first. A request that is in flight at the deadline
is waited for and counted.

The HTTP is written and read by hand over plain sockets: the requests are prebuilt bytes and
the parser reads only the status line and ``Content-Length``, so that the client costs the
two cores the servers share as little as it can; the threads spend their time in ``send`` and
``recv``, outside the GIL. Prints one JSON object: completed (2xx) and error counts, the
statuses seen, the first error bodies, elapsed seconds and every 2xx latency in ms.
"""

import argparse
import itertools
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"
FIRST_ERRORS = 5
SUBJECTS = [
    "Terugvordering kinderopvangtoeslag bij wisselend inkomen",
    "Beslagvrije voet te laag na samenloop van beslagen",
    "Wachttijd bijzondere bijstand voor witgoed",
    "Kostendelersnorm bij inwonende mantelzorger",
    "Participatiewet en studiefinanciering sluiten niet aan",
    "Huurtoeslag vervalt na verhuizing binnen de stad",
    "Schuldhulp stopt bij nieuwe boete van het CJIB",
    "Energietoeslag niet voor wie in een instelling woont",
    "Inlichtingenplicht onduidelijk bij giften van familie",
    "Zorgtoeslag terugbetalen na correctie door de Belastingdienst",
]
SITUATIONS = [
    "Een inwoner met wisselende uren krijgt elk jaar een terugvordering die hij niet kan "
    "betalen, terwijl de regeling bedoeld is om werken te laten lonen.",
    "Twee instanties wachten op elkaar, en intussen loopt de achterstand op en dreigt "
    "afsluiting van energie. Wij zien dit in meerdere huishoudens in de wijk.",
    "De regel is helder, maar pakt in deze situatie onredelijk uit: het gezin valt tussen "
    "twee regelingen in en geen van beide loketten voelt zich verantwoordelijk.",
]


def signal_body(number: int, tag: str) -> dict[str, Any]:
    """A signal submission as a partner system sends it; the title differs every time."""
    return {
        "title": f"{SUBJECTS[number % len(SUBJECTS)]} ({tag} nr {number})",
        "situation": SITUATIONS[number % len(SITUATIONS)],
        "regulations": ["toeslagen"] if number % 3 else ["toeslagen", "participatiewet"],
        "level": "national_law",
        "scope": "individual" if number % 4 else "possibly_structural",
        "urgency": "normal",
        "maatwerk": "unknown",
    }


def request_bytes(path: str, port: int, token: str | None, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    headers = [
        f"POST {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(payload)}",
    ]
    if token:
        headers.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + payload


class Connection:
    """One HTTP/1.1 connection: a request's bytes out, the status and body back."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.buffer = b""

    def exchange(self, data: bytes) -> tuple[int, bytes]:
        """Send ``data``; on a kept-alive connection the server closed meanwhile, once more."""
        reused = self.sock is not None
        try:
            return self._exchange(data)
        except (ConnectionError, EOFError):
            self.close()
            if not reused:
                raise
            return self._exchange(data)

    def _exchange(self, data: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection((HOST, self.port), timeout=60)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(data)
        while b"\r\n\r\n" not in self.buffer:
            self._receive()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = 0
        close = lines[0].startswith(b"HTTP/1.0")
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
            elif name == b"transfer-encoding":
                raise ValueError("chunked answers are not expected")
        self.buffer = rest
        while len(self.buffer) < length:
            self._receive()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if close:
            self.close()
        return status, body

    def _receive(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        self.buffer += chunk


@dataclass
class Tally:
    """What one thread saw."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.first_errors) < FIRST_ERRORS:
            self.first_errors.append(text[:300])


def run(
    port: int,
    path: str,
    token: str | None,
    requests: int,
    seconds: float,
    concurrency: int,
    tag: str,
) -> dict[str, Any]:
    numbers = itertools.count()  # next() on it is atomic under the GIL
    start = threading.Barrier(concurrency + 1)
    tallies = [Tally() for _ in range(concurrency)]
    deadline = 0.0

    def worker(tally: Tally) -> None:
        connection = Connection(port)
        start.wait()
        while True:
            number = next(numbers)
            if number >= requests or time.perf_counter() >= deadline:
                break
            data = request_bytes(path, port, token, signal_body(number, tag))
            began = time.perf_counter()
            try:
                status, body = connection.exchange(data)
            except (OSError, EOFError, ValueError) as error:
                connection.close()
                tally.error(f"{type(error).__name__}: {error}")
                continue
            elapsed_ms = (time.perf_counter() - began) * 1000
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                tally.latencies_ms.append(elapsed_ms)
            else:
                tally.error(f"{status}: {body.decode(errors='replace')}")
        connection.close()

    threads = [threading.Thread(target=worker, args=(tally,)) for tally in tallies]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    statuses: dict[int, int] = {}
    for tally in tallies:
        for status, count in tally.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "completed": sum(len(tally.latencies_ms) for tally in tallies),
        "errors": sum(tally.errors for tally in tallies),
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "first_errors": [text for tally in tallies for text in tally.first_errors][:FIRST_ERRORS],
        "elapsed": elapsed,
        "latencies_ms": [latency for tally in tallies for latency in tally.latencies_ms],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--token")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--tag", default="bench", help="goes into every title")
    args = parser.parse_args()
    result = run(
        args.port,
        args.path,
        args.token,
        args.requests,
        args.seconds,
        args.concurrency,
        args.tag,
    )
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
