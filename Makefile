# opsagent — common tasks. `make up` runs the embedded cluster + operator + examples; `make test` runs the tests.
SWIFT ?= swift
BIN_DIR := .build/release
DEBUG_BIN := .build/debug/opsagent
IMAGE ?= opsagent:dev

.PHONY: all build release test deps up sim crds bench bench-sim image image-check deploy undeploy manifests-check clean

all: build

deps: ## install the system packages the build needs (Debian/Ubuntu)
	@./scripts/install-deps.sh

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product opsagent

# Suites run one after another: the end-to-end suites each run a cluster with simulated
# time and real processes (kubectl, Prometheus), and on 2 cores running them all at once
# starves their deadlines. The whole suite takes about 4 minutes this way.
test:
	$(SWIFT) test --no-parallel

up: ## build, start the embedded cluster + Prometheus + operator, apply examples/, watch them converge (Ctrl-C stops)
	@WITH_TEST_DEPS=0 ./scripts/install-deps.sh
	@./scripts/up.sh $(UP_ARGS)

bench: ## the operator's figures (release build; ~25 min on 2 cores): table on stdout, JSON in bench/results/
	$(SWIFT) build -c release --product opsagent-bench
	$(SWIFT) build -c release --product opsagent
	OPSAGENT_COMMIT=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo -dirty) \
		$(BIN_DIR)/opsagent-bench $(BENCH_ARGS)
	$(BIN_DIR)/opsagent-bench --mcp

bench-sim: ## the embedded API server's own figures (creates/s, watch latency, memory per object)
	$(SWIFT) build -c release --product SimBench
	$(BIN_DIR)/SimBench

bench-cloud: ## the Cloud layer's figures: SigV4 and JWT signing per request, DescribeInstances over 1,000 moto instances
	$(SWIFT) build -c release --product opsagent-cloud-bench
	$(BIN_DIR)/opsagent-cloud-bench $(BENCH_ARGS)

sim: build ## run the embedded cluster in the foreground
	$(DEBUG_BIN) sim --port 6443 --kubeconfig-out .up/kubeconfig

image: ## build the container image (needs a Docker engine)
	docker build -t $(IMAGE) .

# A cold release build: 1,195 CPU seconds (20 min of one core; an estimated 10–12 min wall on 2 idle
# cores), measured on the 2-core machine; 75 min wall when it shared them with three other builds.
image-check: ## the Dockerfile's build stage without a Docker engine (a cold release build, see above)
	./scripts/image-check.sh

deploy: ## install the CRDs and the operator into the cluster kubectl points at (manifests/ includes crds/)
	kubectl apply --server-side -k manifests/

undeploy:
	kubectl delete -k manifests/ --ignore-not-found

manifests-check: ## render the kustomizations (the base, and the base with the ServiceMonitor component)
	kubectl kustomize manifests/ >/dev/null
	kubectl kustomize examples/kustomize/servicemonitor >/dev/null

clean:
	rm -rf .build .up

crds: ## regenerate crds/ from Sources/OpsAPI
	$(SWIFT) run opsagent crds --output-dir crds
