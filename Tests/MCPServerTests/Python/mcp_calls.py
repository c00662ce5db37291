"""Calls opsagent's MCP tools in order with the official Python MCP SDK, over stdio.

Usage: python3 mcp_calls.py CONFIG_JSON

CONFIG_JSON: {"command", "args", "env", "calls": [[tool, arguments], ...]}. An argument
"continue": "$from:N" is replaced by the `continue` token of call N's result.
Prints {"tools": {name: {"readOnly", "destructive", "openWorld"}}, "results": [{"isError",
"text", "structured"}, ...]} on stdout; the checks are the caller's.
"""
import asyncio
import json
import sys

from mcp import Client, StdioServerParameters


async def main():
    cfg = json.loads(sys.argv[1])
    target = StdioServerParameters(command=cfg["command"], args=cfg["args"], env=cfg["env"])
    report = {"tools": {}, "results": []}
    async with Client(target) as client:
        for tool in (await client.list_tools()).tools:
            hints = tool.annotations
            report["tools"][tool.name] = {"readOnly": hints.read_only_hint, "destructive": hints.destructive_hint,
                                          "openWorld": hints.open_world_hint, "schema": tool.input_schema}
        for name, args in cfg["calls"]:
            token = args.get("continue", "")
            if isinstance(token, str) and token.startswith("$from:"):
                args["continue"] = report["results"][int(token[6:])]["structured"]["continue"]
            result = await client.call_tool(name, args)
            report["results"].append({
                "isError": bool(result.is_error),
                "text": "\n".join(getattr(c, "text", "") for c in result.content),
                "structured": result.structured_content,
            })
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())
