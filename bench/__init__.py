"""startjob's benchmarks: `make bench` (`python -m bench`), each figure a ratio against plain
`temporalio` (`bench.baseline`) measured in the same run. See docs/performance.md."""
