#!/usr/bin/env bash
# Installs the system packages opsagent needs to build and test, on Debian or Ubuntu.
# Runs as root (CI, containers) or through sudo. Safe to run again.
set -euo pipefail

# To build and run (make up uses Prometheus for the examples' analysis).
packages=(libcurl4-openssl-dev pkg-config curl prometheus)
# To test: Alertmanager and the official Kubernetes Python client are real peers in the tests;
# lua5.1 and lua5.4 run the Argo CD health check (manifests/argocd) in its tests.
if [[ "${WITH_TEST_DEPS:-1}" == 1 ]]; then
  packages+=(prometheus-alertmanager python3-pip lua5.1 lua5.4)
  # headless Chromium drives the dashboard's browser test (Tests/GraphQLAPITests/Browser).
  packages+=(chromium)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${WITH_TEST_DEPS:-1}" == 1 ]] && ! python3 -c 'import kubernetes' 2>/dev/null; then
  echo "installing the official Kubernetes Python client (end-to-end tests use it)"
  python3 -m pip install --quiet "kubernetes==33.1.0"
fi

if [[ "${WITH_TEST_DEPS:-1}" == 1 ]] && ! python3 -c 'import aiosmtpd' 2>/dev/null; then
  echo "installing aiosmtpd (the SMTP server the AlertRule email tests send to)"
  python3 -m pip install --quiet aiosmtpd
fi

if [[ "${WITH_TEST_DEPS:-1}" == 1 ]] && ! python3 -c 'import moto.server, flask_cors' 2>/dev/null; then
  echo "installing moto[server] (the AWS APIs the Cloud tests and make bench-cloud run against, on loopback)"
  python3 -m pip install --quiet "moto[server]==5.2.1"
fi

if [[ "${WITH_TEST_DEPS:-1}" == 1 ]] && ! python3 -c 'import mcp' 2>/dev/null; then
  echo "installing the official Python MCP SDK (the MCP server's end-to-end tests use it as the client)"
  python3 -m pip install --quiet "mcp==2.3.0"
fi
