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
Chromium is always killed. Needs the standard library, websocket-client and devtools.py beside this file.
"""
import argparse
import base64
import json
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import websocket  # noqa: E402
from devtools import DevTools, Failure, devtools_port, launch, page_target, stop  # noqa: E402


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
