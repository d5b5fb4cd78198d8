# The two commands a learner needs:   make lab   (open the course)   and   make test   (run every test).
# Both create .venv and install minitorch into it on first use; nothing outside this folder is touched.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: lab test install lessons notebooks grade-solutions bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "minitorch needs Python 3.10 or newer; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[course,test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## make lab: open JupyterLab on the lessons (the course itself); make lab PORT=8899 picks the port
# (Jupyter refuses to run as root without --allow-root; containers and CI machines often are root.
# Without PORT, Jupyter uses $JUPYTER_PORT, else 8888 or the next free one.)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=lessons $(if $(PORT),--port=$(PORT)) $(if $(filter 0,$(shell id -u)),--allow-root)

## make test: library tests, graded tests, lesson sync, grader end-to-end, nbval over solutions/
# (One BLAS thread per worker: two workers fill the two cores; more threads than cores make OpenBLAS spin.)
test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadscope

## For authors: regenerate lessons/ after editing solutions/
lessons: $(STAMP)
	$(BIN)/python -m minitorch build-lessons

## For authors: re-execute solutions/ (stores outputs), then regenerate lessons/
notebooks: $(STAMP)
	$(BIN)/python -m minitorch execute solutions/*.ipynb
	$(BIN)/python -m minitorch build-lessons

grade-solutions: $(STAMP)
	$(BIN)/python -m minitorch grade solutions --json grades.json

## Benchmarks against micrograd, hand-written numpy (and PyTorch when installed: pip install -e ".[torch]"):
## one table of paired ratios; make bench BENCH_ARGS="--quick" (or "--threads 2", "scalar", ...)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
