# interlock: chaos harness for remediators.
#
# Common uses:
#   make scenario NAME=storm   run one scenario end to end on a fresh embedded cluster
#   make test                  every test CI runs: test-unit, then test-e2e (builds the cluster components first)
#   make test-unit             the tests that need no cluster, in about a minute
#   make tools                 build the cluster components into the cache (once per version)
#   make nightly               every scenario, each with a baseline; summary in _output/nightly
#   make cluster-up            start an embedded cluster named "dev" with 3 nodes
#   make help                  list every target

SHELL := /bin/bash
GO ?= go
BIN := bin/interlock
NAME ?= storm
CLUSTER ?= dev
NODES ?= 3
GOTEST_TIMEOUT ?= 60m
PROVIDER ?= embedded
PARALLEL ?= 2
E2E_PARALLEL ?= 4

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/interlock.
	$(GO) build -o $(BIN) ./cmd/interlock

.PHONY: tools
tools: build ## Build etcd, kube-*, kubectl, kwok and kwokctl from pinned modules into the cache.
	./$(BIN) tools build

.PHONY: test
test: ## Run every test CI runs: test-unit, then test-e2e if it passed (docs/test-suite.md).
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-e2e

.PHONY: test-unit
test-unit: ## Run the tests that need no cluster (unit, golden, examples) with -short; no cluster component needed.
	GO=$(GO) ./hack/test.sh unit

.PHONY: test-e2e
test-e2e: tools ## Run the tests that start embedded clusters (test/e2e PR tier, experiments, controllers; E2E_PARALLEL=4).
	GO=$(GO) GOTEST_TIMEOUT=$(GOTEST_TIMEOUT) E2E_PARALLEL=$(E2E_PARALLEL) ./hack/test.sh e2e

.PHONY: unit
unit: test-unit ## Alias of test-unit.

.PHONY: lint
lint: ## Check formatting and vet every module.
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt wants to change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	./hack/lint-workflows.sh

.PHONY: generate
generate: ## Regenerate deep-copy code, CRDs and RBAC with the pinned controller-gen.
	./hack/generate.sh

.PHONY: bench
bench: tools ## Benchmark the remediator at 100/1,000 nodes × 1k/10k pods, the harness's own cost and cluster up vs bare kwokctl (about 25 min); report in _output/bench.md.
	./hack/bench.sh

.PHONY: jitter
jitter: tools ## Measure the baseline-to-baseline jitter did-no-harm allows for (RUNS=5 SCENARIOS="disk-pressure autoscaler-feedback-loop"); report in _output/jitter.md.
	$(GO) run ./hack/jitter -runs $(or $(RUNS),5) -parallel $(PARALLEL) -out _output/jitter.md $(or $(SCENARIOS),disk-pressure autoscaler-feedback-loop)

.PHONY: cluster-up
cluster-up: build ## Start an embedded cluster (CLUSTER=dev NODES=3).
	./$(BIN) cluster up --name $(CLUSTER) --nodes $(NODES) --kubeconfig $(CURDIR)/_output/$(CLUSTER).kubeconfig

.PHONY: cluster-down
cluster-down: build ## Stop the embedded cluster CLUSTER and remove its files.
	./$(BIN) cluster down --name $(CLUSTER)

.PHONY: scenario
scenario: tools ## Run scenario NAME (default storm) on a fresh embedded cluster and print its scorecard.
	./$(BIN) scenario run $(NAME) --out _output/$(NAME)

.PHONY: example-descheduler
example-descheduler: build ## Grade the descheduler (sigs.k8s.io/descheduler) on the storm scenario; scorecards in _output/descheduler.
	./examples/descheduler/run.sh

.PHONY: example-restarter
example-restarter: build ## Grade examples/restarter, the worked example of docs/remediator-contract.md, on the storm scenario; scorecards in _output/restarter.
	./examples/restarter/run.sh

.PHONY: nightly
nightly: $(if $(filter kind,$(PROVIDER)),build,tools) ## Every scenario with a baseline (PROVIDER=embedded|kind), then every broken remediator, then the scale benchmark's thresholds; summary in _output/nightly.
	./$(BIN) nightly --provider $(PROVIDER) --parallel $(PARALLEL) --out _output/nightly
	INTERLOCK_E2E_TIER=nightly $(GO) test -count=1 -timeout $(GOTEST_TIMEOUT) -parallel 4 ./test/e2e -run 'TestBrokenRemediatorsFail|TestBrokenMatrix'
	INTERLOCK_E2E_TIER=nightly $(GO) test -count=1 -timeout 40m -run '^$$' -bench RemediatorAtScale ./test/scale

.PHONY: image
image: ## Build the remediator image interlock-remediator:dev (needs Docker).
	docker build -t interlock-remediator:dev .

.PHONY: nightly-kind
nightly-kind: build ## Run the nightly tier on kind as CI does (needs Docker, kind, helm, kubectl): SHARD=1/4 OUT=_output/nightly-kind.
	./hack/nightly-kind.sh --out $(or $(OUT),_output/nightly-kind) $(if $(SHARD),--shard $(SHARD))

.PHONY: lint-workflows
lint-workflows: ## Lint .github/workflows with the pinned actionlint (and hack/*.sh with shellcheck if installed).
	./hack/lint-workflows.sh
