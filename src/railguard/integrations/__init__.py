"""Framework adapters; each is an optional extra and is imported only when used."""
