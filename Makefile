# The two commands of the README's quick start.

.PHONY: run test

# Install what is missing, then run the gateway on embedded SQLite with Config/ and Rules/.
run:
	./scripts/install-deps.sh
	swift build --product switchboard
	./.build/debug/switchboard serve

# Install what the tests need, then build and run the whole suite.
test:
	./scripts/install-deps.sh --test
	swift build --build-tests
	./.build/debug/switchboard rules check --rules Rules
	./.build/debug/switchboard rules test --rules Rules
	promtool check rules Config/prometheus/alerts.yaml
	promtool test rules Config/prometheus/alerts-tests.yaml
	SWITCHBOARD_TEST_PYTHON=$(CURDIR)/.build/test-venv/bin/python swift test --skip-build
