# The README's commands, for those who type make.
.PHONY: run test bench bench-telemetry generate

run:
	go run .

test:
	go test -race ./...

generate:
	go generate ./...

# Builds faultline, loads it beside ../shared/peers (Apollo Server, a bare
# gqlgen, net/http) and writes the figures into docs/benchmarks.md.
bench:
	bash scripts/bench.sh

# What metrics and tracing at 10 % cost a request: three faultlines loaded
# at once, each capped at the same share of a core (docs/benchmarks.md,
# Metrics and traces). Needs root, for the cgroups.
bench-telemetry:
	bash scripts/bench-telemetry.sh
