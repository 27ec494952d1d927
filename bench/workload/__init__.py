"""Outside-client workload: whole order lives at a fixed concurrency, on a growing database."""
