"""A real HTTP receiver on loopback for the webhook tests: records what it is sent, answers the codes
it is given in turn (then 200), or hangs; and the README's verification snippet, run as printed."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Receiver:
    def __init__(self, codes: list[int] | None = None, *, hang: float = 0, location: str = ""):
        self.codes, self.hang, self.location = list(codes or []), hang, location
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.arrived:
                    receiver.received.append(({k.title(): v for k, v in self.headers.items()}, body))
                    receiver.arrived.notify_all()
                if receiver.hang:
                    threading.Event().wait(receiver.hang)
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()
                self.wfile.write(b"ok " + str(code).encode() + b" " + b"x" * 5000)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook?from=tj"

    def wait_for(self, count: int, timeout: float = 60) -> list[tuple[dict[str, str], bytes]]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout):
                raise AssertionError(f"{len(self.received)} of {count} deliveries arrived within {timeout} s")
            return list(self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def readme_verify():
    """The `verify` function of the README's Webhooks section, as a receiver would paste it."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("### Webhooks") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation, under test
    return namespace["verify"]
