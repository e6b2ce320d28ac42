"""Faithful local fakes of the providers, served on 127.0.0.1 by `harness.serve_fake`."""
