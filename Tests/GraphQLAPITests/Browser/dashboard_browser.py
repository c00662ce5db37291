#!/usr/bin/env python3
"""Drives headless Chromium over the Chrome DevTools Protocol for the dashboard's end-to-end test.

Contract (stdout is line-oriented; exit status 0 = passed, 1 = failed, 2 = bad arguments):
  1. launches Chromium (its own temporary profile, 1280x900 viewport), opens --url;
  2. waits until --ready-js evaluates truthy in the page, marks the page (window.__loadMarker),
     prints "READY";
  3. waits for a line "GO" on stdin (the caller changes the cluster meanwhile);
  4. waits until --changed-js evaluates truthy while the marker is still there (a reload fails);
  5. writes a PNG screenshot to --screenshot (also on failure, when the page is still there);
  6. prints "PASSED", or "FAILED: <why>" followed by indented lines with window.opsagentDashboard,
     the console errors and uncaught exceptions. An uncaught page exception fails the run.
Chromium is always killed. Needs only the standard library and websocket-client.
"""
import argparse
import base64
import ctypes
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

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


def stdin_lines():
    lines = queue.Queue()

    def read():
        for line in sys.stdin:
            lines.put(line.strip())
        lines.put(None)
    threading.Thread(target=read, daemon=True).start()
    return lines


def wait_for_go(tools, lines, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tools.pump(0.1)
        try:
            line = lines.get_nowait()
        except queue.Empty:
            continue
        if line is None:
            raise Failure("stdin closed before GO")
        if line == "GO":
            return
    raise Failure(f"no GO on stdin within {timeout:g} s")


def run(args, profile):
    process = launch(args.chromium, profile)
    tools = None
    try:
        tools = DevTools(page_target(devtools_port(process, profile, args.timeout), args.timeout))
        for domain in ("Runtime.enable", "Page.enable", "Log.enable"):
            tools.call(domain)
        tools.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        navigation = tools.call("Page.navigate", {"url": args.url}, timeout=args.timeout)
        if navigation.get("errorText"):
            raise Failure(f"cannot open {args.url}: {navigation['errorText']}")
        tools.wait_until(args.ready_js, args.timeout, "--ready-js")
        marker = str(uuid.uuid4())
        tools.evaluate(f"window.__loadMarker = {json.dumps(marker)}")
        lines = stdin_lines()
        print("READY", flush=True)
        wait_for_go(tools, lines, args.go_timeout)
        tools.wait_until(args.changed_js, args.timeout, "--changed-js", marker=marker)
        tools.pump(0.3)
        if tools.exceptions:
            raise Failure("the page threw an uncaught exception")
        screenshot(tools, args.screenshot)
        print("PASSED", flush=True)
        return 0
    except Failure as failure:
        report(tools, args.screenshot, str(failure))
        return 1
    finally:
        if tools is not None:
            tools.ws.close()
        stop(process)


def screenshot(tools, path):
    if not path:
        return
    data = tools.call("Page.captureScreenshot", {"format": "png"}, timeout=30)["data"]
    try:
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))
    except OSError as error:
        raise Failure(f"cannot write the screenshot: {error}")


def report(tools, path, why):
    print(f"FAILED: {why}", flush=True)
    if tools is None:
        return
    try:
        state, _ = tools.evaluate("JSON.stringify(window.opsagentDashboard === undefined ? null : window.opsagentDashboard)")
        print(f"  window.opsagentDashboard: {state}")
    except (Failure, OSError, websocket.WebSocketException) as error:
        print(f"  (page state unavailable: {error})")
    try:
        screenshot(tools, path)
    except (Failure, OSError, websocket.WebSocketException) as error:
        print(f"  (no screenshot: {error})")
    for line in tools.exceptions:
        print(f"  uncaught exception: {line}")
    for line in tools.console:
        print(f"  {line}")
    sys.stdout.flush()


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def terminated(*_):
    raise Failure("terminated by SIGTERM")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the dashboard URL, e.g. http://127.0.0.1:PORT/#token=TOKEN")
    parser.add_argument("--ready-js", required=True, help="JS expression that is truthy once the page shows the initial state")
    parser.add_argument("--changed-js", required=True, help="JS expression that is truthy once the page shows the change made after GO")
    parser.add_argument("--screenshot", help="PNG file to write at the end")
    parser.add_argument("--timeout", type=float, default=30, help="seconds for each wait (launch, ready, changed); default 30")
    parser.add_argument("--go-timeout", type=float, default=120, help="seconds to wait for GO on stdin; default 120")
    parser.add_argument("--chromium", default="chromium", help="the Chromium binary; default chromium")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, terminated)
    profile = tempfile.mkdtemp(prefix="dashboard-browser-")
    try:
        sys.exit(run(args, profile))
    except Failure as failure:
        print(f"FAILED: {failure}", flush=True)
        sys.exit(1)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
