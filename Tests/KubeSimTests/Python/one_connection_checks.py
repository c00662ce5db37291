"""Raw HTTP/1.1 on one keep-alive connection to an --insecure-http simulator.

Checks what no client library shows: that requests sent back to back are answered in the
order they were sent, even when the first goes to a slow responder and the second could be
answered at once; and that an oversized body gets 413 without losing the connection.
Prints one "ok ..." line per check and "all checks passed" at the end.
"""
import socket
import sys


def read_response(sock, buffered):
    """Reads one response with a Content-Length body; returns (status, headers, body, rest)."""
    while b"\r\n\r\n" not in buffered:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"the server closed the connection mid-response: {buffered[:200]!r}")
        buffered += chunk
    head, _, rest = buffered.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "-1"))
    if length < 0:
        raise AssertionError(f"no Content-Length in {lines}")
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("the server closed the connection mid-body")
        rest += chunk
    return status, headers, rest[:length], rest[length:]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    host = f"Host: 127.0.0.1:{port}\r\n"

    # 1. A slow request (its own responder, on the async path) and a quick one, sent together.
    token = b'{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}'
    pipelined = (
        b"POST /api/v1/namespaces/default/serviceaccounts/default/token HTTP/1.1\r\n" + host.encode()
        + b"Content-Type: application/json\r\nContent-Length: " + str(len(token)).encode() + b"\r\n\r\n" + token
        + b"GET /version HTTP/1.1\r\n" + host.encode() + b"\r\n"
    )
    sock.sendall(pipelined)
    first, _, first_body, rest = read_response(sock, b"")
    second, second_headers, second_body, rest = read_response(sock, rest)
    check(b"slow-token" in first_body, f"the first answer is not the slow request's: {first} {first_body[:200]!r}")
    check(second == 200 and b"gitVersion" in second_body, f"the second answer is not /version: {second} {second_body[:200]!r}")
    print("ok back-to-back requests answered in order")

    # 2. A body over 3 MiB: 413, and the connection still serves the next request.
    big = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"k":"' + b"x" * (4 << 20) + b'"}}'
    sock.sendall(
        b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\n" + host.encode()
        + b"Content-Type: application/json\r\nContent-Length: " + str(len(big)).encode() + b"\r\n\r\n" + big
    )
    status, _, body, rest = read_response(sock, rest)
    check(status == 413 and b"RequestEntityTooLarge" in body, f"an oversized body got {status}: {body[:300]!r}")
    sock.sendall(b"GET /api/v1/namespaces/default/configmaps/big HTTP/1.1\r\n" + host.encode() + b"\r\n")
    status, headers, body, rest = read_response(sock, rest)
    check(status == 404 and b"NotFound" in body, f"after the 413 the connection answered {status}: {body[:300]!r}")
    check(headers.get("content-type") == "application/json" and "date" in headers,
          f"a single-object answer lacks its headers: {headers}")
    print("ok an oversized body is refused with 413 and the connection stays usable")
    sock.close()
    print("all checks passed")


if __name__ == "__main__":
    main(int(sys.argv[1]))
