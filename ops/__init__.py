"""Operator scripts: `.venv/bin/python -m ops.<script> --help`. They read the same settings as the
services (.env, environment) and say clearly when the stack is not running."""
