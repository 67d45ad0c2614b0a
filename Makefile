.PHONY: demo test test-pandas2
demo:
	python3 scripts/dev.py demo
test:
	python3 scripts/dev.py test
test-pandas2:
	python3 scripts/dev.py test-pandas2
