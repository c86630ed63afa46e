"""qoffice's benchmarks (`make bench`): each measures qoffice against a baseline in the same run."""
