"""One module of checks per lesson; importing this package registers them all."""
