"""Headless Chromium driven over the Chrome DevTools Protocol: launch it with a throwaway profile,
find its page target, call methods, and record console errors and uncaught exceptions meanwhile.
Standard library and websocket-client only; used by dashboard_browser.py."""
import ctypes
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request

import websocket


class Failure(Exception):
    """Ends the run with FAILED: <message>."""


class DevTools:
    """A DevTools connection to one page target; records console errors and exceptions while it waits."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=10, suppress_origin=True)
        self.next_id = 0
        self.console = []      # console.error/warn/assert calls and browser log errors
        self.exceptions = []   # uncaught exceptions thrown in the page

    def call(self, method, params=None, timeout=10.0):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline - time.monotonic())
            if message is None:
                raise Failure(f"DevTools did not answer {method} within {timeout:.0f} s")
            if message.get("id") == ident:
                if "error" in message:
                    raise Failure(f"DevTools {method} failed: {message['error'].get('message')}")
                return message.get("result", {})

    def pump(self, seconds):
        """Handles the events that arrive within `seconds`."""
        deadline = time.monotonic() + seconds
        while self._receive(deadline - time.monotonic()) is not None:
            pass

    def _receive(self, seconds):
        if seconds <= 0:
            return None
        self.ws.settimeout(seconds)
        try:
            message = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketConnectionClosedException, ConnectionError) as error:
            raise Failure(f"the DevTools connection closed (did Chromium crash?): {error}")
        self._record(message)
        return message

    def _record(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            self.console.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            exception = details.get("exception", {})
            self.exceptions.append(exception.get("description") or details.get("text", "exception"))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.console.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())

    def evaluate(self, expression):
        """Answers (value, error text) of `expression` in the page."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            return None, details.get("exception", {}).get("description") or details.get("text")
        return result.get("result", {}).get("value"), None

    def wait_until(self, expression, timeout, what, marker=None):
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            if marker is not None:
                present, _ = self.evaluate(f"window.__loadMarker === {json.dumps(marker)}")
                if not present:
                    raise Failure(f"the page was reloaded or navigated away while waiting for {what}")
            value, last_error = self.evaluate(expression)
            if value:
                return
            if self.exceptions:
                raise Failure(f"the page threw an uncaught exception while waiting for {what}")
            self.pump(0.1)
        hint = f" (last evaluation threw: {last_error})" if last_error else ""
        raise Failure(f"{what} was not true within {timeout:g} s: {expression}{hint}")


def die_with_parent():
    """Runs in the Chromium child: the kernel kills it if this driver dies (Linux)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def launch(binary, profile):
    """Starts Chromium in its own process group."""
    executable = shutil.which(binary) or binary
    if not os.path.exists(executable):
        raise Failure(f"Chromium not found: {binary} (install the Debian package chromium: scripts/install-deps.sh)")
    log = open(os.path.join(profile, "chromium.log"), "wb")
    try:
        process = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "--window-size=1280,900", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-dev-shm-usage", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, preexec_fn=die_with_parent)
    except OSError as error:
        raise Failure(f"cannot start {executable}: {error}")
    finally:
        log.close()
    return process


def devtools_port(process, profile, timeout):
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failure(f"Chromium exited with status {process.returncode}: {tail(profile)}")
        try:
            with open(port_file) as file:
                first = file.readline().strip()
            if first:
                return int(first)
        except (FileNotFoundError, ValueError):
            pass
        time.sleep(0.05)
    raise Failure(f"Chromium wrote no DevToolsActivePort within {timeout:g} s: {tail(profile)}")


def tail(profile):
    try:
        with open(os.path.join(profile, "chromium.log"), "rb") as file:
            return file.read()[-1500:].decode(errors="replace").strip() or "(no output)"
    except OSError:
        return "(no log)"


def page_target(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as answer:
                pages = [t for t in json.load(answer) if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
        except OSError:
            pass
        time.sleep(0.1)
    raise Failure(f"Chromium listed no page target within {timeout:g} s")


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
