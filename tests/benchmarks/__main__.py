from tests.benchmarks.bench_runner import main

if __name__ == "__main__":
    raise SystemExit(main())
