#!/bin/sh
# Python SDK end-to-end tests (Debian python3-azure). Needs REPRIEVED_BIN.
cd "$(dirname "$0")" || exit 1
PYTHONDONTWRITEBYTECODE=1 exec /usr/bin/python3 -m unittest -v test_cognitive test_identity test_az test_operations test_activity test_events
