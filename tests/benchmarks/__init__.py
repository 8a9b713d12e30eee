"""The benchmark suite (docs/PERFORMANCE.md): `make bench`, or `python -m tests.benchmarks --help`.

Modules are named bench_*.py so that `make test` does not collect them; test_bench_smoke.py runs the whole
suite at a tiny scale inside `make test` so it cannot rot."""
