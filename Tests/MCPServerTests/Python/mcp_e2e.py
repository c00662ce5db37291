"""Drives opsagent's MCP server with the official Python MCP SDK, as an agent would.

Usage: python3 mcp_e2e.py CONFIG_JSON

CONFIG_JSON: {"mode": "stdio"|"http", "command", "args", "env" (stdio), "url", "token" (http),
"namespace", "pod", "writeAllowed", "secrets": [values that must never appear]}.
Prints a JSON report on stdout; exits 1 with the failed check on stderr.
"""
import asyncio
import base64
import json
import subprocess
import sys

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

SEED_TOOLS = ["list_pods", "get_pod", "create_deployment", "get_pod_logs"]


def text_of(result):
    return "\n".join(getattr(c, "text", "") for c in result.content)


def forms(secret):
    encoded = base64.b64encode(secret.encode()).decode()
    return [secret, encoded, encoded.rstrip("=")]


class Checker:
    def __init__(self, config):
        self.config = config
        self.report = {"calls": {}, "scanned": 0, "leaks": []}
        self.outputs = []

    def check(self, condition, message):
        if not condition:
            raise AssertionError(message)

    async def call(self, client, name, args):
        result = await client.call_tool(name, args)
        text = text_of(result)
        structured = result.structured_content
        self.outputs.append((name, text + "\n" + json.dumps(structured or {})))
        self.report["calls"][f"{name} {json.dumps(args, sort_keys=True)}"] = {
            "isError": bool(result.is_error), "text": text[:400]}
        return result, text, structured

    async def run(self, client):
        cfg = self.config
        ns, pod = cfg["namespace"], cfg["pod"]
        self.report["protocolVersion"] = client.protocol_version
        info = client.server_info
        self.report["serverName"] = info.name if info else None

        tools = (await client.list_tools()).tools
        names = [t.name for t in tools]
        self.report["tools"] = names
        for seed in SEED_TOOLS[:2] + SEED_TOOLS[3:]:
            self.check(seed in names, f"tools/list lacks {seed}: {names}")
        for tool in tools:
            self.check(tool.description, f"{tool.name} has no description")
            self.check(tool.input_schema.get("type") == "object", f"{tool.name} input schema is not an object schema")
            self.check(tool.annotations is not None and tool.annotations.read_only_hint is not None,
                       f"{tool.name} lacks readOnlyHint")
        self.report["writeToolsListed"] = "create_deployment" in names

        result, text, structured = await self.call(client, "list_pods", {"namespace": ns})
        self.check(not result.is_error, f"list_pods failed: {text}")
        self.check(any(p["name"] == pod for p in structured["pods"]), f"list_pods does not show {pod}: {text}")

        result, text, structured = await self.call(client, "get_pod", {"name": pod, "namespace": ns})
        self.check(not result.is_error, f"get_pod failed: {text}")
        self.check(structured["pod"]["metadata"]["name"] == pod, "get_pod returned another pod")

        result, text, structured = await self.call(client, "get_pod_logs", {"name": pod, "namespace": ns, "tailLines": 20})
        self.check(not result.is_error, f"get_pod_logs failed: {text}")
        self.check(len(structured["lines"]) > 0, "get_pod_logs returned no lines")

        args = {"name": "mcp-created", "image": "nginx:1.27", "replicas": 1, "namespace": ns, "ports": [80],
                "env": {"MODE": "demo"}}
        result, text, structured = await self.call(client, "create_deployment", args)
        if cfg["writeAllowed"]:
            self.check(not result.is_error, f"create_deployment failed: {text}")
        else:
            self.check(result.is_error and "--allow-write" in text, f"create_deployment was not refused: {text}")

        result, text, _ = await self.call(client, "get_pod", {"name": "no-such-pod", "namespace": ns})
        self.check(result.is_error and "not found" in text and "no-such-pod" in text, f"no clear not-found error: {text}")

        result, text, _ = await self.call(client, "list_pods", {"namespace": ns, "limit": "many"})
        self.check(result.is_error and "'limit'" in text, f"no invalid-argument error naming limit: {text}")

        await self.scan_for_secrets(client)
        return self.report

    async def scan_for_secrets(self, client):
        """Every read tool, pointed at the namespace with the planted secrets; no output may
        contain a secret value or its base64 form."""
        cfg = self.config
        ns, pod = cfg["namespace"], cfg["pod"]
        secret_name = cfg.get("secretName", "planted")
        probes = [
            ("list_pods", {"namespace": ns}), ("list_pods", {}),
            ("get_pod", {"name": pod, "namespace": ns}),
            ("get_pod_logs", {"name": pod, "namespace": ns}),
            ("resources_get", {"kind": "secrets", "name": secret_name, "namespace": ns}),
            ("resources_list", {"kind": "secrets", "namespace": ns}),
            ("resources_get", {"kind": "configmaps", "name": "leaky-config", "namespace": ns}),
            ("resources_get", {"kind": "deployments", "name": cfg["deployment"], "namespace": ns}),
            ("resources_list", {"kind": "deployments"}),
            ("events_list", {"namespace": ns}), ("events_list", {}),
            ("get_pod", {"name": cfg["secrets"][0], "namespace": ns}),
            ("resources_get", {"kind": "configmaps", "name": cfg["secrets"][0], "namespace": ns}),
            ("namespaces_list", {}), ("nodes_list", {}), ("pods_top", {"namespace": ns}),
            ("rollouts_list", {}), ("alerts_list", {}),
        ]
        for name, args in probes:
            await self.call(client, name, args)
        for name, output in self.outputs:
            self.report["scanned"] += 1
            for secret in cfg["secrets"]:
                for form in forms(secret):
                    if form in output:
                        self.report["leaks"].append(f"{name}: {form}")
        self.check(not self.report["leaks"], f"secret values leaked: {self.report['leaks']}")


def malformed_stdio(cfg):
    """A line that is not JSON gets the JSON-RPC parse error, and the server keeps serving."""
    process = subprocess.Popen([cfg["command"], *cfg["args"]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=cfg["env"])
    try:
        process.stdin.write(b'{"jsonrpc": "2.0", "id": 7, "method": \n')
        process.stdin.flush()
        line = json.loads(process.stdout.readline())
        process.stdin.write(b'{"jsonrpc":"2.0","id":8,"method":"ping"}\n')
        process.stdin.flush()
        after = json.loads(process.stdout.readline())
        return {"error": line.get("error"), "pingAfter": after}
    finally:
        process.kill()
        process.wait()


async def malformed_http(cfg):
    headers = {"Authorization": f"Bearer {cfg['token']}", "Accept": "application/json, text/event-stream",
               "Content-Type": "application/json"}
    async with httpx2.AsyncClient() as http:
        bad = await http.post(cfg["url"], content=b'{"jsonrpc": "2.0", "id": 1, "method":', headers=headers)
        anonymous = await http.post(cfg["url"], content=b'{}', headers={k: v for k, v in headers.items() if k != "Authorization"})
        wrong = await http.post(cfg["url"], content=b'{}', headers={**headers, "Authorization": "Bearer not-a-token"})
        return {"status": bad.status_code, "body": bad.json(), "anonymousStatus": anonymous.status_code,
                "wrongTokenStatus": wrong.status_code}


async def main():
    cfg = json.loads(sys.argv[1])
    if cfg["mode"] == "stdio":
        target = StdioServerParameters(command=cfg["command"], args=cfg["args"], env=cfg["env"])
    else:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {cfg['token']}"}, timeout=30)
        target = streamable_http_client(cfg["url"], http_client=http)
    checker = Checker(cfg)
    async with Client(target) as client:
        report = await checker.run(client)
    report["malformed"] = malformed_stdio(cfg) if cfg["mode"] == "stdio" else await malformed_http(cfg)
    print(json.dumps(report))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except AssertionError as failure:
        print(f"CHECK FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
