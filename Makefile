.PHONY: run test build bench
run:   ## set up, build and run with demo data
	scripts/run.sh
test:  ## every test
	scripts/test.sh
build: ## release build only
	scripts/setup.sh && scripts/build.sh
bench: ## performance benchmarks (needs `make build` first)
	scripts/bench.sh
