"""Tools for developers: test servers, benchmarks and evaluations. Nothing in the product imports them."""
