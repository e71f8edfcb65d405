from iac_lint.cli import run

run()
