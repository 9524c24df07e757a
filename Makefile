# Benchmarks. The README's two set-up commands are scripts/demo.sh and scripts/test.sh.
.PHONY: bench bench-quick

# Every benchmark beside its baseline in C, in one run; the table goes to bench-out/results.md.
bench:
	scripts/bench.sh

# Every scenario with small counts: checks that the benchmarks run, measures little.
bench-quick:
	scripts/bench.sh --quick
