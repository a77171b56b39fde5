"""Development tools: benchmarks, emulators and evaluations. Nothing in the product imports them."""
