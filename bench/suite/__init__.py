"""The whole benchmark (`python -m bench`): floor, workload, targets, one report."""
