# The two commands of the README's quick start.

.PHONY: run test eval eval-figures

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
	$(MAKE) --no-print-directory eval-figures
	promtool check rules Config/prometheus/alerts.yaml
	promtool test rules Config/prometheus/alerts-tests.yaml
	SWITCHBOARD_TEST_PYTHON=$(CURDIR)/.build/test-venv/bin/python swift test --skip-build
	./scripts/console-assets.py --check
	# The console in Chromium, alone: a browser beside the suite would starve its timing tests.
	SWITCHBOARD_TEST_PYTHON=$(CURDIR)/.build/test-venv/bin/python SWITCHBOARD_BROWSER_TESTS=1 swift test --skip-build --filter ConsoleBrowserTests

# Classification quality on the labelled corpus (Rules/tests/labelled, see Rules/README.md). The
# development set is held to the targets: urgent-or-not 0.93, negative-or-not 0.90, intent macro-F1
# 0.85. The held-back set (never tuned against) reaches its intent target (0.82) but not the urgent and
# negative ones (0.90, 0.87): those floors are the figures it reaches now, less a little, so a change
# that makes the rules generalize worse fails here. Raise them as the lexicons grow.
EVAL = ./.build/debug/switchboard rules eval --rules Rules --misses 0
eval:
	swift build --product switchboard
	$(MAKE) --no-print-directory eval-figures

eval-figures:
	$(EVAL) --labelled Rules/tests/labelled --min-urgent-accuracy 0.93 --min-negative-accuracy 0.90 --min-intent-f1 0.85
	$(EVAL) --labelled Rules/tests/labelled/held-back --min-urgent-accuracy 0.81 --min-negative-accuracy 0.80 --min-intent-f1 0.82
